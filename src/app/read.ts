/** What an environment sees of the vault: its entries (inherited ones included) and their values, opened with the reader's keyring. */
import { Tampered } from "../errors.js";
import { openValue } from "../crypto/seal.js";
import { inheritanceChain } from "../model/config.js";
import type { EnvFile, Entry, OwnValue, SealedValue } from "../model/envfile.js";

export type { Entry, OwnValue } from "../model/envfile.js";
import { Vault } from "../store/vault.js";
import type { Keyring } from "../store/keyring.js";

export interface Resolved extends Entry {
  value: string;
}

/**
 * The variables an environment sees, inherited ones included, nearest definition winning.
 * An environment's `unset` drops what it inherits (its own value, if any, stays).
 */
export async function entries(vault: Vault, env: string): Promise<Map<string, { entry: Entry; file: EnvFile; sealed: SealedValue }>> {
  const cfg = vault.config.data;
  const chain = inheritanceChain(cfg, env).reverse();
  const out = new Map<string, { entry: Entry; file: EnvFile; sealed: SealedValue }>();
  for (const e of chain) {
    for (const key of cfg.environments[e]?.unset ?? []) out.delete(key);
    const file = await vault.envFile(e);
    for (const [key, sealed] of file.values) {
      const scope = file.batches.get(sealed.batch)?.scope;
      if (scope === undefined) {
        const path = Vault.envPath(e);
        throw new Tampered(`${path}: ${key} refers to batch ${sealed.batch}, which the file does not hold`, {
          data: { file: path, key, env: e },
          hints: [`restore ${path} from git; if a merge produced it, run \`vault status\``],
        });
      }
      out.set(key, { entry: { key, env: e, scope, t: sealed.t }, file, sealed });
    }
  }
  return out;
}

/**
 * Decrypts the variables of an environment (all, or only `keys`). Every value is opened
 * before any is returned, so a caller never acts on half an environment.
 */
export async function readEnv(keyring: Keyring, env: string, keys?: readonly string[]): Promise<Map<string, Resolved>> {
  const all = await entries(keyring.vault, env);
  const wanted = keys === undefined ? [...all.keys()].sort() : keys.filter((k) => all.has(k));
  const out = new Map<string, Resolved>();
  for (const key of wanted) {
    const item = all.get(key);
    if (item === undefined) continue;
    const { entry, file, sealed } = item;
    const valueKey = await keyring.valueKey(file, sealed.batch, key);
    const value = openValue({ valueKey, env: entry.env, scope: entry.scope, key, t: sealed.t, payload: sealed.payload });
    out.set(key, { ...entry, value });
  }
  return out;
}

export interface Visible {
  values: Map<string, Resolved>;
  /** Variables in scopes this reader cannot open (`production:payments` for a plain production reader). */
  hidden: Entry[];
}

/**
 * The variables of an environment this reader can open. Reading the environment at all
 * needs its own scope (else NotARecipient, exit 3); values in other scopes the reader holds
 * no key for (a named scope, an ancestor) are left out and listed in `hidden`.
 */
export async function readVisible(keyring: Keyring, env: string): Promise<Visible> {
  await keyring.scopeIdentity(await keyring.vault.envFile(env), env);
  const all = await entries(keyring.vault, env);
  const access = new Map<string, boolean>();
  const hidden: Entry[] = [];
  const wanted: string[] = [];
  for (const [key, { entry, file }] of all) {
    const id = `${entry.env} ${entry.scope}`;
    let ok = access.get(id);
    if (ok === undefined) {
      ok = await keyring.canRead(file, entry.scope);
      access.set(id, ok);
    }
    if (ok) wanted.push(key);
    else hidden.push(entry);
  }
  return { values: await readEnv(keyring, env, wanted), hidden: hidden.sort((a, b) => (a.key < b.key ? -1 : 1)) };
}

/**
 * What each environment of `env`'s inheritance chain holds itself for `key`, root first,
 * shadowed and unset values included: the material of `--explain`.
 */
export async function ownValues(keyring: Keyring, env: string, key: string): Promise<OwnValue[]> {
  const out: OwnValue[] = [];
  for (const e of inheritanceChain(keyring.vault.config.data, env).reverse()) {
    const file = await keyring.vault.envFile(e);
    const sealed = file.values.get(key);
    const scope = sealed === undefined ? undefined : file.batches.get(sealed.batch)?.scope;
    if (sealed === undefined || scope === undefined) continue;
    if (!(await keyring.canRead(file, scope))) {
      out.push({ env: e, value: undefined });
      continue;
    }
    const valueKey = await keyring.valueKey(file, sealed.batch, key);
    out.push({ env: e, value: openValue({ valueKey, env: e, scope, key, t: sealed.t, payload: sealed.payload }) });
  }
  return out;
}
