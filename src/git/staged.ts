/** What the next commit adds or changes, read from the index for the pre-commit hook. */
import { git } from "./exec.js";

/** A file the next commit adds or changes, from `git diff --cached --raw`. */
export interface StagedFile {
  /** Path in the commit (the new name of a rename), relative to the top of the work tree. */
  path: string;
  /** The staged blob. */
  oid: string;
  /** The staged mode: 100644, 100755, 120000 (symlink), 160000 (submodule). */
  mode: string;
  /** A, C, M, R or T. */
  status: string;
  /** The old name, for renames and copies. */
  from?: string;
}

/** Parses `git diff --raw -z` output (paths NUL-terminated, so any byte in a name is safe). */
export function parseRaw(out: Buffer): StagedFile[] {
  const fields = out.toString("utf8").split("\0");
  const files: StagedFile[] = [];
  for (let i = 0; i < fields.length; i++) {
    const head = fields[i] ?? "";
    if (!head.startsWith(":")) continue;
    const [, dstMode = "", , dstOid = "", status = ""] = head.slice(1).split(" ");
    const letter = status.charAt(0);
    if (letter === "R" || letter === "C") {
      files.push({ path: fields[i + 2] ?? "", from: fields[i + 1] ?? "", oid: dstOid, mode: dstMode, status: letter });
      i += 2;
    } else {
      files.push({ path: fields[i + 1] ?? "", oid: dstOid, mode: dstMode, status: letter });
      i += 1;
    }
  }
  return files;
}

/**
 * What the commit being made adds or changes (deletions left out). On a branch with no
 * commit yet git compares the index with the empty tree, so this works in a new repository.
 */
export async function stagedFiles(top: string): Promise<StagedFile[]> {
  const r = await git(["diff", "--cached", "--raw", "-z", "-M", "--no-abbrev", "--diff-filter=ACMRT", "--ignore-submodules=all"], { cwd: top });
  return parseRaw(r.stdout);
}
