/** `vault remove`: variables deleted from the environment in use. */
import { UsageError } from "../errors.js";
import { nowSeconds } from "../io/seams.js";
import { findVaultRoot } from "../store/root.js";
import { loadState } from "../store/state.js";
import { transaction } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import { printEnvFile } from "../model/envfile.js";
import { entries } from "./read.js";
import { chooseEnv, type Deps, signingFor } from "./session.js";
import { applyUpdates } from "./write.js";

export interface Removed {
  env: string;
  removed: string[];
  /** A stale `vault use` choice. */
  warnings: string[];
}

/**
 * Deletes `keys` (each once) from the environment's own file; nothing is decrypted, so no
 * identity is needed. A key the environment only inherits is refused with where to remove it.
 */
export async function removeValues(deps: Deps, o: { keys: readonly string[] }): Promise<Removed> {
  const root = findVaultRoot(deps.cwd);
  return transaction(root, await signingFor(deps), async (vault) => {
    const choice = chooseEnv(vault.config.data, deps.env, await loadState(root));
    const env = choice.env;
    const file = await vault.envFile(env);
    const visible = await entries(vault, env);
    for (const key of o.keys) {
      const from = visible.get(key)?.entry.env;
      if (from !== undefined && from !== env) {
        throw new UsageError(`${key} is inherited by ${env} from ${from}`, {
          data: { key, env },
          hints: [`remove it there: \`vault remove ${key} --env ${from}\``],
        });
      }
    }
    const written = await applyUpdates(undefined, file, [], o.keys, nowSeconds(deps.processEnv));
    return {
      changes: new Map([[Vault.envPath(env), printEnvFile(written.file)]]),
      result: { env, removed: written.removed, warnings: choice.stale === undefined ? [] : [choice.stale] },
    };
  });
}
