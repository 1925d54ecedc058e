/** The full CLI: the hot commands through the fast parser, everything else through yargs. */
import { splitPassthrough } from "./argv.js";
import { commandModules } from "./commands.js";
import { fullParser } from "./fullparse.js";
import { runFast } from "./hot.js";
import { contextFor, type GlobalArgs, outputFor } from "./launch.js";
import type { CommandName } from "./table.js";

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
      const r = await command(contextFor(g, out, passthrough), args as never);
      code = typeof r === "number" ? r : 0;
    });
    await parser.parseAsync();
  } catch (e) {
    code = out.error(e);
  }
  return code;
}
