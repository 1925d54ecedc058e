/**
 * What this clone has verified, for one identity (docs/FORMAT.md §6, "Trust cache"): the
 * pinned trust root, the commits verified, the vault files' hashes of recent ones, and the
 * links and records whose signatures verified. The file is named and MAC'd with a key derived
 * from the identity and stored nowhere, so a file a commit planted in `.envvault.local/`
 * cannot pass for ours.
 */
import { Tampered } from "../errors.js";
import { deriveFromIdentity, macHex, sha256Hex } from "../crypto/sign.js";
import { writeFileAtomicIfChanged } from "../io/atomic.js";
import { LOCAL_DIR, trustCacheName } from "../model/layout.js";
import { ensureLocalDir, readLocalText } from "./local.js";

const INFO = "envvault/v2/trust-cache";
const MAX_COMMITS = 512;
const MAX_SIGNATURES = 8192;

interface Body {
  root?: string;
  commits: string[];
  /** Commit → vault file path → hex SHA-256 of its bytes. */
  heads: Record<string, Record<string, string>>;
  /** Hashes of chain links, and cache keys of records, whose signatures verified. */
  links: string[];
  records: string[];
}

interface CacheFile {
  version: 1;
  id: string;
  mac: string;
  body: Body;
}

const empty = (): Body => ({ commits: [], heads: {}, links: [], records: [] });

/** Keeps the last `max` of a list, the newest last, each once. */
function recent(list: readonly string[], add: string, max: number): string[] {
  return [...list.filter((x) => x !== add), add].slice(-max);
}

export class TrustCache {
  private dirty = false;
  private readonly commits: Set<string>;
  private readonly links: Set<string>;
  private readonly records: Set<string>;

  private constructor(
    private readonly root: string,
    private readonly key: Buffer,
    readonly id: string,
    private body: Body,
  ) {
    this.commits = new Set(body.commits);
    this.links = new Set(body.links);
    this.records = new Set(body.records);
  }

  /** The key, name and MAC of one identity's cache. */
  static keyOf(identity: string): { key: Buffer; id: string } {
    const key = deriveFromIdentity(identity, INFO);
    return { key, id: sha256Hex(key).slice(0, 16) };
  }

  /**
   * This clone's cache for `identity`; an empty one when there is none.
   *
   * @throws Tampered when the file exists under this identity's name but its MAC fails.
   */
  static async open(root: string, identity: string): Promise<TrustCache> {
    const { key, id } = TrustCache.keyOf(identity);
    const name = trustCacheName(id);
    const text = await readLocalText(root, name);
    if (text === undefined) return new TrustCache(root, key, id, empty());
    let parsed: Partial<CacheFile>;
    try {
      parsed = JSON.parse(text) as Partial<CacheFile>;
    } catch {
      parsed = {};
    }
    const body = parsed.body;
    if (parsed.version !== 1 || parsed.id !== id || body === undefined || parsed.mac !== macHex(key, JSON.stringify(body))) {
      throw new Tampered(`${LOCAL_DIR}/${name}, this clone's record of what it verified, was changed by someone else`, {
        data: { file: `${LOCAL_DIR}/${name}` },
        hints: [
          `if no envvault version of yours wrote it, a commit may have planted it: look at \`git log --stat -- ${LOCAL_DIR}\``,
          `delete ${LOCAL_DIR}/${name} to verify the whole history again; the trust root is then pinned afresh (pin it in CI with ENVVAULT_TRUST_ROOT)`,
        ],
      });
    }
    return new TrustCache(root, key, id, { ...empty(), ...body });
  }

  /** The pinned trust root (the hash of the chain's root link), if one was pinned. */
  get pinned(): string | undefined {
    return this.body.root;
  }

  pin(root: string): void {
    if (this.body.root === root) return;
    this.body = { ...this.body, root };
    this.dirty = true;
  }

  hasCommit(oid: string): boolean {
    return this.commits.has(oid);
  }

  /** The verified commits, oldest first: the tips a new history check starts from. */
  get verifiedCommits(): readonly string[] {
    return this.body.commits;
  }

  addCommit(oid: string): void {
    this.commits.add(oid);
    this.body = { ...this.body, commits: recent(this.body.commits, oid, MAX_COMMITS) };
    this.dirty = true;
  }

  hasLink(hash: string): boolean {
    return this.links.has(hash);
  }

  addLink(hash: string): void {
    if (this.links.has(hash)) return;
    this.links.add(hash);
    this.body = { ...this.body, links: recent(this.body.links, hash, MAX_SIGNATURES) };
    this.dirty = true;
  }

  hasRecord(cacheKey: string): boolean {
    return this.records.has(cacheKey);
  }

  addRecord(cacheKey: string): void {
    if (this.records.has(cacheKey)) return;
    this.records.add(cacheKey);
    this.body = { ...this.body, records: recent(this.body.records, cacheKey, MAX_SIGNATURES) };
    this.dirty = true;
  }

  /** Writes the cache if anything was added; best effort (a read-only clone only re-verifies). */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const file: CacheFile = { version: 1, id: this.id, mac: macHex(this.key, JSON.stringify(this.body)), body: this.body };
    try {
      const dir = await ensureLocalDir(this.root);
      await writeFileAtomicIfChanged(`${dir}/${trustCacheName(this.id)}`, JSON.stringify(file) + "\n", { mode: 0o600 });
      this.dirty = false;
    } catch {
      // Not writable: the next command verifies again.
    }
  }
}
