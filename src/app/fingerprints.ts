/**
 * Builds and refreshes the local fingerprint cache (see store/fingerprints.ts). This side
 * decrypts, so it loads the vault (YAML) and age: `unlock`, `set` and `vault hooks refresh`
 * call it, and the pre-commit hook only when the cache is missing or out of date. Current
 * values are opened here; earlier values of history in app/earlier.ts.
 */
import { Tampered, VaultError } from "../errors.js";
import { openValue } from "../crypto/seal.js";
import { refsStamp } from "../git/refs.js";
import { findGitRoot } from "../store/root.js";
import { localKey } from "../store/state.js";
import { Vault } from "../store/vault.js";
import { envNames, historyDepth, kindOf, targets, VAULT_FILE, type VaultConfig } from "../model/config.js";
import { type EnvFile, parseEnvFile, valueLine } from "../model/envfile.js";
import type { Keyring } from "../store/keyring.js";
import { type Deps, optionalKeyring } from "./session.js";
import { type CachedConfig, type CachedEnv, type CachedValue, emptyCache, lineHash, loadCache, type LoadedCache, saveCache, sha256Hex } from "../store/fingerprints.js";
import { FingerprintTable, prefilterKey, type Row, valueRows } from "../store/matcher.js";
import { earlierValues, valueId, type ValueRows } from "./earlier.js";

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
    history: historyDepth(cfg),
  };
}

export interface RefreshReport {
  /** Values fingerprinted (all environments). */
  values: number;
  /** Earlier values of the history the cache knows besides them (not counting a current value sealed again under a new key). */
  earlier: number;
  /** Commits of history looked at (`pre_commit.history`). */
  history: number;
  /** Scopes this identity cannot read. */
  unreadable: string[];
  /** Environments left incomplete (no identity to read them). */
  incomplete: string[];
}

/**
 * Brings the cache up to date with the vault in the work tree and its history. An env file
 * whose bytes did not change is kept as is; in a changed one, only values whose line changed
 * are opened (or taken from `known`). Without a keyring, values that changed stay uncovered
 * and the environment is marked incomplete, so the hook keeps warning until an identity
 * rebuilds it. `full` reads every env-file version of the history again.
 */
export async function updateFingerprints(vault: Vault, keyring: Keyring | undefined, known: KnownValues = new Map(), o: { full?: boolean } = {}): Promise<RefreshReport> {
  const root = vault.root;
  const key = await localKey(root);
  const pk = prefilterKey(key);
  const old = (await loadCache(root)) ?? emptyCache();
  const config = configEntry((await vault.source.read(VAULT_FILE)) ?? "", vault.config.data);
  const texts = new Map<string, string>();
  for (const env of envNames(vault.config.data)) {
    const text = await vault.source.read(Vault.envPath(env));
    if (text !== undefined) texts.set(env, text);
  }
  const top = findGitRoot(root) === root ? root : undefined;
  if (o.full !== true && known.size === 0 && (await unchanged(old, config, texts, top))) return reportOf(old);
  const oldIndex = new Map(old.data.values.map(([env, k, line], i) => [valueId(env, k, line), i]));
  const envs: Record<string, CachedEnv> = {};
  const current: ValueRows[] = [];
  const parsed = new Map<string, EnvFile | undefined>();
  // Parsed when needed: an unchanged file only for the scope keys of its earlier versions.
  const currentFile = (env: string): EnvFile | undefined => {
    if (!parsed.has(env)) {
      try {
        parsed.set(env, parseEnvFile(texts.get(env) ?? "", Vault.envPath(env), env));
      } catch {
        parsed.set(env, undefined);
      }
    }
    return parsed.get(env);
  };
  const report: RefreshReport = { values: 0, earlier: 0, history: config.history, unreadable: [], incomplete: [] };
  for (const [env, text] of texts) {
    const sha = sha256Hex(text);
    const before = old.data.envs[env];
    const knownHere = known.get(env);
    if (before !== undefined && before.sha === sha && knownHere === undefined) {
      // The file is as the cache knew it: its values are taken over without a look at their lines.
      old.data.values.forEach(([e, k, line, earlier], i) => {
        if (e === env && earlier === 0) current.push({ value: [e, k, line, 0], old: i });
      });
      envs[env] = before;
      report.unreadable.push(...Object.keys(before.unreadable));
      continue;
    }
    const file = currentFile(env);
    if (file === undefined) continue; // an unresolved merge: `vault status` explains it; the hook reports it unchecked
    const entry: CachedEnv = { sha, unreadable: {} };
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
      const line = lineHash(valueLine(k, sealed));
      const prev = oldIndex.get(valueId(env, k, line));
      const plain = knownHere?.get(k);
      const scope = file.batches.get(sealed.batch)?.scope;
      if (prev !== undefined && plain === undefined) {
        current.push({ value: [env, k, line, 0], old: prev });
      } else if (plain !== undefined) {
        current.push({ value: [env, k, line, 0], rows: valueRows(plain, key, pk) });
      } else if (keyring !== undefined && scope !== undefined && readable.get(scope) === true) {
        try {
          const valueKey = await keyring.valueKey(file, sealed.batch, k);
          current.push({ value: [env, k, line, 0], rows: valueRows(openValue({ valueKey, env, scope, key: k, t: sealed.t, payload: sealed.payload }), key, pk) });
        } catch (e) {
          if (!(e instanceof Tampered)) throw e;
          entry.sha = ""; // `vault unlock` reports the damage; the hook keeps saying it is unchecked
        }
      } else if (scope === undefined || entry.unreadable[scope] === undefined) {
        entry.sha = "";
      }
    }
    if (entry.sha === "") report.incomplete.push(env);
    envs[env] = entry;
  }
  const earlier = await earlierValues({
    top,
    depth: config.history,
    old,
    oldIndex,
    current: new Set(current.map(({ value: [env, k, line] }) => valueId(env, k, line))),
    currentFile,
    keyring,
    localKey: key,
    pk,
    full: o.full === true,
  });
  const all = [...current, ...earlier.values];
  // Values as the old cache had them, in its order (a ref moved, nothing new): its table stands.
  const same = all.length === old.data.values.length && all.every((v, i) => v.old === i && v.value.every((x, j) => x === old.data.values[i]![j]));
  let byIndex: Map<number, Row[]> | undefined;
  const rowsOf = (v: ValueRows) => v.rows ?? (byIndex ??= old.table.rowsByValue()).get(v.old ?? -1) ?? [];
  const table = same ? old.table : FingerprintTable.build(all.map((v, i) => ({ value: i, rows: rowsOf(v) })));
  report.values = current.length;
  report.earlier = distinctEarlier(all.map((v) => v.value), table);
  await saveCache(root, { version: old.data.version, min: old.data.min, config, envs, values: all.map((v) => v.value), ...(earlier.history === undefined ? {} : { history: earlier.history }) }, table);
  return report;
}

/**
 * Whether the cache is as this vault would make it: the same vault.yaml and env files, every
 * value read, and no ref moved. A `vault unlock` that changes nothing then costs no table.
 */
async function unchanged(old: LoadedCache, config: CachedConfig, texts: ReadonlyMap<string, string>, top: string | undefined): Promise<boolean> {
  if (JSON.stringify(old.data.config) !== JSON.stringify(config) || Object.keys(old.data.envs).length !== texts.size) return false;
  for (const [env, text] of texts) {
    const sha = old.data.envs[env]?.sha;
    if (sha === undefined || sha === "" || sha !== sha256Hex(text)) return false;
  }
  if (top === undefined || config.history === 0) return old.data.history === undefined;
  const h = old.data.history;
  return h !== undefined && h.depth === config.history && h.refs !== "" && h.refs === refsStamp(top);
}

/** The report of a cache that needed nothing. */
function reportOf(cache: LoadedCache): RefreshReport {
  const unreadable = Object.values(cache.data.envs).flatMap((e) => Object.keys(e.unreadable));
  const current = cache.data.values.filter((v) => v[3] === 0).length;
  return { values: current, earlier: distinctEarlier(cache.data.values, cache.table), history: cache.data.config?.history ?? 0, unreadable, incomplete: [] };
}

/**
 * How many earlier values the table looks for that are not a current value of the same key:
 * a new scope key seals every value again, and the older line of an unchanged value is no
 * earlier value to speak of (its rows stay: the same key may change later).
 */
function distinctEarlier(values: readonly CachedValue[], table: FingerprintTable): number {
  const current = new Set<string>();
  const earlier = new Set<string>();
  for (let i = 0; i < table.size; i++) {
    if (table.encoding(i) !== "raw") continue;
    const v = values[table.values[i]!];
    if (v === undefined) continue;
    const id = `${v[0]}\0${v[1]}\0${table.hash(i).toString("hex")}`;
    (v[3] === 0 ? current : earlier).add(id);
  }
  return [...earlier].filter((id) => !current.has(id)).length;
}

/** Loads the work tree's vault and the caller's identity (if any), then updates the cache. */
export async function refreshFingerprints(root: string, deps: Deps, known?: KnownValues, o: { full?: boolean } = {}): Promise<RefreshReport> {
  const vault = await Vault.load(root);
  return updateFingerprints(vault, await optionalKeyring(vault, deps), known, o);
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
