/**
 * Builds and refreshes the local fingerprint cache (see store/fingerprints.ts). This side
 * decrypts, so it loads the vault (YAML) and age: `unlock`, `set` and `vault hooks refresh`
 * call it, and the pre-commit hook only when the cache is missing or out of date.
 */
import { Tampered, VaultError } from "../errors.js";
import { openValue } from "../crypto/seal.js";
import { localKey } from "../store/state.js";
import { Vault } from "../store/vault.js";
import { envNames, kindOf, targets, VAULT_FILE, type VaultConfig } from "../model/config.js";
import { parseEnvFile, valueLine } from "../model/envfile.js";
import type { Keyring } from "../store/keyring.js";
import { type Deps, optionalKeyring } from "./session.js";
import {
  type CachedConfig,
  type CachedEnv,
  cachedValue,
  emptyCache,
  type FingerprintCache,
  lineHash,
  loadCache,
  prefilterKey,
  saveCache,
  sha256Hex,
} from "../store/fingerprints.js";

/** Plaintext values known to the caller (a `set` by a member who cannot read them back): env → key → value. */
export type KnownValues = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** `env_file` entries anywhere in vault.yaml: a path, a list of paths, or `{ path }` objects. */
function envFilePaths(data: unknown): string[] {
  const out = new Set<string>();
  const visit = (node: unknown, underEnvFile: boolean): void => {
    if (typeof node === "string") {
      if (underEnvFile) out.add(node.replace(/^\.\//, ""));
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, underEnvFile);
    } else if (typeof node === "object" && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        if (k === "env_file") visit(v, true);
        else if (underEnvFile && k === "path") visit(v, true);
        else if (!underEnvFile) visit(v, false);
      }
    }
  };
  visit(data, false);
  return [...out].sort();
}

/** What the hook needs of vault.yaml, so that it never parses YAML while the file is unchanged. */
function configEntry(text: string, cfg: VaultConfig): CachedConfig {
  const vars = Object.keys(cfg.variables ?? {});
  return {
    sha: sha256Hex(text),
    public: vars.filter((k) => kindOf(cfg, k) !== "secret").sort(),
    allow: envFilePaths(cfg),
    targets: targets(cfg).map((t) => t.path.replace(/^\.\//, "")),
  };
}

export interface RefreshReport {
  /** Values fingerprinted (all environments). */
  values: number;
  /** Scopes this identity cannot read. */
  unreadable: string[];
  /** Environments left incomplete (no identity to read them). */
  incomplete: string[];
}

/**
 * Brings the cache up to date with the vault in the work tree. An env file whose bytes did
 * not change is kept as is; in a changed one, only values whose line changed are opened
 * (or taken from `known`). Without a keyring, values that changed stay uncovered and the
 * environment is marked incomplete, so the hook keeps warning until an identity rebuilds it.
 */
export async function updateFingerprints(vault: Vault, keyring: Keyring | undefined, known: KnownValues = new Map()): Promise<RefreshReport> {
  const root = vault.root;
  const key = await localKey(root);
  const pk = prefilterKey(key);
  const old = (await loadCache(root)) ?? emptyCache();
  const cache: FingerprintCache = emptyCache();
  const report: RefreshReport = { values: 0, unreadable: [], incomplete: [] };
  cache.config = configEntry((await vault.source.read(VAULT_FILE)) ?? "", vault.config.data);
  for (const env of envNames(vault.config.data)) {
    const path = Vault.envPath(env);
    const text = await vault.source.read(path);
    if (text === undefined) continue;
    const sha = sha256Hex(text);
    const before = old.envs[env];
    const knownHere = known.get(env);
    if (before !== undefined && before.sha === sha && knownHere === undefined) {
      cache.envs[env] = before;
      report.values += Object.keys(before.keys).length;
      report.unreadable.push(...Object.keys(before.unreadable));
      continue;
    }
    let file;
    try {
      file = parseEnvFile(text, path, env);
    } catch {
      continue; // an unresolved merge: `vault status` explains it; the hook reports it unchecked
    }
    const entry: CachedEnv = { sha, unreadable: {}, keys: {} };
    const readable = new Map<string, boolean>();
    for (const [scope, recipient] of file.scopes) {
      let ok = false;
      if (keyring !== undefined) {
        try {
          ok = await keyring.canRead(file, scope);
        } catch (e) {
          if (!(e instanceof VaultError)) throw e;
        }
        if (!ok) {
          entry.unreadable[scope] = recipient;
          report.unreadable.push(scope);
        }
      }
      readable.set(scope, ok);
    }
    for (const [k, sealed] of file.values) {
      const line = valueLine(k, sealed);
      const prev = before?.keys[k];
      const plain = knownHere?.get(k);
      const scope = file.batches.get(sealed.batch)?.scope;
      if (prev !== undefined && prev.line === lineHash(line) && plain === undefined) {
        entry.keys[k] = prev;
      } else if (plain !== undefined) {
        entry.keys[k] = cachedValue(line, plain, key, pk);
      } else if (keyring !== undefined && scope !== undefined && readable.get(scope) === true) {
        try {
          const valueKey = await keyring.valueKey(file, sealed.batch, k);
          entry.keys[k] = cachedValue(line, openValue({ valueKey, env, scope, key: k, t: sealed.t, payload: sealed.payload }), key, pk);
        } catch (e) {
          if (!(e instanceof Tampered)) throw e;
          entry.sha = ""; // `vault unlock` reports the damage; the hook keeps saying it is unchecked
        }
      } else if (scope === undefined || entry.unreadable[scope] === undefined) {
        entry.sha = "";
      }
    }
    if (entry.sha === "") report.incomplete.push(env);
    report.values += Object.keys(entry.keys).length;
    cache.envs[env] = entry;
  }
  await saveCache(root, cache);
  return report;
}

/** Loads the work tree's vault and the caller's identity (if any), then updates the cache. */
export async function refreshFingerprints(root: string, deps: Deps, known?: KnownValues): Promise<RefreshReport> {
  const vault = await Vault.load(root);
  return updateFingerprints(vault, await optionalKeyring(vault, deps), known);
}

/**
 * {@link refreshFingerprints} after a use case has written values: the write stands whatever
 * happens here, so a failure comes back as a warning for the caller to pass on.
 */
export async function refreshAfterWrite(root: string, deps: Deps, known?: KnownValues): Promise<string[]> {
  try {
    await refreshFingerprints(root, deps, known);
    return [];
  } catch (e) {
    return [`the pre-commit hook's fingerprint cache was not updated: ${(e as Error).message}`];
  }
}
