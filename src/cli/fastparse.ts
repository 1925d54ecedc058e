/**
 * The fast parser: an exact parser for the hot commands of cli/table.ts, so they start
 * without loading yargs (≈ 50 ms). It accepts only plain, unambiguous command lines and
 * gives for them what yargs would give; anything else (help, a typo, a repeated option, an
 * unknown flag, a value out of its choices) returns undefined and goes through yargs, which
 * owns the messages for usage errors. test/unit/cli/parsers.test.ts holds the two to the
 * same answers.
 */
import type { GlobalArgs } from "./launch.js";
import { type CommandDef, COMMANDS, GLOBAL_OPTIONS, type HotName, type OptionDef, type PositionalDef } from "./table.js";

export interface FastCommand {
  name: HotName;
  globals: GlobalArgs;
  args: Record<string, unknown>;
}

/** What the parser knows of one command, or of the globals: options by every spelling. */
interface Spec {
  /** Long name and one-letter alias → long name. */
  names: Map<string, string>;
  options: Map<string, OptionDef>;
  /** The values yargs gives an option left out, by argument name. */
  defaults: Record<string, unknown>;
}

interface CommandSpec extends Spec {
  name: HotName;
  /** The positionals that must each be given, in order. */
  positionals: readonly PositionalDef[];
  /** Collects any further positionals into a list. */
  rest?: PositionalDef;
}

/** yargs' argument name for an option: `dry-run` → `dryRun`. */
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function specOf(options: Readonly<Record<string, OptionDef>>): Spec {
  const spec: Spec = { names: new Map(), options: new Map(), defaults: {} };
  for (const [name, o] of Object.entries(options)) {
    spec.names.set(name, name);
    if (o.alias !== undefined) spec.names.set(o.alias, name);
    spec.options.set(name, o);
    if (o.default !== undefined) spec.defaults[camel(name)] = o.default;
  }
  return spec;
}

/**
 * The spec of a hot command, or undefined for one written with what this parser does not
 * implement (an option given more than once, an optional positional other than a variadic
 * last one): such a command always goes through yargs, and the parser test names it.
 */
function commandSpecOf(c: CommandDef): CommandSpec | undefined {
  if (Object.values(c.options).some((o) => o.array === true)) return undefined;
  const last = c.positionals.at(-1);
  const rest = last?.variadic === true ? last : undefined;
  const positionals = rest === undefined ? c.positionals : c.positionals.slice(0, -1);
  if (positionals.some((p) => !p.required || p.variadic === true)) return undefined;
  return { ...specOf(c.options), name: c.name as HotName, positionals, ...(rest === undefined ? {} : { rest }) };
}

const globalSpec = specOf(GLOBAL_OPTIONS);
const commands = new Map<string, CommandSpec>();
for (const c of COMMANDS as readonly CommandDef[]) {
  const spec = c.hot === true ? commandSpecOf(c) : undefined;
  if (spec === undefined) continue;
  for (const name of [c.name, ...(c.aliases ?? [])]) commands.set(name, spec);
}

/** The option `word` (`format`, `f`, `no-color`) names in `spec`, and the value a bare flag gives it. */
function lookup(spec: Spec, word: string): { name: string; option: OptionDef; flagValue: boolean } | undefined {
  const name = spec.names.get(word);
  if (name !== undefined) return { name, option: spec.options.get(name) as OptionDef, flagValue: true };
  // yargs reads `--no-X` as X = false for every boolean X.
  const negated = word.startsWith("no-") && word.length > 4 ? spec.names.get(word.slice(3)) : undefined;
  const option = negated === undefined ? undefined : spec.options.get(negated);
  if (negated === undefined || option?.type !== "boolean") return undefined;
  return { name: negated, option, flagValue: false };
}

export function parseFast(argv: readonly string[]): FastCommand | undefined {
  const globals: Record<string, unknown> = { ...globalSpec.defaults };
  const seen = new Set<string>();
  let spec: CommandSpec | undefined;
  const args: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--" || token === "-") return undefined;
    if (!token.startsWith("-")) {
      if (spec === undefined) {
        spec = commands.get(token);
        if (spec === undefined) return undefined;
        Object.assign(args, spec.defaults);
      } else {
        positionals.push(token);
      }
      continue;
    }
    const long = token.startsWith("--");
    const eq = token.indexOf("=");
    const word = token.slice(long ? 2 : 1, eq < 0 ? undefined : eq);
    // `-qe x` bundles short options; `--f` and `-format` are spellings yargs reads its own way.
    if (long ? word.length < 2 : word.length !== 1) return undefined;
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    const global = lookup(globalSpec, word);
    const own = spec === undefined ? undefined : lookup(spec, word);
    // A command's own option of a global's name overrides it in yargs, but not before the command.
    if (global !== undefined && own !== undefined) return undefined;
    const found = global ?? own;
    if (found === undefined) return undefined;
    const key = `${global === undefined ? "" : "global:"}${found.name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const target = global === undefined ? args : globals;
    if (found.option.type === "boolean") {
      // yargs takes a `true` or `false` after a flag as its value (`--json false`).
      if (inline !== undefined || argv[i + 1] === "true" || argv[i + 1] === "false") return undefined;
      target[camel(found.name)] = found.flagValue;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) return undefined;
      value = next;
      i++;
    }
    // An empty global (`--env=`) is left to yargs and the commands' own checks of it.
    if (global !== undefined && value === "") return undefined;
    if (found.option.choices !== undefined && !found.option.choices.includes(value)) return undefined;
    target[camel(found.name)] = value;
  }
  if (spec === undefined) return undefined;
  const { positionals: fixed, rest } = spec;
  if (rest === undefined ? positionals.length !== fixed.length : positionals.length < fixed.length + (rest.required ? 1 : 0)) return undefined;
  const all = [...fixed, ...positionals.slice(fixed.length).map(() => rest as PositionalDef)];
  if (positionals.some((v, idx) => all[idx]?.choices !== undefined && !all[idx].choices.includes(v))) return undefined;
  fixed.forEach((p, idx) => (args[p.name] = positionals[idx]));
  if (rest !== undefined) args[rest.name] = positionals.slice(fixed.length);
  return { name: spec.name, globals: globals as unknown as GlobalArgs, args };
}
