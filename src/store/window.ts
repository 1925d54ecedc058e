/**
 * The history whose values the pre-commit hook knows besides the current ones: the latest
 * `pre_commit.history` commits of every local branch, remote-tracking ref and HEAD, and the
 * environment files they hold (docs/FORMAT.md §12). Listing it costs a few git calls, so the
 * hook lists it again only when a ref moved (git/refs.ts), and then only reads the trees it
 * has not seen; decrypting the values of new file versions is the cache rebuild's work
 * (app/earlier.ts).
 *
 * On the hook's path: no YAML, no age.
 */
import { createHash } from "node:crypto";
import { objectContents, objectIds, parseTree, recentCommits } from "../git/objects.js";
import { refsStamp } from "../git/refs.js";
import { ENVS_DIR } from "../model/layout.js";
import type { CachedHistory, LoadedCache } from "./fingerprints.js";

/** The environment files of the history: every version, with the newest commit that holds it. */
export interface HistoryWindow {
  /** The refs' stamp it was listed at ("" when they cannot be stamped). */
  refs: string;
  /** The `.envvault/envs` trees of its commits: tree → environment → blob. */
  trees: Record<string, Record<string, string>>;
  /** Env-file blob → its environment and a commit that holds it. */
  blobs: Map<string, { env: string; commit: string }>;
}

const ENV_NAME = /^(.+)\.env$/;

/**
 * Lists the latest `depth` commits and the env-file versions they hold; trees in `known` are
 * not read again.
 */
export async function listWindow(top: string, depth: number, known: Readonly<Record<string, Record<string, string>>>, refs: string): Promise<HistoryWindow> {
  const out: HistoryWindow = { refs, trees: {}, blobs: new Map() };
  const commits = await recentCommits(top, depth);
  const ids = await objectIds(top, commits.map((c) => `${c}:${ENVS_DIR}`));
  const treeOf = new Map<string, string>();
  for (const c of commits) {
    const t = ids.get(`${c}:${ENVS_DIR}`);
    if (t?.type === "tree") treeOf.set(c, t.oid);
  }
  const unread = [...new Set(treeOf.values())].filter((t) => !Object.hasOwn(known, t));
  const contents = await objectContents(top, unread);
  for (const t of new Set(treeOf.values())) {
    if (Object.hasOwn(known, t)) {
      out.trees[t] = known[t]!;
      continue;
    }
    const files: Record<string, string> = {};
    for (const e of parseTree(contents.get(t) ?? Buffer.alloc(0), t.length / 2)) {
      const env = ENV_NAME.exec(e.name)?.[1];
      if (env !== undefined && !e.mode.startsWith("4")) files[env] = e.oid;
    }
    out.trees[t] = files;
  }
  // Newest commit first: each version is read as of the last commit that has it.
  for (const c of commits) {
    const t = treeOf.get(c);
    if (t === undefined) continue;
    for (const [env, blob] of Object.entries(out.trees[t] ?? {})) if (!out.blobs.has(blob)) out.blobs.set(blob, { env, commit: c });
  }
  return out;
}

/** git's object id of a blob with these bytes (SHA-1, or SHA-256 in a repository that uses it). */
export function blobId(bytes: Uint8Array, oidLength: number): string {
  const hash = createHash(oidLength === 64 ? "sha256" : "sha1");
  return hash.update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** What the hook found of the history. */
export interface HistoryCheck {
  /** Env-file versions of the history whose values the cache does not hold. */
  missing: number;
  /** The history record to store when nothing is missing but the listing changed it (a ref moved). */
  record?: CachedHistory;
}

/**
 * Whether the cache holds the values of the history as it is now. Unchanged refs mean yes,
 * without starting git. Otherwise the history is listed: a version the cache has not read is
 * missing, unless it is the work tree's env file, whose values are the current ones (the
 * usual case after a commit). Versions that left the history stay in the cache until the
 * next rebuild.
 */
export async function checkHistory(top: string, cache: LoadedCache, envTexts: ReadonlyMap<string, string>): Promise<HistoryCheck> {
  const depth = cache.data.config?.history ?? 0;
  if (depth === 0) return { missing: 0 };
  const refs = (await refsStamp(top)) ?? "";
  const h = cache.data.history;
  if (h !== undefined && h.depth === depth && refs !== "" && h.refs === refs) return { missing: 0 };
  const window = await listWindow(top, depth, h?.trees ?? {}, refs);
  const blobs = new Set(h?.depth === depth ? h.blobs : []);
  let missing = 0;
  for (const [blob, { env }] of window.blobs) {
    if (blobs.has(blob)) continue;
    const text = envTexts.get(env);
    if (text !== undefined && blobId(Buffer.from(text, "utf8"), blob.length) === blob) blobs.add(blob);
    else missing++;
  }
  return missing > 0 ? { missing } : { missing: 0, record: { depth, refs, trees: window.trees, blobs: [...blobs].sort() } };
}
