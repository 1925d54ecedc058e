import { UsageError } from "../../errors.js";
import { printEnvFile } from "../../model/envfile.js";
import { assertKey } from "../../model/names.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { entries } from "../../app/read.js";
import { transaction } from "../../store/transaction.js";
import { applyUpdates, nowSeconds } from "../../app/write.js";
import { chooseEnv, summary } from "../common.js";
import type { Context } from "../context.js";

export async function remove(ctx: Context, args: { keys: string[] }): Promise<void> {
  const keys = [...new Set(args.keys.map(assertKey))];
  const root = findVaultRoot(ctx.cwd);
  const result = await transaction(root, async (vault) => {
    const env = await chooseEnv(vault, ctx);
    const file = await vault.envFile(env);
    const visible = await entries(vault, env);
    for (const key of keys) {
      const from = visible.get(key)?.entry.env;
      if (from !== undefined && from !== env) {
        throw new UsageError(`${key} is inherited by ${env} from ${from}`, {
          data: { key, env },
          hints: [`remove it there: \`vault remove ${key} --env ${from}\``],
        });
      }
    }
    const written = await applyUpdates(undefined, file, [], keys, nowSeconds(ctx.processEnv));
    return { changes: new Map([[Vault.envPath(env), printEnvFile(written.file)]]), result: { env, removed: written.removed } };
  });
  ctx.out.note(`${result.env}: ${summary([], [], result.removed)}`);
  ctx.out.result(result);
}
