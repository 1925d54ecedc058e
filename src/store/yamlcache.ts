/**
 * The validated data of `.envvault/vault.yaml` and `.envvault/roster.yaml`, cached in
 * `.envvault.local/yaml-cache-<id>.json`, one per identity and MAC'd with a key derived from
 * it (docs/FORMAT.md §13), so that read-only commands never import the YAML parser, one of
 * the costliest parts of their start-up.
 *
 * An entry is keyed by which file it is and the SHA-256 of the file's bytes, and the whole
 * cache by a format version and a tag of the code that validated it (its schemas and
 * checks): any change of the file, the schemas or the checks is a miss, and a miss goes
 * through the full validating load (YAML errors with line numbers), then rewrites the cache.
 * A cache that is missing, damaged, unreadable or from another version is ignored. It
 * holds only what those two files say (environment, variable, member and team names,
 * recipients, rules), which the repository itself holds in plaintext: never a value, never
 * a key.
 *
 * This module is on every command's path: it imports no YAML.
 */
import { createHash } from "node:crypto";
import { deriveFromIdentity, macHex, sha256Hex } from "../crypto/sign.js";
import { yamlCacheName } from "../model/layout.js";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { ensureLocalDir, readLocalText } from "./local.js";

export { YamlFile } from "../model/yamldoc.js";

/**
 * Set by scripts/build.mjs in the CLI bundle: a hash of the schemas and of the code that
 * validates vault.yaml and roster.yaml. Without it (the library and the tests, run from
 * tsc's output or the sources) the cache is off unless a tag is passed explicitly.
 */
declare const ENVVAULT_YAML_CACHE_TAG: string | undefined;

export const YAML_CACHE_FORMAT = "envvault-yaml-cache/2";
const INFO = "envvault/v2/yaml-cache";
/** Entries kept, least recently used dropped first: the work tree's two files and another version of each. */
const MAX_ENTRIES = 4;

/** The build's validation tag, or undefined when the cache is off. */
export const defaultCacheTag: string | undefined = typeof ENVVAULT_YAML_CACHE_TAG === "string" ? ENVVAULT_YAML_CACHE_TAG : undefined;

export type YamlKind = "vault" | "roster";

export const yamlSha = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

interface CacheFile {
  format: string;
  id: string;
  /** HMAC of the JSON text of `entries` under a key from the identity: a planted cache does not pass. */
  mac: string;
  tag: string;
  /** `<kind>:<sha256>` → validated data. */
  entries: Record<string, unknown>;
}

/** What was read from the cache file, and what a load adds to it. */
export class YamlCache {
  private dirty = false;

  private constructor(
    private readonly root: string,
    private readonly tag: string,
    private readonly key: Buffer,
    private readonly id: string,
    private readonly entries: Map<string, unknown>,
  ) {}

  /**
   * One identity's cache of a repository; an empty one when the file is missing, damaged, of
   * another version, or its MAC fails. No identity, no cache: the data replaces parsing, so
   * only data this identity's own loads recorded may be used (docs/FORMAT.md §13).
   */
  static async open(root: string, tag: string | undefined = defaultCacheTag, identity?: string): Promise<YamlCache | undefined> {
    if (tag === undefined || identity === undefined) return undefined;
    let key: Buffer;
    try {
      key = deriveFromIdentity(identity, INFO);
    } catch {
      return undefined; // not an X25519 identity: parse
    }
    const id = sha256Hex(key).slice(0, 16);
    const entries = new Map<string, unknown>();
    try {
      const parsed = JSON.parse((await readLocalText(root, yamlCacheName(id))) ?? "") as Partial<CacheFile>;
      if (parsed.format === YAML_CACHE_FORMAT && parsed.id === id && parsed.tag === tag && isPlainObject(parsed.entries) && parsed.mac === macHex(key, JSON.stringify(parsed.entries))) {
        for (const [k, v] of Object.entries(parsed.entries)) entries.set(k, v);
      }
    } catch {
      // Missing, unreadable or damaged: start empty; the next miss rewrites it.
    }
    return new YamlCache(root, tag, key, id, entries);
  }

  /** The cached data of a file whose text hashes to `sha`, if any and plausible. */
  get(kind: YamlKind, sha: string): unknown {
    const key = `${kind}:${sha}`;
    const data = this.entries.get(key);
    // Only what a validated load stores can be there; anything else is a damaged entry.
    if (!isPlainObject(data) || data.version !== 1) return undefined;
    if (kind === "vault" ? !isPlainObject(data.environments) : !isPlainObject(data.members)) return undefined;
    // Most recently used last, so that a rewrite keeps it.
    this.entries.delete(key);
    this.entries.set(key, data);
    return data;
  }

  /** Remembers validated data; data JSON cannot carry exactly is not cached. */
  set(kind: YamlKind, sha: string, data: unknown): void {
    if (!jsonExact(data)) return;
    const key = `${kind}:${sha}`;
    this.entries.delete(key);
    this.entries.set(key, data);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.dirty = true;
  }

  /** Writes the cache if a load added to it; best effort (a read-only clone still works). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const entries = Object.fromEntries(this.entries);
    const file: CacheFile = { format: YAML_CACHE_FORMAT, id: this.id, mac: macHex(this.key, JSON.stringify(entries)), tag: this.tag, entries };
    try {
      await writeFileAtomic(join(await ensureLocalDir(this.root), yamlCacheName(this.id)), JSON.stringify(file) + "\n", { mode: 0o600 });
    } catch {
      // Not writable (a read-only checkout, a full disk): the next command parses again.
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Whether JSON gives `v` back exactly: null, booleans, finite numbers, strings, arrays and plain objects. */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every((item) => item !== undefined && jsonExact(item));
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every((item) => item !== undefined && jsonExact(item));
  return false;
}
