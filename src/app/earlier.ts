/**
 * The earlier values of the fingerprint cache (docs/FORMAT.md §12): the values of the
 * latest `pre_commit.history` commits of every branch (store/window.ts) that are not current
 * any more — a rotated-out secret is still a secret. Each env-file version is read once; in
 * it, only lines the cache has never seen are decrypted, with the scope key the version names
 * (a new scope key leaves older values under the older one, whose key files the history still
 * holds). What this member could not read then is skipped without a word.
 */
import { NotARecipient, Tampered, VaultError } from "../errors.js";
import { deriveValueKey, openValue } from "../crypto/seal.js";
import { unwrapBatchKey, unwrapScopeKey } from "../crypto/scopekey.js";
import type { HalfSipKey } from "../crypto/halfsiphash.js";
import { objectContents } from "../git/objects.js";
import { refsStamp } from "../git/refs.js";
import { type EnvFile, parseEnvFile, type SealedValue, valueLine } from "../model/envfile.js";
import { envPath, keyPath } from "../model/layout.js";
import { type CachedHistory, type CachedValue, lineHash, type LoadedCache } from "../store/fingerprints.js";
import type { Keyring } from "../store/keyring.js";
import { type Row, valueRows } from "../store/matcher.js";
import { listWindow } from "../store/window.js";

/** A value of the next cache: its rows, or the index of the same value in the old cache (whose rows it keeps). */
export interface ValueRows {
  value: CachedValue;
  rows?: Row[];
  old?: number;
}

/** `env\0key\0line`: a value's identity across caches (the same line is the same value). */
export const valueId = (env: string, key: string, line: string): string => `${env}\0${key}\0${line}`;

/** Scope keys of the history for one reader, each opened once. */
class PastKeys {
  private readonly scopeKeys = new Map<string, Promise<string | undefined>>();
  private readonly valueKeys = new Map<string, Promise<Uint8Array | undefined>>();

  constructor(
    private readonly top: string,
    private readonly keyring: Keyring,
    private readonly current: (env: string) => EnvFile | undefined,
    /** The reader's key files in the history: every version, by path. */
    private readonly keyFiles: ReadonlyMap<string, string[]>,
  ) {}

  /**
   * The identity of a scope as `file` names it: the current one when the recipient is still
   * the scope's and the reader holds it, else from one of the reader's key files of the
   * history for that scope (a rotation left older values under an older key). Undefined when
   * this reader held none.
   */
  private scopeKey(file: EnvFile, scope: string): Promise<string | undefined> {
    const recipient = file.scopes.get(scope);
    if (recipient === undefined) return Promise.resolve(undefined);
    let p = this.scopeKeys.get(recipient);
    if (p === undefined) {
      p = this.openScope(file, scope, recipient);
      this.scopeKeys.set(recipient, p);
    }
    return p;
  }

  private async openScope(file: EnvFile, scope: string, recipient: string): Promise<string | undefined> {
    const now = this.current(file.env);
    if (now?.scopes.get(scope) === recipient) {
      const identity = await this.keyring.scopeIdentity(now, scope).catch((e: unknown) => {
        if (e instanceof NotARecipient || e instanceof Tampered) return undefined;
        throw e;
      });
      if (identity !== undefined) return identity;
    }
    const member = this.keyring.member;
    if (member === undefined) return undefined;
    const path = keyPath(scope, member);
    const versions = this.keyFiles.get(path) ?? [];
    const contents = await objectContents(this.top, versions);
    for (const oid of versions) {
      const armored = contents.get(oid);
      if (armored === undefined) continue;
      try {
        return await unwrapScopeKey(armored, this.keyring.identities, { scope, expectedRecipient: recipient, file: `${path} (${oid.slice(0, 12)})` });
      } catch (e) {
        if (!(e instanceof NotARecipient || e instanceof Tampered)) throw e; // another version of the key, or not ours
      }
    }
    return undefined;
  }

  /** The plaintext of a value line of `file`, or undefined when this reader cannot open it. */
  async open(file: EnvFile, key: string, sealed: SealedValue): Promise<string | undefined> {
    const batch = file.batches.get(sealed.batch);
    if (batch === undefined) return undefined;
    const id = `${file.scopes.get(batch.scope)}/${sealed.batch}`;
    let p = this.valueKeys.get(id);
    if (p === undefined) {
      p = this.scopeKey(file, batch.scope).then(async (scopeKey) => {
        if (scopeKey === undefined) return undefined;
        try {
          return deriveValueKey(await unwrapBatchKey(batch.age, sealed.batch, scopeKey, { env: file.env, scope: batch.scope }));
        } catch (e) {
          if (e instanceof Tampered) return undefined;
          throw e;
        }
      });
      this.valueKeys.set(id, p);
    }
    const valueKey = await p;
    if (valueKey === undefined) return undefined;
    try {
      return openValue({ valueKey, env: file.env, scope: batch.scope, key, t: sealed.t, payload: sealed.payload });
    } catch (e) {
      if (e instanceof VaultError) return undefined;
      throw e;
    }
  }
}

export interface EarlierInput {
  /** The top of the git work tree; undefined outside git (no history). */
  top: string | undefined;
  /** `pre_commit.history`. */
  depth: number;
  old: LoadedCache;
  /** The index of every value of the old cache, by {@link valueId}. */
  oldIndex: ReadonlyMap<string, number>;
  /** The current values, by {@link valueId}. */
  current: ReadonlySet<string>;
  /** The current env file of an environment (undefined when it does not parse). */
  currentFile: (env: string) => EnvFile | undefined;
  /** Undefined without an identity: what needs decrypting then waits for one. */
  keyring: Keyring | undefined;
  localKey: Uint8Array;
  pk: HalfSipKey;
  /** Read every version of the history again (dropping what left it), not only new ones. */
  full: boolean;
}

export interface EarlierResult {
  values: ValueRows[];
  history?: CachedHistory;
}

/**
 * The earlier values for the next cache. Values that stopped being current are kept as
 * earlier ones (no decryption). While no ref moved, the history is as the old cache had it;
 * otherwise it is listed and the env-file versions not read before are read; all of them are
 * read again (dropping values no version holds any more) when the setting changed, half of
 * the versions read have left the history, or `full` asks for it.
 */
export async function earlierValues(o: EarlierInput): Promise<EarlierResult> {
  if (o.top === undefined || o.depth === 0) return { values: [] };
  const top = o.top;
  const carried = new Map<string, ValueRows>();
  o.old.data.values.forEach(([env, key, line], i) => {
    const id = valueId(env, key, line);
    if (!o.current.has(id) && !carried.has(id)) carried.set(id, { value: [env, key, line, 1], old: i });
  });
  const h = o.old.data.history;
  const refs = refsStamp(top) ?? "";
  const sameDepth = h !== undefined && h.depth === o.depth;
  if (!o.full && sameDepth && refs !== "" && h.refs === refs) return { values: [...carried.values()], history: h };
  // Without an identity nothing new can be read: the history stays as it was, for a rebuild with one.
  if (o.keyring === undefined) return { values: [...carried.values()], ...(h === undefined ? {} : { history: h }) };

  const window = await listWindow(top, o.depth, { keys: true });
  const processed = new Set(sameDepth ? h.blobs : []);
  // Values of versions that left the history are dropped by reading all of it again, once half
  // of what was read has left: each version is then read about twice in all, however busy the vault.
  const left = [...processed].filter((b) => !window.envs.has(b)).length;
  const full = o.full || !sameDepth || (left > 0 && left * 2 >= processed.size);
  const toRead = [...window.envs.keys()].filter((b) => full || !processed.has(b));
  const out = full ? new Map<string, ValueRows>() : carried;
  const keys = new PastKeys(top, o.keyring, o.currentFile, window.keys);
  const contents = await objectContents(top, toRead);
  for (const blob of toRead) {
    const env = window.envs.get(blob)!;
    let file: EnvFile;
    try {
      file = parseEnvFile(contents.get(blob)?.toString("utf8") ?? "", envPath(env), env);
    } catch {
      continue; // a version with a conflict or damage: what it holds is not a value anyone read
    }
    for (const [key, sealed] of file.values) {
      const line = lineHash(valueLine(key, sealed));
      const id = valueId(env, key, line);
      if (o.current.has(id) || out.has(id)) continue;
      const seen = o.oldIndex.get(id);
      if (seen !== undefined) {
        out.set(id, { value: [env, key, line, 1], old: seen });
        continue;
      }
      const plain = await keys.open(file, key, sealed);
      if (plain !== undefined) out.set(id, { value: [env, key, line, 1], rows: valueRows(plain, o.localKey, o.pk) });
    }
  }
  const blobs = full ? [...window.envs.keys()] : [...new Set([...processed, ...toRead])];
  return { values: [...out.values()], history: { depth: o.depth, refs, blobs: blobs.sort() } };
}
