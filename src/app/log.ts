/**
 * `vault log [KEY]`: the commits that changed the vault on any line of history, newest first,
 * key by key, merges with what each side changed and how the merge settled the keys they
 * disagree on (nothing decrypted).
 */
import { envDiff, isEmptyChange, readEnvText } from "../model/changes.js";
import type { EnvFile } from "../model/envfile.js";
import { CommitGraph, forKey, type HistoryCommit, type LogEntry, mergeOutcome, type Tree, treesOf } from "../model/log.js";
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

/** What one commit is about before any file is read: the environments to compare, and against which commits. */
interface Plan {
  record: LogRecord;
  envs: string[];
  base?: string;
}

const differs = (a: Tree | undefined, b: Tree | undefined, env: string) => a?.get(env) !== b?.get(env);

/**
 * The commits that changed environment files, newest first. One `git log --full-history`
 * (system git: isomorphic-git's `log({filepath})` is many times slower on a long history)
 * gives the graph and each commit's changed files; every commit's files are rebuilt from it,
 * so that the sides of a merge and where they forked need no further git command; then one
 * `git cat-file --batch` reads every version compared.
 */
async function vaultLog(top: string, o: { env?: string } = {}): Promise<LogEntry[]> {
  const records = await fullHistory(top, o.env === undefined ? `${ENVS_DIR}/` : envPath(o.env));
  const commits = records.map(historyCommit);
  const trees = treesOf(commits);
  const graph = new CommitGraph(commits);
  const plans: Plan[] = [];
  for (const [i, record] of records.entries()) {
    const tree = trees.get(record.commit);
    if (record.parents.length < 2) {
      const envs = [...(commits[i]?.changed.keys() ?? [])];
      if (envs.length > 0) plans.push({ record, envs });
      continue;
    }
    const all = new Set<string>();
    for (const t of [tree, ...record.parents.map((p) => trees.get(p))]) for (const env of t?.keys() ?? []) all.add(env);
    // A merge that left every environment file as each parent has it changed nothing of the vault.
    const envs = [...all].filter((env) => record.parents.some((p) => differs(tree, trees.get(p), env))).sort();
    if (envs.length === 0) continue;
    const base = graph.mergeBase(record.parents);
    plans.push({ record, envs, ...(base === undefined ? {} : { base }) });
  }
  const blobOf = (commit: string | undefined, env: string) => (commit === undefined ? undefined : trees.get(commit)?.get(env));
  const wanted = plans.flatMap((p) => p.envs.flatMap((env) => [p.record.commit, p.base, ...p.record.parents].map((c) => blobOf(c, env))));
  const blobs = await catFileBatch(top, wanted.filter((b): b is string => b !== undefined));
  const parsed = new Map<string, EnvFile | undefined>();
  const version = (commit: string | undefined, env: string) => {
    const blob = blobOf(commit, env);
    if (blob === undefined) return undefined;
    const id = `${env}\0${blob}`;
    if (!parsed.has(id)) parsed.set(id, readEnvText(blobs.get(blob)?.toString("utf8") ?? "", envPath(env), env));
    return parsed.get(id);
  };
  const refsOf = new Map(records.map((r) => [r.commit, r.refs]));
  const out: LogEntry[] = [];
  for (const { record, envs, base } of plans) {
    const { commit, parents, refs, author, date, subject } = record;
    const merge = parents.length > 1;
    const entry: LogEntry = { commit, parents, refs, author, date, subject, merge, changes: [], base: base ?? null, sides: merge ? parents.map((p) => ({ parent: p, refs: refsOf.get(p) ?? [], changes: [] })) : [], settled: [] };
    for (const env of envs) {
      const after = version(commit, env);
      const change = envDiff(env, version(parents[0], env), after);
      if (!isEmptyChange(change)) entry.changes.push(change);
      if (!merge) continue;
      const outcome = mergeOutcome({ env, base: version(base, env), sides: parents.map((p) => ({ parent: p, file: version(p, env) })), merged: after });
      for (const [i, c] of outcome.sides.entries()) if (c !== undefined) entry.sides[i]?.changes.push(c);
      entry.settled.push(...outcome.settled);
    }
    if (entry.changes.length > 0 || entry.settled.length > 0 || entry.sides.some((s) => s.changes.length > 0)) out.push(entry);
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
