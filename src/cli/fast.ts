/**
 * The commands that run many times a day, without the option parser: `runFast` handles a
 * plain command line of one of them, and declines anything else (help, a typo, an option it
 * does not know) so that the full CLI (main.ts, yargs) handles it and owns usage messages.
 * This module is also the entry of `dist/cli/hot.cjs`, the bundle bin/vault.js starts with
 * (with a V8 code cache), so it must reach no more code than these commands need.
 */
import { splitPassthrough } from "./argv.js";
import type { CommandRun } from "./context.js";
import { parseFast } from "./fastpath.js";
import { contextFor, outputFor } from "./launch.js";

/** Each hot command's module, imported when it runs; the command table uses these too. */
export const hotCommands = {
  export: async () => (await import("./commands/export.js")).exportEnv,
  run: async () => (await import("./commands/run.js")).run,
  get: async () => (await import("./commands/get.js")).get,
  unlock: async () => (await import("./commands/unlock.js")).unlock,
  lock: async () => (await import("./commands/lock.js")).lock,
  list: async () => (await import("./commands/list.js")).list,
  hook: async () => (await import("./commands/hook.js")).hook,
} satisfies Record<string, () => Promise<CommandRun<never>>>;

/**
 * Runs `argv` (without node and script) if it is a plain command line of a hot command, and
 * returns the exit code; returns undefined, having done nothing, for any other.
 */
export function runFast(fullArgv: string[]): Promise<number> | undefined {
  const { argv, passthrough } = splitPassthrough(fullArgv);
  const fast = parseFast(argv);
  if (fast === undefined) return undefined;
  const out = outputFor(fast.globals);
  return (async () => {
    try {
      const command: CommandRun<never> = await hotCommands[fast.name]();
      const r = await command(contextFor(fast.globals, out, passthrough), fast.args as never);
      return typeof r === "number" ? r : 0;
    } catch (e) {
      return out.error(e);
    }
  })();
}
