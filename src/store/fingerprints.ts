/**
 * The local fingerprint cache (docs/FORMAT.md §12, "Local fingerprint cache"): what the
 * pre-commit hook knows about the vault's secret values — the current ones, and those of the
 * latest commits of every branch (store/window.ts) — without decrypting anything and without
 * plaintext at rest. It lists the values it covers (environment, key, the hash of the value's
 * line in its env file) and holds their fingerprint table (store/matcher.ts); the freshness
 * check tells which current values the table does not cover.
 *
 * This module is on the hook's path: it imports no YAML, no age and no isomorphic-git.
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { ensureLocalDir, readLocal } from "./local.js";
import { FingerprintTable, MIN_SECRET_BYTES, prefilterKey, valueRows } from "./matcher.js";
import { envTexts, workTree } from "./source.js";
import { envPath, LOCAL, VAULT_FILE } from "../model/layout.js";
import { type EnvFile, parseEnvFile, valueLine } from "../model/envfile.js";

/** The cache file's format; a file of another version is rebuilt. */
export const CACHE_VERSION = 2;

export interface CachedEnv {
  /** SHA-256 of the env file the current values were taken from; "" when some value could not be read. */
  sha: string;
  /** Scopes this clone cannot read, with their recipient then: their values are not checked. */
  unreadable: Record<string, string>;
}

/** What the hook needs from vault.yaml, so it does not parse YAML on every commit. */
export interface CachedConfig {
  sha: string;
  /** Variables whose kind is not `secret` (their values are not looked for). */
  public: string[];
  /** Plaintext env files vault.yaml lists (`env_file`), allowed in commits. */
  allow: string[];
  /** Target paths: plaintext written by unlock, never committed. */
  targets: string[];
  /** `pre_commit.history`: how many of the latest commits the hook knows the values of. */
  history: number;
}

/**
 * A value the table's rows refer to, by its index in `values`: environment, key, the first 16
 * hex digits of SHA-256 of its line in the env file (public ciphertext), and 1 for a value of
 * history that is no longer current.
 */
export type CachedValue = [env: string, key: string, line: string, earlier: 0 | 1];

/** The history the earlier values come from (store/window.ts). */
export interface CachedHistory {
  /** The `history` setting it was listed with. */
  depth: number;
  /** The refs' stamp (git/refs.ts) when it was last listed; "" when the refs cannot be stamped. */
  refs: string;
  /** The env-file blobs (versions) whose values `values` holds. */
  blobs: string[];
}

/** The cache file's first line (JSON); the fingerprint table's bytes follow it. */
export interface FingerprintCache {
  version: typeof CACHE_VERSION;
  min: number;
  config?: CachedConfig;
  envs: Record<string, CachedEnv>;
  values: CachedValue[];
  history?: CachedHistory;
  /** Rows of the table. */
  rows: number;
}

/** The cache as read: its first line, and its table. */
export interface LoadedCache {
  data: Omit<FingerprintCache, "rows">;
  table: FingerprintTable;
}

/** A cache that knows no value yet (the first build, or one replacing a damaged file). */
export const emptyCache = (): LoadedCache => ({ data: { version: CACHE_VERSION, min: MIN_SECRET_BYTES, envs: {}, values: [] }, table: FingerprintTable.build([]) });

/** SHA-256 in hex: the cache's hash of whole files (vault.yaml, env files). */
export const sha256Hex = (text: string | Uint8Array): string => createHash("sha256").update(text).digest("hex");

/** What the cache keeps of a value's line (`valueLine`): enough to tell that the line changed. */
export const lineHash = (line: string): string => sha256Hex(line).slice(0, 16);

/** The table starts at a multiple of this many bytes, so that its columns are read in place. */
const TABLE_ALIGN = 8;

/**
 * The cache, or undefined when there is none (or it is damaged, or of another version: it is
 * rebuilt then). One read, one JSON parse of the first line; the table is used where it lies.
 */
export async function loadCache(root: string): Promise<LoadedCache | undefined> {
  try {
    const bytes = (await readLocal(root, LOCAL.fingerprints))?.bytes;
    const eol = bytes?.indexOf(0x0a) ?? -1;
    if (bytes === undefined || eol < 0) return undefined;
    const c = JSON.parse(bytes.toString("utf8", 0, eol)) as FingerprintCache;
    if (c.version !== CACHE_VERSION || c.min !== MIN_SECRET_BYTES || typeof c.envs !== "object" || c.envs === null || !Array.isArray(c.values)) return undefined;
    const table = FingerprintTable.fromBytes(bytes.subarray(eol + 1), c.rows);
    if (table === undefined) return undefined;
    const { rows: _, ...data } = c;
    return { data, table };
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache (mode 0600), only when its bytes changed: the first line, padded with
 * spaces so the table that follows starts aligned, then the table. A cache of version 1 is
 * removed: what it held is in this one.
 */
export async function saveCache(root: string, data: Omit<FingerprintCache, "rows">, table: FingerprintTable): Promise<void> {
  let head = JSON.stringify({ ...data, rows: table.size });
  head += " ".repeat((TABLE_ALIGN - ((Buffer.byteLength(head) + 1) % TABLE_ALIGN)) % TABLE_ALIGN);
  const bytes = Buffer.concat([Buffer.from(`${head}\n`), table.toBytes()]);
  const dir = await ensureLocalDir(root);
  const before = (await readLocal(root, LOCAL.fingerprints).catch(() => undefined))?.bytes;
  if (before === undefined || !before.equals(bytes)) await writeFileAtomic(join(dir, LOCAL.fingerprints), bytes, { mode: 0o600 });
  await rm(join(dir, LOCAL.fingerprintsV1), { force: true });
}

/**
 * A table of values the cache does not hold (this clone's generated values, which never
 * enter the vault), under the environment label `env`; those too short or too plain to look
 * for get no rows.
 */
export function tableOf(env: string, values: ReadonlyMap<string, string>, localKey: Uint8Array): { table: FingerprintTable; values: CachedValue[] } {
  const pk = prefilterKey(localKey);
  const list = [...values];
  return {
    table: FingerprintTable.build(list.map(([, value], i) => ({ value: i, rows: valueRows(value, localKey, pk) }))),
    values: list.map(([key]) => [env, key, "", 0]),
  };
}

/** How far the cache matches the vault in the work tree. */
export interface Freshness {
  /** Environments with values the cache does not cover (count of values). */
  unchecked: Map<string, number>;
  /** Indices of current values whose line changed since the cache was made: what the table knows of them is an earlier value now. */
  stale: Set<number>;
  /** vault.yaml changed since the cache was made. */
  configChanged: boolean;
  /** The text of each environment file of the work tree. */
  envTexts: Map<string, string>;
}

/** An environment file, or undefined when it does not parse (an unresolved merge): its values are then unchecked. */
function parsedOrUndefined(text: string, env: string): EnvFile | undefined {
  try {
    return parseEnvFile(text, envPath(env), env);
  } catch {
    return undefined;
  }
}

/**
 * Compares the cache with the env files and vault.yaml of the work tree: an unchanged file
 * is trusted whole (one SHA-256 of it); a changed one value by value, by the hash of each
 * value's line. Values of scopes this clone cannot read are skipped without a word.
 */
export async function freshness(root: string, cache: LoadedCache | undefined): Promise<Freshness> {
  const tree = workTree(root);
  const configText = (await tree.read(VAULT_FILE)) ?? "";
  const texts = await envTexts(tree);
  const out: Freshness = { unchecked: new Map(), stale: new Set(), configChanged: cache?.data.config === undefined || cache.data.config.sha !== sha256Hex(configText), envTexts: texts };
  let current: Map<string, number> | undefined;
  for (const [env, text] of texts) {
    const cached = cache?.data.envs[env];
    if (cached !== undefined && cached.sha !== "" && cached.sha === sha256Hex(text)) continue;
    const file = parsedOrUndefined(text, env);
    if (file === undefined) {
      out.unchecked.set(env, Math.max(1, text.split("\n").length - 1));
      continue;
    }
    // Only a changed file needs the values one by one: indexed on first use.
    current ??= new Map((cache?.data.values ?? []).flatMap((v, i) => (v[3] === 0 ? [[`${v[0]}\0${v[1]}`, i] as const] : [])));
    const seen = new Set<number>();
    let missing = 0;
    for (const [key, sealed] of file.values) {
      const i = current.get(`${env}\0${key}`);
      if (i !== undefined && cache?.data.values[i]?.[2] === lineHash(valueLine(key, sealed))) {
        seen.add(i);
        continue;
      }
      const scope = file.batches.get(sealed.batch)?.scope;
      const skipped = scope !== undefined && cached?.unreadable[scope] !== undefined && cached.unreadable[scope] === file.scopes.get(scope);
      if (!skipped) missing++;
    }
    for (const [id, i] of current) if (id.startsWith(`${env}\0`) && !seen.has(i)) out.stale.add(i);
    if (missing > 0) out.unchecked.set(env, missing);
  }
  return out;
}
