/**
 * Which commits the two sides of a conflict are, and what git calls them: in a merge, ours is
 * the branch checked out and theirs the one merged in; in a rebase it is the other way round
 * from what one expects — ours is the branch being rebased onto, theirs the commit of yours
 * being replayed — and likewise in a cherry-pick or revert, theirs is the commit being
 * applied. Read from the git directory (MERGE_HEAD, REBASE_HEAD, rebase-merge/) and `git log`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { git } from "./exec.js";
import type { Repo } from "./repo.js";

/** One side: its commit, the branch it stands for (when known), its subject and author. */
export interface SideLabel {
  commit: string;
  branch?: string;
  subject: string;
  author: string;
}

export interface ConflictSides {
  operation: "merge" | "rebase" | "cherry-pick" | "revert";
  ours: SideLabel;
  theirs: SideLabel;
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").trim() : undefined);

async function label(top: string, rev: string, branch?: string): Promise<SideLabel | undefined> {
  const r = await git(["log", "-1", "--format=%H%x00%s%x00%an", rev, "--"], { cwd: top, allowFail: true });
  if (r.code !== 0) return undefined;
  const [commit = "", subject = "", author = ""] = r.stdout.toString("utf8").trim().split("\0");
  return { commit, subject, author, ...(branch === undefined || branch === "" ? {} : { branch }) };
}

/** A branch that points at `commit` (a local one first), if any. */
async function branchAt(top: string, commit: string): Promise<string | undefined> {
  const r = await git(["for-each-ref", "--format=%(refname:short)", "--points-at", commit, "refs/heads", "refs/remotes"], { cwd: top, allowFail: true });
  return r.stdout.toString("utf8").split("\n").find((b) => b !== "");
}

/** The sides of the operation in progress, or undefined when there is none. */
export async function conflictSides(repo: Repo): Promise<ConflictSides | undefined> {
  const g = (name: string) => join(repo.gitDir, name);
  const headBranch = (await git(["symbolic-ref", "-q", "--short", "HEAD"], { cwd: repo.top, allowFail: true })).stdout.toString("utf8").trim();
  const rebaseDir = [g("rebase-merge"), g("rebase-apply")].find((d) => existsSync(d));
  if (rebaseDir !== undefined) {
    const rebased = (read(join(rebaseDir, "head-name")) ?? "").replace(/^refs\/heads\//, "");
    const onto = read(join(rebaseDir, "onto"));
    const replayed = existsSync(g("REBASE_HEAD")) ? "REBASE_HEAD" : undefined;
    const ours = await label(repo.top, "HEAD", onto === undefined ? undefined : await branchAt(repo.top, onto));
    const theirs = replayed === undefined ? undefined : await label(repo.top, replayed, rebased);
    return ours === undefined || theirs === undefined ? undefined : { operation: "rebase", ours, theirs };
  }
  for (const [file, operation] of [["MERGE_HEAD", "merge"], ["CHERRY_PICK_HEAD", "cherry-pick"], ["REVERT_HEAD", "revert"]] as const) {
    const sha = read(g(file))?.split("\n")[0];
    if (sha === undefined) continue;
    const merged = operation === "merge" ? /^Merge (?:remote-tracking )?branch '([^']+)'/.exec(read(g("MERGE_MSG")) ?? "")?.[1] : undefined;
    const ours = await label(repo.top, "HEAD", headBranch);
    const theirs = await label(repo.top, sha, merged ?? (await branchAt(repo.top, sha)));
    return ours === undefined || theirs === undefined ? undefined : { operation, ours, theirs };
  }
  return undefined;
}

/**
 * Whether the commit that will conclude the operation in progress has HEAD as its only parent:
 * a rebase, cherry-pick or revert replays a commit onto HEAD, where a merge has two parents.
 */
export function replayingOntoHead(repo: Repo): boolean {
  const g = (name: string) => existsSync(join(repo.gitDir, name));
  if (g("MERGE_HEAD")) return false;
  return g("rebase-merge") || g("rebase-apply") || g("CHERRY_PICK_HEAD") || g("REVERT_HEAD") || g("REBASE_HEAD");
}
