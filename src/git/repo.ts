/** The repository around a directory (its work tree and git directories), HEAD and unmerged paths, from the system git. */
import { UsageError, VaultError } from "../errors.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { git } from "./exec.js";

/** Where a repository with a work tree keeps its parts (absolute paths). */
export interface Repo {
  /** The top of the work tree. */
  top: string;
  /** This work tree's git directory (`.git`, or `.git/worktrees/NAME` in a linked worktree). */
  gitDir: string;
  /** The directory shared by all work trees: objects, refs, config, hooks. */
  commonDir: string;
}

/**
 * The repository around `cwd`. A bare repository and a directory outside any repository
 * are errors that say so: everything envvault does with git needs a work tree.
 */
export async function findRepo(cwd: string): Promise<Repo> {
  const r = await git(["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir", "--is-bare-repository", "--show-toplevel"], {
    cwd,
    allowFail: true,
  });
  const lines = r.stdout.toString("utf8").split("\n");
  if (r.code === 0 && lines[2] === "false" && lines[3] !== undefined && lines[3] !== "") {
    return { gitDir: lines[0] ?? "", commonDir: lines[1] ?? "", top: lines[3] };
  }
  if (lines[2] === "true" || /must be run in a work tree/.test(r.stderr)) {
    throw new UsageError(`${cwd} is a bare repository (it has no work tree)`, {
      hints: ["hooks, unlock and merges of the vault work in a clone with a work tree: `git clone` it and run vault there"],
    });
  }
  throw new VaultError("NOT_FOUND", `${cwd} is not in a git repository`, {
    hints: ["run `git init` first, or pass --cwd DIR to point at a repository"],
  });
}

/** The commit HEAD points at, or undefined on a branch with no commit yet. */
export async function headCommit(top: string): Promise<string | undefined> {
  const r = await git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { cwd: top, allowFail: true });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : undefined;
}

/** The commit being merged into HEAD while a merge is in progress (MERGE_HEAD), else undefined. */
export async function mergeHead(top: string): Promise<string | undefined> {
  const r = await git(["rev-parse", "--verify", "--quiet", "MERGE_HEAD^{commit}"], { cwd: top, allowFail: true });
  return r.code === 0 ? r.stdout.toString("utf8").trim() : undefined;
}

/**
 * Paths under `pathspecs` that the index holds unmerged (a merge or rebase stopped on them),
 * sorted, each once (git lists one line per conflict stage).
 */
export async function unmergedPaths(top: string, pathspecs: readonly string[]): Promise<string[]> {
  const r = await git(["ls-files", "-u", "-z", "--", ...pathspecs], { cwd: top });
  const paths = r.stdout
    .toString("utf8")
    .split("\0")
    .map((l) => l.split("\t")[1] ?? "")
    .filter((p) => p !== "");
  return [...new Set(paths)].sort();
}

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

const textOf = async (p: string) => readFile(p, "utf8").catch(() => undefined);

/** A small file's text, or undefined (read synchronously: a trip through the thread pool costs more). */
export const smallText = (p: string): string | undefined => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

/**
 * The git directories of the work tree at `top`, read from `.git` (a directory, or a file
 * naming one, as in a linked worktree) and its `commondir`, without running git; undefined
 * when `.git` is neither.
 */
export function gitDirsQuick(top: string): Omit<Repo, "top"> | undefined {
  let gitDir = join(top, ".git");
  const dotGit = smallText(gitDir);
  if (dotGit !== undefined) {
    const m = /^gitdir: (.+)\n?$/.exec(dotGit);
    if (m === null) return undefined;
    gitDir = resolve(top, m[1] ?? "");
  }
  const common = smallText(join(gitDir, "commondir"))?.trim();
  return { gitDir, commonDir: common === undefined ? gitDir : resolve(gitDir, common) };
}

/**
 * The commit HEAD points at, read from the git directory's files when they are plain (a
 * branch ref file or packed-refs), else from git: readers ask on every run, and a process
 * of git costs more than the whole read otherwise.
 */
export async function headCommitQuick(top: string): Promise<string | undefined> {
  try {
    const dirs = gitDirsQuick(top);
    if (dirs === undefined) return await headCommit(top);
    const { gitDir, commonDir } = dirs;
    const head = (await textOf(join(gitDir, "HEAD")))?.trim();
    if (head === undefined) return await headCommit(top);
    if (OID.test(head)) return head;
    const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
    if (ref === undefined || ref.includes("..")) return await headCommit(top);
    for (const dir of [gitDir, commonDir]) {
      const oid = (await textOf(join(dir, ref)))?.trim();
      if (oid !== undefined) return OID.test(oid) ? oid : await headCommit(top);
    }
    const packed = await textOf(join(commonDir, "packed-refs"));
    const line = packed?.split("\n").find((l) => l.endsWith(` ${ref}`));
    const oid = line?.split(" ")[0];
    if (oid !== undefined && OID.test(oid)) return oid;
    return await headCommit(top);
  } catch {
    return headCommit(top);
  }
}

/** git's object id of a blob with these bytes (`git hash-object`): SHA-1, or SHA-256 in a repository whose ids are 64 digits long. */
export function blobId(bytes: Uint8Array, oidLength = 40): string {
  return createHash(oidLength === 64 ? "sha256" : "sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
