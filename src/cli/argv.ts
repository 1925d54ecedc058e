/** Splits the command line of `vault run` (the passthrough command of cli/table.ts) into ours and the command's. */
import { type CommandDef, COMMANDS, GLOBAL_OPTIONS, type OptionDef } from "./table.js";

const passthroughCommands = (COMMANDS as readonly CommandDef[]).filter((c) => c.passthrough === true);
const PASSTHROUGH = new Set(passthroughCommands.map((c) => c.name));

/** The spellings of options that take a value: with it, the next word is that value. */
function valueSpellings(options: Readonly<Record<string, OptionDef>>): string[] {
  return Object.entries(options)
    .filter(([, o]) => o.type === "string")
    .flatMap(([name, o]) => [`--${name}`, ...(o.alias === undefined ? [] : [`-${o.alias}`])]);
}

/**
 * Our options that take a value, wherever they may stand before the passed-through command:
 * the globals, and the passthrough commands' own.
 */
const VALUE_OPTIONS = new Set([...valueSpellings(GLOBAL_OPTIONS), ...passthroughCommands.flatMap((c) => valueSpellings(c.options))]);

/**
 * Splits `vault [opts] run [opts] [--] CMD…` so that CMD and its own options never reach
 * the option parser: the first word after `run` that is not one of our options (or the
 * value of one) starts CMD.
 */
export function splitPassthrough(argv: string[]): { argv: string[]; passthrough: string[] } {
  let seenRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a === "--") return seenRun ? { argv: argv.slice(0, i), passthrough: argv.slice(i + 1) } : { argv, passthrough: [] };
    if (a.startsWith("-")) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    if (seenRun) return { argv: argv.slice(0, i), passthrough: argv.slice(i) };
    if (!PASSTHROUGH.has(a)) return { argv, passthrough: [] };
    seenRun = true;
  }
  return { argv, passthrough: [] };
}
