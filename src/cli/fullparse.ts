/**
 * The full parser: yargs, configured from cli/table.ts, for every command line the fast
 * parser declines, and for help, version and usage errors.
 */
import type { Argv, Options, PositionalOptions } from "yargs";
import { UsageError } from "../errors.js";
import { type CommandDef, COMMANDS, GLOBAL_OPTIONS, type OptionDef, type PositionalDef, PROGRAM } from "./table.js";
import { VERSION } from "./version.js";

/** A command as yargs reads it: `hook <name> [args..]`. */
export function commandString(c: CommandDef): string {
  const words = c.positionals.map((p) => {
    const name = `${p.name}${p.variadic === true ? ".." : ""}`;
    return p.required ? `<${name}>` : `[${name}]`;
  });
  return [c.name, ...words].join(" ");
}

/**
 * The help text of an option or positional: its description, then its choices, its default
 * and whether it may repeat, in words. yargs' own bracketed notes (`[array] [required]
 * [default: []]`) are turned off (fullParser), being parser terms rather than help.
 */
export function helpText(d: { describe?: string; choices?: readonly string[]; default?: string | boolean; array?: boolean }): string {
  const notes = [
    ...(d.choices === undefined ? [] : [`one of ${d.choices.join(", ")}`]),
    ...(typeof d.default === "string" ? [`default ${d.default}`] : d.default === true ? ["on by default"] : []),
    ...(d.array === true ? ["may be given more than once"] : []),
  ];
  const text = d.describe ?? "";
  return notes.length === 0 ? text : `${text}${text === "" ? "" : " "}(${notes.join("; ")})`;
}

// With choices, the type is left out: yargs would print `[string]` beside the choices.
function yargsOption(o: OptionDef): Options {
  return {
    ...(o.alias === undefined ? {} : { alias: o.alias }),
    ...(o.choices === undefined ? { type: o.type } : { choices: o.choices }),
    ...(o.array === true ? { array: true } : {}),
    ...(o.default === undefined ? {} : { default: o.default }),
    // `--env` at the end of the line is a mistake, not an empty value (`--env=` still is one).
    ...(o.type === "string" && o.array !== true && o.optionalValue !== true ? { requiresArg: true } : {}),
    describe: helpText(o),
  };
}

function yargsPositional(p: PositionalDef): PositionalOptions {
  return {
    ...(p.choices === undefined ? { type: "string" } : { choices: p.choices }),
    describe: helpText(p),
  };
}

function builder(c: CommandDef): (y: Argv) => Argv {
  return (y) => {
    if (c.usage !== undefined) y.usage(c.usage);
    for (const p of c.positionals) y.positional(p.name, yargsPositional(p));
    for (const [name, o] of Object.entries(c.options)) y.option(name, yargsOption(o));
    for (const [command, meaning] of c.examples ?? []) y.example(command, meaning);
    // The command's own options first, then the ones every command takes.
    const own = Object.keys(c.options);
    if (own.length > 0) y.group(own, "Options:");
    y.group([...Object.keys(GLOBAL_OPTIONS), "help", "version"], "Options of every command:");
    return y;
  };
}

const wordsOf = (list: string) => list.split(/,\s*/).filter((w) => w !== "");
const optionName = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

/**
 * A usage error in our words: yargs' messages ("Not enough non-option arguments: got 0, need
 * at least 1") name parser terms, not what the command needed. `argv` finds the command.
 */
export function usageMessage(message: string, argv: readonly string[]): { text: string; hints: string[] } {
  const word = argv.find((a) => !a.startsWith("-"));
  const c = (COMMANDS as readonly CommandDef[]).find((d) => d.name === word || (d.aliases ?? []).includes(word ?? ""));
  const usage = c === undefined ? "" : `vault ${commandString(c)}`;
  const hints = c === undefined ? ["`vault --help` lists the commands and options"] : [`usage: ${usage}`, `\`vault ${c.name} --help\` shows its options and examples`];
  const named = c === undefined ? "vault" : `\`vault ${c.name}\``;
  let m: RegExpMatchArray | null;
  if (message.startsWith("Did you mean") && word !== undefined) return { text: `unknown command ${JSON.stringify(word)}. ${message}`, hints };
  if (message.startsWith("Not enough non-option arguments") && c !== undefined) {
    const given = argv.filter((a) => !a.startsWith("-")).length - 1;
    const needed = c.positionals.filter((p) => p.required).slice(Math.max(0, given)).map((p) => p.name.toUpperCase());
    return { text: `${named} needs ${needed.join(" and ") || "more arguments"}`, hints };
  }
  if ((m = message.match(/^Too many non-option arguments: got (\d+), maximum of (\d+)/)) !== null) {
    return { text: `${named} takes at most ${m[2]} argument${m[2] === "1" ? "" : "s"}, got ${m[1]}`, hints };
  }
  if ((m = message.match(/^Unknown arguments?: (.*)$/s)) !== null) {
    const words = wordsOf(m[1]!).map((w) => (w.startsWith("-") || argv.includes(w) ? w : optionName(w)));
    if (c !== undefined && words.every((w) => !w.startsWith("-"))) {
      const n = c.positionals.length;
      return { text: `${named} takes ${n === 0 ? "no" : `at most ${n}`} argument${n === 1 ? "" : "s"}: ${words.join(", ")} ${words.length === 1 ? "is" : "are"} too many`, hints };
    }
    return { text: `${named} does not know ${words.join(", ")}`, hints };
  }
  if ((m = message.match(/^Missing required arguments?: (.*)$/s)) !== null) {
    return { text: `${named} needs ${wordsOf(m[1]!).map(optionName).join(" and ")}`, hints };
  }
  if ((m = message.match(/Argument: (\S+), Given: (.*?), Choices: (.*)$/m)) !== null) {
    const isPositional = c?.positionals.some((p) => p.name === m![1]) === true;
    return { text: `${isPositional ? m[1]!.toUpperCase() : optionName(m[1]!)} must be one of ${m[3]!.replace(/"/g, "")} (got ${m[2]})`, hints };
  }
  if ((m = message.match(/^Not enough arguments following: (\S+)/)) !== null) return { text: `${optionName(m[1]!)} needs a value`, hints };
  return { text: message, hints };
}

/** What the parser calls for the command it recognised, with yargs' arguments (globals included). */
export type OnCommand = (command: CommandDef, args: Record<string, unknown>) => Promise<void>;

/**
 * `y` (yargs over `argv`) with the whole table: globals, every command calling `onCommand`,
 * and usage errors thrown as UsageError. Numbers are not parsed: `1.50` stays `1.50`.
 */
export function fullParser(y: Argv, argv: readonly string[], onCommand: OnCommand): Argv {
  // yargs 18 has usageConfiguration; its published types do not name it yet.
  const base = y as Argv & { usageConfiguration(c: { "hide-types": boolean }): Argv };
  const parser = base
    .usageConfiguration({ "hide-types": true })
    .scriptName(PROGRAM.name)
    .usage(PROGRAM.usage)
    .parserConfiguration({ "parse-numbers": false, "parse-positional-numbers": false });
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) parser.option(name, { ...yargsOption(o), global: true });
  parser
    .strict()
    .demandCommand(1, PROGRAM.noCommand)
    .recommendCommands()
    .showHelpOnFail(false)
    .exitProcess(false)
    .version(VERSION)
    .help()
    .alias("help", "h")
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // yargs throws its own checks (an option without its value) as a YError.
      if (error?.name === "YError") message = error.message;
      else if (error !== undefined) throw error;
      const { text, hints } = usageMessage(message ?? "invalid usage", argv);
      throw new UsageError(text, { hints });
    });
  for (const c of COMMANDS as readonly CommandDef[]) {
    parser.command([commandString(c), ...(c.aliases ?? [])], c.describe, builder(c), (args) => onCommand(c, args as Record<string, unknown>));
  }
  return parser;
}
