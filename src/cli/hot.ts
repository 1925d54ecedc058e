/**
 * The runner of the hot commands (cli/table.ts): `runFast` runs a command line the fast
 * parser takes, and declines anything else so that the full CLI (main.ts, yargs) handles it
 * and owns usage messages. This module is also the entry of `dist/cli/hot.cjs`, the bundle
 * bin/vault.js starts with (with a V8 code cache), so it must reach no more code than these
 * commands need: no yargs, and no other command's module.
 */
import { splitPassthrough } from "./argv.js";
import type { CommandRun } from "./context.js";
import { parseFast } from "./fastparse.js";
import { contextFor, outputFor } from "./launch.js";
import type { HotName } from "./table.js";

/** Each hot command's module, imported when it runs; the full CLI uses these too. */
export const hotModules = {
  export: async () => (await import("./commands/export.js")).exportEnv,
  run: async () => (await import("./commands/run.js")).run,
  get: async () => (await import("./commands/get.js")).get,
  unlock: async () => (await import("./commands/unlock.js")).unlock,
  lock: async () => (await import("./commands/lock.js")).lock,
  list: async () => (await import("./commands/list.js")).list,
  hook: async () => (await import("./commands/hook.js")).hook,
} satisfies Record<HotName, () => Promise<CommandRun<never>>>;

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
      const command: CommandRun<never> = await hotModules[fast.name]();
      const r = await command(contextFor(fast.globals, out, passthrough), fast.args as never);
      return typeof r === "number" ? r : 0;
    } catch (e) {
      return out.error(e);
    }
  })();
}
