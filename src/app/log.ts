/**
 * `vault log [KEY]`: the commits that changed the vault on any line of history, newest first,
 * key by key, merges with what each side changed and how the merge settled the keys they
 * disagree on (nothing decrypted).
 */
import { readEnvText } from "../model/changes.js";
import type { EnvFile } from "../model/envfile.js";
import { comparisons, entryOf, forKey, type HistoryCommit, type LogEntry } from "../model/log.js";
import { ENVS_DIR, envPath } from "../model/layout.js";
import { catFileBatch } from "../git/exec.js";
import { findRepo } from "../git/repo.js";
import { fullHistory, type LogRecord } from "../git/log.js";
import type { Deps } from "./session.js";

export type { LogEntry, MergeSide, Settled } from "../model/log.js";

export interface LogInput {
  /** Only the commits that changed this variable, and only its change. */
  key?: string;
  /** At most this many commits. */
  max?: number;
}

const ENV_PATH = /^\.envvault\/envs\/([^/]+)\.env$/;

/** A record's changes as environment → blob id. */
function historyCommit(r: LogRecord): HistoryCommit {
  const changed = new Map<string, string | undefined>();
  for (const [path, blob] of r.files) {
    const env = ENV_PATH.exec(path)?.[1];
    if (env !== undefined) changed.set(env, blob);
  }
  return { commit: r.commit, parents: r.parents, changed };
}

/**
 * The commits that changed environment files, newest first. One `git log --full-history`
 * (system git: isomorphic-git's `log({filepath})` is many times slower on a long history)
 * gives the graph and each commit's changed files; every commit's files are rebuilt from it,
 * so that the sides of a merge and where they forked need no further git command; then one
 * `git cat-file --batch` reads every version compared.
 */
async function vaultLog(top: string, o: { env?: string } = {}): Promise<LogEntry[]> {
  const records = await fullHistory(top, o.env === undefined ? `${ENVS_DIR}/` : envPath(o.env));
  const { list, trees } = comparisons(records.map(historyCommit));
  const blobOf = (commit: string | undefined, env: string) => (commit === undefined ? undefined : trees.get(commit)?.get(env));
  const wanted = list.flatMap((c) => c.envs.flatMap((env) => [c.commit, c.base, ...c.parents].map((x) => blobOf(x, env))));
  const blobs = await catFileBatch(top, wanted.filter((b): b is string => b !== undefined));
  const parsed = new Map<string, EnvFile | undefined>();
  const version = (commit: string | undefined, env: string) => {
    const blob = blobOf(commit, env);
    if (blob === undefined) return undefined;
    const id = `${env}\0${blob}`;
    if (!parsed.has(id)) parsed.set(id, readEnvText(blobs.get(blob)?.toString("utf8") ?? "", envPath(env), env));
    return parsed.get(id);
  };
  const byId = new Map(records.map((r) => [r.commit, r]));
  const refsOf = (commit: string) => byId.get(commit)?.refs ?? [];
  const out: LogEntry[] = [];
  for (const c of list) {
    const r = byId.get(c.commit);
    const entry = r === undefined ? undefined : entryOf({ commit: r.commit, refs: r.refs, author: r.author, date: r.date, subject: r.subject }, c, version, refsOf);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

/** The history of the repository around `deps.cwd`: of `deps.env` only when it names one. */
export async function log(deps: Deps, o: LogInput): Promise<LogEntry[]> {
  const repo = await findRepo(deps.cwd);
  let entries = await vaultLog(repo.top, deps.env === undefined ? {} : { env: deps.env });
  if (o.key !== undefined) entries = forKey(entries, o.key);
  return o.max === undefined ? entries : entries.slice(0, o.max);
}
