/** The full CLI: the hot commands through the fast parser, everything else through yargs. */
import { splitPassthrough } from "./argv.js";
import { commandModules } from "./commands.js";
import { fullParser } from "./fullparse.js";
import { runFast } from "./hot.js";
import { contextFor, type GlobalArgs, outputFor } from "./launch.js";
import type { CommandName } from "./table.js";
import type { Context } from "./context.js";

/**
 * The commands that change the vault or settle merges: each says when this clone lacks the
 * merge driver that .gitattributes names (git/driver.ts). `vault unlock` says it too; the
 * commands scripts and CI run to read (export, run, get, verify) do not.
 */
const DRIVER_CHECKED: ReadonlySet<string> = new Set(["set", "edit", "remove", "import", "member", "grant", "revoke", "scope", "rotate", "check", "status", "resolve", "sync", "admin", "sign", "burn", "env", "access", "log", "diff"]);

async function warnDriver(ctx: Context): Promise<void> {
  // Loaded here: the hot commands' start-up (this module) stays without them.
  const { driverWarning } = await import("../app/driver.js");
  const warning = await driverWarning(ctx.cwd);
  if (warning !== undefined) ctx.out.warn(warning);
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function run(fullArgv: string[]): Promise<number> {
  const fast = runFast(fullArgv);
  if (fast !== undefined) return fast;
  const { argv, passthrough } = splitPassthrough(fullArgv);
  return runWithYargs(argv, passthrough);
}

async function runWithYargs(argv: string[], passthrough: string[]): Promise<number> {
  // Renders the errors that come before yargs has parsed the options (a usage error).
  let out = outputFor({ json: argv.includes("--json"), quiet: false, color: !argv.includes("--no-color"), debug: argv.includes("--debug") });
  let code = 0;
  try {
    const { default: yargs } = await import("yargs");
    const parser = fullParser(yargs(argv), argv, async (c, args) => {
      const g = args as unknown as GlobalArgs;
      out = outputFor(g);
      const command = await commandModules[c.name as CommandName]();
      const ctx = contextFor(g, out, passthrough);
      if (DRIVER_CHECKED.has(c.name)) await warnDriver(ctx);
      const r = await command(ctx, args as never);
      code = typeof r === "number" ? r : 0;
    });
    await parser.parseAsync();
  } catch (e) {
    code = out.error(e);
  }
  return code;
}
