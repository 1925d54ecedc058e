/**
 * Our options that take a value, wherever they may stand before the command of `vault run`:
 * the globals, and run's own `--context` and `--explain`.
 */
const VALUE_OPTIONS = new Set(["--env", "-e", "--identity", "--cwd", "--context", "--explain"]);

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
    if (a !== "run") return { argv, passthrough: [] };
    seenRun = true;
  }
  return { argv, passthrough: [] };
}
