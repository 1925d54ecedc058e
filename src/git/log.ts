/**
 * The commits of `git log --full-history` that touched a path: every commit that changed it
 * on any line of history, and every merge, with parents rewritten to the commits listed (so
 * the list is a graph of its own) and each commit's change of the path against its first
 * parent. `git log -- path` without `--full-history` hides a side branch whose change a merge
 * did not keep, and the merge with it.
 */
import { VaultError } from "../errors.js";
import { git } from "./exec.js";

/** One commit of the log. */
export interface LogRecord {
  commit: string;
  /** Parents rewritten to commits of the same log (none for the first commit that touched the path). */
  parents: string[];
  /** What `git log --decorate` names at this commit: `HEAD -> main`, `tag: v1`, `origin/main`. */
  refs: string[];
  author: string;
  /** Author date, ISO 8601. */
  date: string;
  subject: string;
  /** Files changed against the first parent (a root commit: against nothing): path → blob id after, undefined when deleted. */
  files: Map<string, string | undefined>;
}

const ZERO = /^0+$/;

/**
 * Parses `git log -z --raw --format=%x1e%H%x1f%P%x1f%D%x1f%an%x1f%aI%x1f%s` output: each
 * record opens with U+001E; its raw lines (`:mode mode oid oid status`, then the path) are
 * NUL-separated after the header. Pure.
 */
export function parseLog(stdout: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const record of stdout.split("\x1e")) {
    if (record === "") continue;
    const nul = record.indexOf("\0");
    const [commit = "", parents = "", refs = "", author = "", date = "", subject = ""] = (nul < 0 ? record : record.slice(0, nul)).split("\x1f");
    const files = new Map<string, string | undefined>();
    const tokens = (nul < 0 ? "" : record.slice(nul + 1)).split("\0").map((t) => t.replace(/^\n/, ""));
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] ?? "";
      if (!t.startsWith(":")) continue;
      const after = t.slice(1).split(" ")[3] ?? "";
      const path = tokens[++i] ?? "";
      files.set(path, ZERO.test(after) ? undefined : after);
    }
    out.push({
      commit,
      parents: parents.split(" ").filter((p) => p !== ""),
      refs: refs.split(", ").filter((r) => r !== ""),
      author,
      date,
      subject: subject.replace(/\n$/, ""),
      files,
    });
  }
  return out;
}

/**
 * The full history of `path` (a file or a directory ending in `/`), newest first. Parent
 * rewriting keeps every merge, so a merge that kept one side's version still shows, with the
 * side it dropped; merges get their diff against the first parent. The user's log settings
 * that would change the output (follow, signatures) are turned off.
 */
export async function fullHistory(top: string, path: string): Promise<LogRecord[]> {
  const args = [
    "log",
    "--full-history",
    "--parents",
    "--diff-merges=first-parent",
    "--root",
    "--raw",
    "-z",
    "--no-abbrev",
    "--no-renames",
    "--no-follow",
    "--no-show-signature",
    "--format=%x1e%H%x1f%P%x1f%D%x1f%an%x1f%aI%x1f%s",
    "--",
    path,
  ];
  const r = await git(args, { cwd: top, allowFail: true });
  if (r.code !== 0) {
    if (/does not have any commits|unknown revision|bad default revision/.test(r.stderr)) return [];
    throw new VaultError("FAILURE", `git log failed: ${r.stderr.trim()}`, { data: { exit: r.code } });
  }
  return parseLog(r.stdout.toString("utf8"));
}
