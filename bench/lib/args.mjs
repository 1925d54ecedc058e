// The command line of the bench scripts.

/** The number given after `name` (`--runs 5`), `fallback` when `name` is absent, NaN when it is not a number. */
export function option(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i < 0 ? fallback : Number(argv[i + 1]);
}
