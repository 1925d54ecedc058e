import { spawn } from "node:child_process";
import { constants } from "node:os";
import { UsageError, VaultError } from "../../errors.js";
import { assertKey } from "../../vault/names.js";
import { explain } from "../../ops/layers.js";
import { ownValues } from "../../ops/read.js";
import type { Context } from "../context.js";
import { readEnvironment } from "../environment.js";
import { explainJson, renderExplain } from "../explain.js";

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

interface Args {
  context?: string;
  explain?: string;
}

/** yargs gives "" for an option written without its value. */
function checkValues(args: Args): void {
  for (const k of ["context", "explain"] as const) {
    if (args[k] === "") throw new UsageError(`--${k} needs a value`, { hints: [k === "context" ? "e.g. `vault run --context docker -- npm start`" : "e.g. `vault run --explain DATABASE_URL`"] });
  }
}

/**
 * Runs a command with the environment injected through the child's environment block (never
 * its argv): every layer of DESIGN §5, the process environment on top, as with dotenv. Exit
 * codes pass through; a child killed by a signal gives 128 + the signal's number, like a shell.
 * With --explain KEY it runs nothing and prints where KEY comes from.
 */
export async function run(ctx: Context, args: Args): Promise<number> {
  checkValues(args);
  const { context, explain: key } = args;
  const command = ctx.passthrough;
  if (key !== undefined) {
    assertKey(key);
    if (command.length > 0) throw new UsageError("--explain prints where a variable comes from and runs nothing", { hints: ["drop the command, or drop --explain"] });
  } else if (command.length === 0) throw new VaultError("USAGE", "`vault run` needs a command", { hints: ["e.g. `vault run -- npm start`"] });
  const { cfg, env, keyring, resolved } = await readEnvironment(ctx, { ...(context === undefined ? {} : { context }), saveGenerated: key === undefined, processLayer: true });
  if (key !== undefined) {
    const x = explain(cfg, resolved, key, await ownValues(keyring, env, key));
    renderExplain(ctx, cfg, x);
    ctx.out.result(explainJson(cfg, x));
    return 0;
  }
  if (resolved.burned.length > 0) ctx.out.warn(`not injecting burned ${resolved.burned.join(", ")} (\`vault check\` lists what still uses them)`);
  const childEnv: NodeJS.ProcessEnv = { ...ctx.processEnv, ...Object.fromEntries(resolved.resolution.values) };
  // The reader's identity is not the child's business.
  delete childEnv.ENVVAULT_IDENTITY;
  const [cmd = "", ...rest] = command;

  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, rest, { stdio: "inherit", env: childEnv });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of FORWARDED) process.on(s, forward);
    const done = () => {
      for (const s of FORWARDED) process.off(s, forward);
    };
    child.on("error", (e: NodeJS.ErrnoException) => {
      done();
      reject(
        new VaultError("FAILURE", e.code === "ENOENT" ? `command not found: ${cmd}` : `cannot start ${cmd}: ${e.code ?? e.message}`, {
          hints: ["check the command name and your PATH"],
        }),
      );
    });
    child.on("exit", (code, signal) => {
      done();
      resolve(signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
    });
  });
}
