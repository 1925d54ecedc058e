import { resolve } from "node:path";
import type { Argv } from "yargs";
import { UsageError } from "../errors.js";
import { commands } from "./commands.js";
import type { Context } from "./context.js";
import { parseFast } from "./fastpath.js";
import { FdSink, Output } from "./output.js";
import { VERSION } from "./version.js";

interface GlobalArgs {
  env?: string;
  identity?: string;
  json: boolean;
  quiet: boolean;
  cwd?: string;
  color: boolean;
  debug: boolean;
}

const VALUE_OPTIONS = new Set(["--env", "-e", "--identity", "--cwd"]);

/**
 * Splits `vault [opts] run [opts] [--] CMD…` so that CMD and its own options never reach
 * the option parser: the first word after `run` that is not one of our options starts CMD.
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

/** Decided on the first coloured write: asking whether stderr is a terminal makes `process.stderr`. */
function useColor(g: { color: boolean }): () => boolean {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return () => g.color && !noColor && process.stderr.isTTY === true;
}

function contextFor(g: GlobalArgs, out: Output, passthrough: string[]): Context {
  // `process.stdin` is made on first use, and making it loads Node's stream machinery (and
  // net and tty on a terminal): only the commands that read it or prompt pay for it.
  return {
    cwd: resolve(g.cwd ?? process.cwd()),
    ...(g.env === undefined ? {} : { env: g.env }),
    ...(g.identity === undefined ? {} : { identityFile: resolve(g.identity) }),
    json: g.json,
    quiet: g.quiet,
    debug: g.debug,
    out,
    processEnv: process.env,
    get stdin() {
      return process.stdin;
    },
    get interactive() {
      return process.stdin.isTTY === true && process.stderr.isTTY === true && !process.env.CI;
    },
    passthrough,
  };
}

// Standard output and error through their descriptors (see FdSink): the real streams are
// made only if a write fails, or when a command asks for one itself.
const stdoutSink = new FdSink(1, () => process.stdout);
const stderrSink = new FdSink(2, () => process.stderr);

const outputFor = (g: GlobalArgs) => new Output({ json: g.json, quiet: g.quiet, color: useColor(g), stdout: stdoutSink, stderr: stderrSink });

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function run(fullArgv: string[]): Promise<number> {
  const { argv, passthrough } = splitPassthrough(fullArgv);
  const fast = parseFast(argv);
  if (fast !== undefined) {
    const out = outputFor(fast.globals);
    try {
      const command = commands.find((c) => c.command.split(" ")[0] === fast.name);
      if (command === undefined) throw new UsageError(`unknown command ${fast.name}`);
      const r = await (await command.load())(contextFor(fast.globals, out, passthrough), fast.args as never);
      return typeof r === "number" ? r : 0;
    } catch (e) {
      return out.error(e);
    }
  }
  return runWithYargs(argv, passthrough);
}

async function runWithYargs(argv: string[], passthrough: string[]): Promise<number> {
  let out = outputFor({ json: argv.includes("--json"), quiet: false, color: !argv.includes("--no-color"), debug: false });
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
