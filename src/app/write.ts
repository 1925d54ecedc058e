/**
 * How every writer of values seals them into an environment file (`set`, `import`, `edit`,
 * `remove`, `init`'s adoption, rotations), and what such a write changes besides.
 */
import { UsageError } from "../errors.js";
import { deriveValueKey, newBatchKey, openValue, sealValue } from "../crypto/seal.js";
import { wrapBatchKey } from "../crypto/scopekey.js";
import { type EnvFile, printEnvFile, pruneBatches, scopeOf } from "../model/envfile.js";
import { assertKey } from "../model/names.js";
import { stillExposed, updateExposures } from "../store/exposures.js";
import type { Changes } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import type { Keyring } from "../store/keyring.js";

export interface Update {
  key: string;
  value: string;
  /** The scope to store the key in; default: where it is now, else the environment's own scope. */
  scope?: string;
}

export interface WriteResult {
  file: EnvFile;
  added: string[];
  changed: string[];
  unchanged: string[];
  removed: string[];
}

/**
 * Past this many batches in one scope, a writer who can read the scope seals all of its
 * values under one new batch, so readers never open more than this many age files per scope.
 */
export const MAX_BATCHES_PER_SCOPE = 16;

/**
 * Seals `updates` into an environment file and drops `removals`. Values go under a new
 * batch per scope drawn for this write: reusing a batch found in the file would be unsafe,
 * because a write-only member may have drawn it and so know its key. A reader's unchanged
 * value is left as it is, so re-running a command changes no byte.
 */
export async function applyUpdates(
  keyring: Keyring | undefined,
  file: EnvFile,
  updates: readonly Update[],
  removals: readonly string[],
  now: number,
): Promise<WriteResult> {
  const path = Vault.envPath(file.env);
  const values = new Map(file.values);
  const batches = new Map(file.batches);
  // A key set again after a removal is no longer removed: a file holds one line per key.
  const removed = new Map(file.removed);
  const result: WriteResult = { file, added: [], changed: [], unchanged: [], removed: [] };

  for (const key of removals) {
    if (!values.delete(key)) {
      throw new UsageError(`${file.env} has no variable ${key} to remove`, {
        data: { key, env: file.env, file: path },
        hints: ["`vault list` shows the variables of an environment"],
      });
    }
    result.removed.push(key);
  }

  const byScope = new Map<string, Update[]>();
  for (const u of updates) {
    assertKey(u.key);
    const scope = u.scope ?? scopeOf(file, u.key) ?? file.env;
    if (!file.scopes.has(scope)) {
      throw new UsageError(`environment ${file.env} has no scope ${scope}`, {
        data: { scope, env: file.env, key: u.key },
        hints: [`scopes of ${file.env}: ${[...file.scopes.keys()].join(", ")}`],
      });
    }
    byScope.set(scope, [...(byScope.get(scope) ?? []), { ...u, scope }]);
  }

  for (const [scope, list] of [...byScope].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const readable = keyring !== undefined && (await keyring.canRead(file, scope));
    const pending: Update[] = [];
    for (const u of list) {
      const old = file.values.get(u.key);
      const oldScope = scopeOf(file, u.key);
      if (old !== undefined && readable && oldScope === scope && keyring !== undefined) {
        const valueKey = await keyring.valueKey(file, old.batch, u.key);
        const current = openValue({ valueKey, env: file.env, scope, key: u.key, t: old.t, payload: old.payload });
        if (current === u.value) {
          result.unchanged.push(u.key);
          continue;
        }
      }
      pending.push(u);
    }
    const inScope = [...batches].filter(([, b]) => b.scope === scope).length;
    const compact = readable && keyring !== undefined && inScope + (pending.length > 0 ? 1 : 0) > MAX_BATCHES_PER_SCOPE;
    if (pending.length === 0 && !compact) continue;

    const recipient = file.scopes.get(scope) ?? "";
    const batchKey = newBatchKey();
    const wrapped = await wrapBatchKey(batchKey, recipient);
    batches.set(wrapped.id, { scope, age: wrapped.b64 });
    const valueKey = deriveValueKey(batchKey);
    const seal = (key: string, value: string, t: number) => {
      removed.delete(key);
      values.set(key, { batch: wrapped.id, t, payload: sealValue({ valueKey, env: file.env, scope, key, t, plaintext: value }) });
    };

    if (compact && keyring !== undefined) {
      for (const [key, v] of file.values) {
        if (scopeOf(file, key) !== scope || pending.some((u) => u.key === key) || !values.has(key)) continue;
        const vk = await keyring.valueKey(file, v.batch, key);
        seal(key, openValue({ valueKey: vk, env: file.env, scope, key, t: v.t, payload: v.payload }), v.t);
      }
    }
    for (const u of pending) {
      (file.values.has(u.key) ? result.changed : result.added).push(u.key);
      seal(u.key, u.value, now);
    }
  }

  result.file = pruneBatches({ ...file, values, batches, removed });
  for (const list of [result.added, result.changed, result.unchanged, result.removed]) list.sort();
  return result;
}

/**
 * The files a write of values changes: the environment file, and the exposure records of
 * the values it replaced (a new value is no longer the one that was exposed).
 */
export async function writtenChanges(vault: Vault, written: WriteResult): Promise<Changes> {
  const env = written.file.env;
  const changes: Changes = new Map([[Vault.envPath(env), printEnvFile(written.file)]]);
  await updateExposures(vault, changes, [], stillExposed(written.file.values, env));
  return changes;
}
