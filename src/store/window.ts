/**
 * The history whose values the pre-commit hook knows besides the current ones: the latest
 * `pre_commit.history` commits of every local branch, remote-tracking ref and HEAD, and the
 * environment files they hold (docs/FORMAT.md §12). Listing it is one `git rev-list`, so the
 * hook lists it only when a ref moved since the cache was made (git/refs.ts); decrypting the
 * values of new file versions is the cache rebuild's work (app/earlier.ts).
 *
 * On the hook's path: no YAML, no age.
 */
import { blobId } from "../git/repo.js";
import { recentObjects } from "../git/objects.js";
import { refsStamp } from "../git/refs.js";
import { ENVS_DIR, KEYS_DIR } from "../model/layout.js";
import type { LoadedCache } from "./fingerprints.js";

/** The vault files of the history: every version of each, by blob. */
export interface HistoryWindow {
  /** Env-file blob → its environment. */
  envs: Map<string, string>;
  /** Key-file blobs by path (`.envvault/keys/<scope dir>/<member>.age`), when asked for. */
  keys: Map<string, string[]>;
}

const ENV_FILE = new RegExp(`^${ENVS_DIR}/([^/]+)\\.env$`);

/** Lists the env-file versions of the latest `depth` commits, and with `keys` the key-file versions too. */
export async function listWindow(top: string, depth: number, o: { keys?: boolean } = {}): Promise<HistoryWindow> {
  const out: HistoryWindow = { envs: new Map(), keys: new Map() };
  for (const { oid, path } of await recentObjects(top, depth, o.keys === true ? [ENVS_DIR, KEYS_DIR] : [ENVS_DIR])) {
    const env = ENV_FILE.exec(path)?.[1];
    if (env !== undefined) out.envs.set(oid, env);
    else if (path.startsWith(`${KEYS_DIR}/`) && path.endsWith(".age")) out.keys.set(path, [...(out.keys.get(path) ?? []), oid]);
  }
  return out;
}


/**
 * How many env-file versions of the history hold values the cache does not know. Unchanged
 * refs mean none, without starting git. Otherwise the history is listed: a version the cache
 * has not read counts, unless it is the work tree's env file, whose values are the current
 * ones (the usual case after a commit). Nothing is written: the next commit moves a ref again
 * anyway, and the next rebuild (`unlock`, `set`, a checkout) records the new refs.
 */
export async function missingHistory(top: string, cache: LoadedCache, envTexts: ReadonlyMap<string, string>): Promise<number> {
  const depth = cache.data.config?.history ?? 0;
  if (depth === 0) return 0;
  const h = cache.data.history;
  const refs = refsStamp(top) ?? "";
  if (h !== undefined && h.depth === depth && refs !== "" && h.refs === refs) return 0;
  const known = new Set(h?.depth === depth ? h.blobs : []);
  let missing = 0;
  for (const [blob, env] of (await listWindow(top, depth)).envs) {
    if (known.has(blob)) continue;
    const text = envTexts.get(env);
    if (text === undefined || blobId(Buffer.from(text, "utf8"), blob.length) !== blob) missing++;
  }
  return missing;
}
