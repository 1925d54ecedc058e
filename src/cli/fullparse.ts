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

// With choices, the type is left out: yargs would print `[string]` beside the choices.
function yargsOption(o: OptionDef): Options {
  return {
    ...(o.alias === undefined ? {} : { alias: o.alias }),
    ...(o.choices === undefined ? { type: o.type } : { choices: o.choices }),
    ...(o.array === true ? { array: true } : {}),
    ...(o.default === undefined ? {} : { default: o.default }),
    describe: o.describe,
  };
}

function yargsPositional(p: PositionalDef): PositionalOptions {
  return {
    ...(p.choices === undefined ? { type: "string" } : { choices: p.choices }),
    ...(p.variadic === true ? { array: true } : {}),
    ...(p.describe === undefined ? {} : { describe: p.describe }),
  };
}

function builder(c: CommandDef): (y: Argv) => Argv {
  return (y) => {
    if (c.usage !== undefined) y.usage(c.usage);
    for (const p of c.positionals) y.positional(p.name, yargsPositional(p));
    for (const [name, o] of Object.entries(c.options)) y.option(name, yargsOption(o));
    for (const [command, meaning] of c.examples ?? []) y.example(command, meaning);
    return y;
  };
}

/** What the parser calls for the command it recognised, with yargs' arguments (globals included). */
export type OnCommand = (command: CommandDef, args: Record<string, unknown>) => Promise<void>;

/**
 * `y` (yargs over `argv`) with the whole table: globals, every command calling `onCommand`,
 * and usage errors thrown as UsageError. Numbers are not parsed: `1.50` stays `1.50`.
 */
export function fullParser(y: Argv, argv: readonly string[], onCommand: OnCommand): Argv {
  const parser = y
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
      if (error !== undefined) throw error;
      // yargs' suggestion alone ("Did you mean unlock?") does not say what it did not know.
      const word = argv.find((a) => !a.startsWith("-"));
      const text = message?.startsWith("Did you mean") && word !== undefined ? `unknown command ${JSON.stringify(word)}. ${message}` : message;
      throw new UsageError(text ?? "invalid usage", { hints: ["`vault --help` lists the commands and options"] });
    });
  for (const c of COMMANDS as readonly CommandDef[]) {
    parser.command([commandString(c), ...(c.aliases ?? [])], c.describe, builder(c), (args) => onCommand(c, args as Record<string, unknown>));
  }
  return parser;
}
