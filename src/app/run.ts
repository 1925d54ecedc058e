/**
 * `vault run`: a program started with the environment in its environment block (never its
 * argv), every layer applied and the process environment on top, as with dotenv.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { VaultError } from "../errors.js";
import { readEnvironment, type ResolvedEnvironment } from "./environment.js";
import type { Deps, Reading } from "./session.js";

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/** The environment read and checked, ready to start the program once the caller has told the reader what it needs to. */
export interface PreparedRun {
  reading: Reading;
  resolved: ResolvedEnvironment;
  /** Starts the program and settles with its exit code (128 + the signal's number if a signal killed it, like a shell). */
  start(command: readonly string[]): Promise<number>;
}

/** Reads the environment for `vault run`; nothing is started until {@link PreparedRun.start}. */
export async function prepareRun(deps: Deps, o: { context?: string }): Promise<PreparedRun> {
  const { reading, resolved } = await readEnvironment(deps, { ...o, saveGenerated: true, processLayer: true });
  const childEnv: NodeJS.ProcessEnv = { ...deps.processEnv, ...Object.fromEntries(resolved.resolution.values) };
  // The reader's identity is not the child's business.
  delete childEnv.ENVVAULT_IDENTITY;
  return { reading, resolved, start: (command) => startChild(command, childEnv) };
}

function startChild(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [cmd = "", ...rest] = command;
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, rest, { stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of FORWARDED) process.on(s, forward);
    const done = () => {
      for (const s of FORWARDED) process.off(s, forward);
    };
    child.on("error", (e: NodeJS.ErrnoException) => {
      done();
      // The exit statuses a shell gives: 127 not found, 126 found but not runnable.
      const notFound = e.code === "ENOENT";
      const code = notFound ? "COMMAND_NOT_FOUND" : e.code === "EACCES" || e.code === "ENOEXEC" || e.code === "EISDIR" ? "CANNOT_EXECUTE" : "FAILURE";
      reject(
        new VaultError(code, notFound ? `command not found: ${cmd}` : `cannot run ${cmd}: ${e.code ?? e.message}`, {
          hints: [notFound ? "check the command name and your PATH" : "check that it is an executable file (chmod +x) with a valid #! line"],
        }),
      );
    });
    child.on("exit", (code, signal) => {
      done();
      resolve(signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
    });
  });
}
