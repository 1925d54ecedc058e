import { spawn } from "node:child_process";
import { constants } from "node:os";
import { VaultError } from "../../errors.js";
import { burnedOf } from "../../vault/config.js";
import { readVisible } from "../../ops/read.js";
import { keyringFor, openVault, whoAmI } from "../../ops/session.js";
import { chooseEnv, warnHidden, where } from "../common.js";
import type { Context } from "../context.js";

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/**
 * Runs a command with the environment injected through the child's environment block (never
 * its argv). The process environment wins over the vault, as with dotenv. Exit codes pass
 * through; a child killed by a signal gives 128 + the signal's number, like a shell.
 */
export async function run(ctx: Context): Promise<number> {
  const [cmd, ...rest] = ctx.passthrough;
  if (cmd === undefined) throw new VaultError("USAGE", "`vault run` needs a command", { hints: ["e.g. `vault run -- npm start`"] });
  const vault = await openVault(where(ctx));
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(where(ctx)));
  const { values, hidden } = await readVisible(keyring, env);
  warnHidden(ctx, env, hidden);
  const childEnv: NodeJS.ProcessEnv = {};
  const burned: string[] = [];
  for (const [k, r] of values) {
    if (burnedOf(vault.config.data, k) !== undefined) burned.push(k);
    else childEnv[k] = r.value;
  }
  if (burned.length > 0) ctx.out.warn(`not injecting burned ${burned.join(", ")} (\`vault check\` lists what still uses them)`);
  Object.assign(childEnv, ctx.processEnv);
  // The reader's identity is not the child's business.
  delete childEnv.ENVVAULT_IDENTITY;

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
