/**
 * The local fingerprint cache (docs/FORMAT.md "Local fingerprint cache"): what the
 * pre-commit hook knows about current secret values without decrypting anything and
 * without plaintext at rest. For each value it holds a keyed hash (HMAC-SHA256 under this
 * clone's key, as `fingerprint` in crypto/seal.ts), the value's length, and a 32-bit keyed
 * prefilter tag of its first 8 bytes (HalfSipHash-2-4 under a key derived from the clone's
 * key). The hook computes the prefilter at every byte of staged text; only on a hit does it
 * hash the candidate of each recorded length and compare.
 *
 * This module is on the hook's path: it imports no YAML, no age and no isomorphic-git.
 */
import { createHash, hkdfSync } from "node:crypto";
import { join } from "node:path";
import { fingerprint } from "../crypto/seal.js";
import { writeFileAtomicIfChanged } from "../io/atomic.js";
import { ensureLocalDir, readLocalText } from "./local.js";
import { envTexts, workTree } from "./source.js";
import { envPath, LOCAL, VAULT_FILE } from "../model/layout.js";
import { type EnvFile, parseEnvFile, valueLine } from "../model/envfile.js";
import { halfSipHash32, halfSipKey, type HalfSipKey, scanWindows } from "../crypto/halfsiphash.js";

/** Values shorter than this many UTF-8 bytes are not fingerprinted (`true`, `8080`, `info`). */
export const MIN_SECRET_BYTES = 8;
/** The prefilter covers a value's first bytes: exactly the minimum length. */
export const PREFILTER_BYTES = MIN_SECRET_BYTES;
const PREFILTER_INFO = "envvault/v1/local-prefilter";

/** One value of an environment file, as the cache remembers it. */
export interface CachedValue {
  /** First 16 hex digits of SHA-256 of the value's line in the env file (public ciphertext). */
  line: string;
  /** UTF-8 length of the value. */
  len: number;
  /** Prefilter tag of the first 8 bytes; absent when the value is not fingerprinted. */
  pre?: number;
  /** `fingerprint(localKey, value)`; absent when the value is not fingerprinted. */
  fp?: string;
}

export interface CachedEnv {
  /** SHA-256 of the env file the entries were made from; "" when some value could not be read. */
  sha: string;
  /** Scopes this clone cannot read, with their recipient then: their values are not checked. */
  unreadable: Record<string, string>;
  keys: Record<string, CachedValue>;
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
}

export interface FingerprintCache {
  version: 1;
  min: number;
  config?: CachedConfig;
  envs: Record<string, CachedEnv>;
}

/** A cache that knows no value yet (the first build, or one replacing a damaged file). */
export const emptyCache = (): FingerprintCache => ({ version: 1, min: MIN_SECRET_BYTES, envs: {} });

/** SHA-256 in hex: the cache's hash of whole files (vault.yaml, env files). */
export const sha256Hex = (text: string | Uint8Array): string => createHash("sha256").update(text).digest("hex");

/** What the cache keeps of a value's line (`valueLine`): enough to tell that the line changed. */
export const lineHash = (line: string): string => sha256Hex(line).slice(0, 16);

/**
 * Whether a value is looked for in staged files: at least 8 UTF-8 bytes, and not only
 * letters or only digits (such a value is a word or a number of ordinary text: `production`,
 * `changeme`, `20240101`).
 */
export function fingerprintable(value: string): boolean {
  return Buffer.byteLength(value, "utf8") >= MIN_SECRET_BYTES && !/^(?:[A-Za-z]+|[0-9]+)$/.test(value);
}

/** The prefilter's key: 8 bytes of HKDF-SHA256 of the clone key. */
export function prefilterKey(localKey: Uint8Array): HalfSipKey {
  return halfSipKey(new Uint8Array(hkdfSync("sha256", localKey, new Uint8Array(0), PREFILTER_INFO, 8)));
}

/** The tags of one value the hook looks for: none when it is too short or too plain. */
function valueTags(value: string, localKey: Uint8Array, pk: HalfSipKey): Pick<CachedValue, "len" | "pre" | "fp"> {
  const bytes = Buffer.from(value, "utf8");
  const tags: Pick<CachedValue, "len" | "pre" | "fp"> = { len: bytes.length };
  if (fingerprintable(value)) {
    tags.pre = halfSipHash32(pk, bytes.subarray(0, PREFILTER_BYTES));
    tags.fp = fingerprint(localKey, value);
  }
  bytes.fill(0);
  return tags;
}

/** The cache entry of one value. */
export function cachedValue(line: string, value: string, localKey: Uint8Array, pk: HalfSipKey): CachedValue {
  return { line: lineHash(line), ...valueTags(value, localKey, pk) };
}

/** The cache, or undefined when there is none (or it is damaged: it is rebuilt then). */
export async function loadCache(root: string): Promise<FingerprintCache | undefined> {
  try {
    const c = JSON.parse((await readLocalText(root, LOCAL.fingerprints)) ?? "") as FingerprintCache;
    return c.version === 1 && c.min === MIN_SECRET_BYTES && typeof c.envs === "object" && c.envs !== null ? c : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the cache (mode 0600), only when its bytes changed. */
export async function saveCache(root: string, cache: FingerprintCache): Promise<void> {
  await writeFileAtomicIfChanged(join(await ensureLocalDir(root), LOCAL.fingerprints), JSON.stringify(cache) + "\n", { mode: 0o600 });
}

/** A secret the hook looks for. */
export interface KnownSecret {
  env: string;
  key: string;
  len: number;
  pre: number;
  fp: string;
}

/**
 * Values the hook looks for that the cache does not hold (this clone's generated values,
 * which never enter the vault), by key; those too short or too plain to look for are left out.
 */
export function knownSecrets(env: string, values: ReadonlyMap<string, string>, localKey: Uint8Array): KnownSecret[] {
  const pk = prefilterKey(localKey);
  return [...values].flatMap(([key, value]) => {
    const { len, pre, fp } = valueTags(value, localKey, pk);
    return pre === undefined || fp === undefined ? [] : [{ env, key, len, pre, fp }];
  });
}

/** How far the cache matches the vault in the work tree. */
export interface Freshness {
  secrets: KnownSecret[];
  /** Environments with values the cache does not cover (count of values). */
  unchecked: Map<string, number>;
  /** vault.yaml changed since the cache was made. */
  configChanged: boolean;
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
export async function freshness(root: string, cache: FingerprintCache | undefined): Promise<Freshness> {
  const out: Freshness = { secrets: [], unchecked: new Map(), configChanged: false };
  const tree = workTree(root);
  const configText = (await tree.read(VAULT_FILE)) ?? "";
  out.configChanged = cache?.config === undefined || cache.config.sha !== sha256Hex(configText);
  const publicKeys = new Set(cache?.config?.public ?? []);
  for (const [env, text] of await envTexts(tree)) {
    const cached = cache?.envs[env];
    const add = (key: string, v: CachedValue) => {
      if (v.pre !== undefined && v.fp !== undefined && !publicKeys.has(key)) out.secrets.push({ env, key, len: v.len, pre: v.pre, fp: v.fp });
    };
    if (cached !== undefined && cached.sha !== "" && cached.sha === sha256Hex(text)) {
      for (const [key, v] of Object.entries(cached.keys)) add(key, v);
      continue;
    }
    const file = parsedOrUndefined(text, env);
    if (file === undefined) {
      out.unchecked.set(env, Math.max(1, text.split("\n").length - 1));
      continue;
    }
    let missing = 0;
    for (const [key, sealed] of file.values) {
      const v = cached?.keys[key];
      if (v !== undefined && v.line === lineHash(valueLine(key, sealed))) {
        add(key, v);
        continue;
      }
      const scope = file.batches.get(sealed.batch)?.scope;
      const skipped = scope !== undefined && cached?.unreadable[scope] !== undefined && cached.unreadable[scope] === file.scopes.get(scope);
      if (!skipped) missing++;
    }
    if (missing > 0) out.unchecked.set(env, missing);
  }
  return out;
}

/** Where a known secret occurs in a text. */
export interface SecretHit {
  offset: number;
  length: number;
  secrets: KnownSecret[];
}

/**
 * Finds known secrets in bytes: the prefilter at every position (a 64 Kbit bitmap of the
 * tags' low bits first, then the exact tag), then the keyed hash of the candidate of each
 * length recorded under that tag.
 */
export class SecretMatcher {
  private readonly filter = new Uint8Array(8192);
  private readonly byTag = new Map<number, Map<number, Map<string, KnownSecret[]>>>();
  private readonly pk: HalfSipKey;

  constructor(
    private readonly localKey: Uint8Array,
    secrets: readonly KnownSecret[],
  ) {
    this.pk = prefilterKey(localKey);
    for (const s of secrets) {
      this.filter[(s.pre & 0xffff) >>> 3]! |= 1 << (s.pre & 7);
      let byLen = this.byTag.get(s.pre);
      if (byLen === undefined) this.byTag.set(s.pre, (byLen = new Map()));
      let byFp = byLen.get(s.len);
      if (byFp === undefined) byLen.set(s.len, (byFp = new Map()));
      byFp.set(s.fp, [...(byFp.get(s.fp) ?? []), s]);
    }
  }

  /** Every occurrence of a known secret in `bytes`, by byte offset. */
  find(bytes: Uint8Array): SecretHit[] {
    const hits: SecretHit[] = [];
    if (this.byTag.size === 0) return hits;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    scanWindows(this.pk, bytes, this.filter, (at, tag) => {
      const byLen = this.byTag.get(tag);
      if (byLen === undefined) return;
      for (const [len, byFp] of byLen) {
        if (at + len > bytes.length) continue;
        // A candidate that is not valid UTF-8 decodes to U+FFFD and cannot match; a real
        // occurrence of a value decodes to exactly that value.
        const found = byFp.get(fingerprint(this.localKey, buf.toString("utf8", at, at + len)));
        if (found !== undefined) hits.push({ offset: at, length: len, secrets: found });
      }
    });
    return hits;
  }
}
