/**
 * The vault's history as a graph of commits (`vault log`): which version of each environment
 * file every commit holds, where the sides of a merge forked, what each side changed since,
 * and how the merge settled the keys they disagree on. Key names only; nothing is decrypted.
 * Pure.
 */
import { type EnvChange, envDiff, isEmptyChange, sameSealed } from "./changes.js";
import type { EnvFile, SealedValue } from "./envfile.js";
import { CommitGraph } from "./graph.js";

/** A commit of the history: its parents within the same history, and the environment files it changed. */
export interface HistoryCommit {
  commit: string;
  parents: readonly string[];
  /** Environment → blob id after the commit (undefined: removed), against its first parent. */
  changed: ReadonlyMap<string, string | undefined>;
}

/** The environment files of a commit: environment → blob id. */
export type Tree = ReadonlyMap<string, string>;

/**
 * Every commit's environment files, from its first parent's and its own changes. The commits
 * may come in any order, but each one's parents must be among them (a graph `git log
 * --full-history --parents` gives).
 */
export function treesOf(commits: readonly HistoryCommit[]): Map<string, Tree> {
  const byId = new Map(commits.map((c) => [c.commit, c]));
  const trees = new Map<string, Tree>();
  for (const start of commits) {
    // Walk up the first parents to one already known, then come back down: no recursion, so
    // a history of any length fits the stack.
    const chain: HistoryCommit[] = [];
    for (let c: HistoryCommit | undefined = start; c !== undefined && !trees.has(c.commit); c = byId.get(c.parents[0] ?? "")) chain.push(c);
    for (const c of chain.reverse()) {
      const base = trees.get(c.parents[0] ?? "") ?? new Map<string, string>();
      if (c.changed.size === 0) {
        trees.set(c.commit, base);
        continue;
      }
      const tree = new Map(base);
      for (const [env, blob] of c.changed) {
        if (blob === undefined) tree.delete(env);
        else tree.set(env, blob);
      }
      trees.set(c.commit, tree);
    }
  }
  return trees;
}

/** What one side of a merge changed since the sides forked. */
export interface MergeSide {
  /** The parent commit at the end of the side. */
  parent: string;
  /** Branches and tags at that parent. */
  refs: string[];
  changes: EnvChange[];
}

/**
 * A key whose merged version is not simply the one side's change: both sides changed it (a
 * conflict for the merge driver) and the merge kept one or set another; or one side changed
 * it and the merge kept the other side's (that change is lost); or no side changed it and
 * the merge set it.
 */
export interface Settled {
  env: string;
  key: string;
  /** The parents whose side changed the key since the fork. */
  changedBy: string[];
  /** The parent whose version the merge kept (a removal included); null when it is none of theirs. */
  kept: string | null;
}

/** One environment file as a merge saw it: at the fork, at the end of each side, and merged. */
export interface MergeVersions {
  env: string;
  base: EnvFile | undefined;
  sides: readonly { parent: string; file: EnvFile | undefined }[];
  merged: EnvFile | undefined;
}

/** Two versions of a key, either absent, hold the same value. */
const same = (a: SealedValue | undefined, b: SealedValue | undefined) => (a === undefined || b === undefined ? a === b : sameSealed(a, b));

/** What each side of a merge changed in one environment file (in the order of `v.sides`; undefined: nothing), and the keys the merge settled. */
export function mergeOutcome(v: MergeVersions): { sides: (EnvChange | undefined)[]; settled: Settled[] } {
  const sides = v.sides.map((s) => {
    const change = envDiff(v.env, v.base, s.file);
    return isEmptyChange(change) ? undefined : change;
  });
  const keys = new Set<string>();
  for (const f of [v.base, v.merged, ...v.sides.map((s) => s.file)]) for (const k of f?.values.keys() ?? []) keys.add(k);
  const settled: Settled[] = [];
  for (const key of [...keys].sort()) {
    const at = (f: EnvFile | undefined) => f?.values.get(key);
    const base = at(v.base);
    const merged = at(v.merged);
    const changers = v.sides.filter((s) => !same(base, at(s.file)));
    const agreed = changers.every((s) => same(at(s.file), at(changers[0]?.file)));
    // One side's change, or the same change on several sides, taken as it is: nothing to say.
    if (changers.length > 0 && agreed && same(merged, at(changers[0]?.file))) continue;
    if (changers.length === 0 && same(merged, base)) continue;
    const kept = [...changers, ...v.sides].find((s) => same(merged, at(s.file)))?.parent ?? null;
    settled.push({ env: v.env, key, changedBy: changers.map((s) => s.parent), kept });
  }
  return { sides, settled };
}

/** A commit worth an entry of `vault log`, before any file is read: the environments to compare and, for a merge, where its sides forked. */
export interface Comparison {
  commit: string;
  parents: readonly string[];
  envs: string[];
  base?: string;
}

const differs = (a: Tree | undefined, b: Tree | undefined, env: string) => a?.get(env) !== b?.get(env);

/**
 * The commits of a history (newest first) that changed an environment file against some
 * parent, with every commit's files (to find the versions compared). A merge that left every
 * file as each parent has it changed nothing of the vault and is left out.
 */
export function comparisons(commits: readonly HistoryCommit[]): { list: Comparison[]; trees: Map<string, Tree> } {
  const trees = treesOf(commits);
  const graph = new CommitGraph(commits);
  const list: Comparison[] = [];
  for (const c of commits) {
    if (c.parents.length < 2) {
      if (c.changed.size > 0) list.push({ commit: c.commit, parents: c.parents, envs: [...c.changed.keys()].sort() });
      continue;
    }
    const tree = trees.get(c.commit);
    const all = new Set<string>();
    for (const t of [tree, ...c.parents.map((p) => trees.get(p))]) for (const env of t?.keys() ?? []) all.add(env);
    const envs = [...all].filter((env) => c.parents.some((p) => differs(tree, trees.get(p), env))).sort();
    if (envs.length === 0) continue;
    const base = graph.mergeBase(c.parents);
    list.push({ commit: c.commit, parents: c.parents, envs, ...(base === undefined ? {} : { base }) });
  }
  return { list, trees };
}

/** Who made a commit, and the names at it: what an entry says besides the changes. */
export interface CommitInfo {
  commit: string;
  /** Branches and tags at this commit, as `git log --decorate` shows them. */
  refs: string[];
  author: string;
  date: string;
  subject: string;
}

/** One commit of `vault log`. */
export interface LogEntry extends CommitInfo {
  /** Its parents within the vault's history (a merge has several). */
  parents: string[];
  merge: boolean;
  /** What the commit changed against its first parent (for a merge: what it brought into that branch). */
  changes: EnvChange[];
  /** A merge: where its sides forked (null: they share no vault history, or not a merge). */
  base: string | null;
  /** A merge: what each side changed since the fork, in parent order (empty for other commits). */
  sides: MergeSide[];
  /** A merge: keys it settled (empty for other commits). */
  settled: Settled[];
}

/**
 * The entry of one compared commit, from the versions of its files (`version(commit, env)`,
 * undefined where the file is missing or unreadable); undefined when no key changed (a file
 * rewritten to the same values).
 */
export function entryOf(
  info: CommitInfo,
  c: Comparison,
  version: (commit: string | undefined, env: string) => EnvFile | undefined,
  refsOf: (commit: string) => string[],
): LogEntry | undefined {
  const parents = [...c.parents];
  const merge = parents.length > 1;
  const sides: MergeSide[] = merge ? parents.map((p) => ({ parent: p, refs: refsOf(p), changes: [] })) : [];
  const { commit, refs, author, date, subject } = info;
  const entry: LogEntry = { commit, refs, author, date, subject, parents, merge, changes: [], base: c.base ?? null, sides, settled: [] };
  for (const env of c.envs) {
    const after = version(c.commit, env);
    const change = envDiff(env, version(parents[0], env), after);
    if (!isEmptyChange(change)) entry.changes.push(change);
    if (!merge) continue;
    const outcome = mergeOutcome({ env, base: version(c.base, env), sides: parents.map((p) => ({ parent: p, file: version(p, env) })), merged: after });
    for (const [i, side] of outcome.sides.entries()) if (side !== undefined) sides[i]?.changes.push(side);
    entry.settled.push(...outcome.settled);
  }
  return entry.changes.length > 0 || entry.settled.length > 0 || sides.some((s) => s.changes.length > 0) ? entry : undefined;
}

const keyOnly = (c: EnvChange, key: string): EnvChange => ({
  env: c.env,
  added: c.added.filter((k) => k === key),
  changed: c.changed.filter((k) => k === key),
  removed: c.removed.filter((k) => k === key),
  rekeyed: [],
});

const narrow = (changes: readonly EnvChange[], key: string) => changes.map((c) => keyOnly(c, key)).filter((c) => !isEmptyChange(c));

/**
 * Narrows a log to the commits that touched one key on some line of history, keeping only
 * that key: a merge stays when a side changed the key, or the merge settled it.
 */
export function forKey(entries: readonly LogEntry[], key: string): LogEntry[] {
  return entries
    .map((e) => ({
      ...e,
      changes: narrow(e.changes, key),
      sides: e.sides.map((s) => ({ ...s, changes: narrow(s.changes, key) })),
      settled: e.settled.filter((s) => s.key === key),
    }))
    .filter((e) => e.changes.length > 0 || e.settled.length > 0 || e.sides.some((s) => s.changes.length > 0));
}
