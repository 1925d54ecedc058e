import type { Argv } from "yargs";
import { UsageError } from "../errors.js";
import { splitPassthrough } from "./argv.js";
import { commands } from "./commands.js";
import { runFast } from "./fast.js";
import { contextFor, type GlobalArgs, outputFor } from "./launch.js";
import { VERSION } from "./version.js";

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
    const parser = yargs(argv)
      .scriptName("vault")
      .usage("$0 <command> [options]\n\nTeam environment variables, encrypted in the git repository.")
      .parserConfiguration({ "parse-numbers": false, "parse-positional-numbers": false })
      .option("env", { alias: "e", type: "string", describe: "Environment to work on", global: true })
      .option("identity", { type: "string", describe: "age identity file to decrypt with", global: true })
      .option("json", { type: "boolean", default: false, describe: "Machine-readable output on stdout", global: true })
      .option("quiet", { alias: "q", type: "boolean", default: false, describe: "Print only results and errors", global: true })
      .option("cwd", { type: "string", describe: "Run as if started in DIR", global: true })
      .option("color", { type: "boolean", default: true, describe: "Colored output (--no-color, or NO_COLOR, turns it off)", global: true })
      .option("debug", { type: "boolean", default: false, describe: "Explain more of what happens", global: true })
      .option("allow-unverified", { type: "boolean", describe: "Read a vault that fails verification, with a warning (recovery only)", global: true })
      .strict()
      .demandCommand(1, "name a command; `vault --help` lists them")
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
    for (const c of commands) {
      parser.command(c.command, c.describe, c.builder as (y: Argv) => Argv, async (args) => {
        const g = args as unknown as GlobalArgs;
        out = outputFor(g);
        const r = await (await c.load())(contextFor(g, out, passthrough), args as never);
        code = typeof r === "number" ? r : 0;
      });
    }
    await parser.parseAsync();
  } catch (e) {
    code = out.error(e);
  }
  return code;
}
