import { fstatSync } from "node:fs";
import { resolve } from "node:path";
import type { Context } from "./context.js";
import { FdSink, Output } from "./output.js";

/** The global options every command takes. */
export interface GlobalArgs {
  env?: string;
  identity?: string;
  json: boolean;
  quiet: boolean;
  cwd?: string;
  color: boolean;
  debug: boolean;
  /** `--allow-unverified` (yargs and the fast parser both give the camel-case name). */
  allowUnverified?: boolean;
}

function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false; // closed
  }
}

/** Decided on the first coloured write: asking whether stderr is a terminal makes `process.stderr`. */
function useColor(g: { color: boolean }): () => boolean {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return () => g.color && !noColor && process.stderr.isTTY === true;
}

export function contextFor(g: GlobalArgs, out: Output, passthrough: string[]): Context {
  // `process.stdin` is made on first use, and making it loads Node's stream machinery (and
  // net and tty on a terminal): only the commands that read it or prompt pay for it.
  return {
    cwd: resolve(g.cwd ?? process.cwd()),
    ...(g.env === undefined ? {} : { env: g.env }),
    ...(g.identity === undefined ? {} : { identityFile: resolve(g.identity) }),
    json: g.json,
    quiet: g.quiet,
    debug: g.debug,
    ...(g.allowUnverified === true ? { allowUnverified: true } : {}),
    out,
    processEnv: process.env,
    get stdin() {
      return process.stdin;
    },
    get interactive() {
      if (process.env.CI) return false;
      // Asking process.stdin costs ≈ 3 ms (making it loads net or tty): a stderr that is no
      // character device (a pipe, a file: hooks, scripts, CI) settles it without that.
      if (!isCharacterDevice(2)) return false;
      return process.stdin.isTTY === true && process.stderr.isTTY === true;
    },
    passthrough,
  };
}

// Standard output and error through their descriptors (see FdSink): the real streams are
// made only if a write fails, or when a command asks for one itself.
const stdoutSink = new FdSink(1, () => process.stdout);
const stderrSink = new FdSink(2, () => process.stderr);

/** ENVVAULT_DEBUG=1 is --debug for a run whose command line cannot be changed (a git hook, a merge driver). */
export const outputFor = (g: GlobalArgs) =>
  new Output({ json: g.json, quiet: g.quiet, color: useColor(g), debug: g.debug || process.env.ENVVAULT_DEBUG === "1", stdout: stdoutSink, stderr: stderrSink });
