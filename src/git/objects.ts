/**
 * The commit graph and the vault's files in every commit, read for the history check of
 * `vault verify` (docs/FORMAT.md §6): one `git rev-list` for the graph, then a few `git
 * cat-file` runs that ask for each distinct tree and blob once, so a thousand commits that
 * share most of their vault cost little more than the commits that changed it.
 */
import { git } from "./exec.js";

/** A commit and its parents, as `git rev-list --parents` gives them. */
export interface CommitNode {
  oid: string;
  parents: string[];
}

/**
 * The commits reachable from `tips` but not from `exclude`, parents before children
 * (`--topo-order --reverse`). Shallow boundaries show up as commits whose parents are absent.
 */
export async function commitsBetween(top: string, tips: readonly string[], exclude: readonly string[]): Promise<CommitNode[]> {
  if (tips.length === 0) return [];
  const r = await git(["rev-list", "--ignore-missing", "--topo-order", "--reverse", "--parents", ...tips, ...(exclude.length === 0 ? [] : ["--not", ...exclude]), "--"], { cwd: top });
  return r.stdout
    .toString("utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const [oid = "", ...parents] = l.split(" ");
      return { oid, parents };
    });
}

/**
 * The blobs under `paths` (with their paths) in the latest `depth` commits, by commit date,
 * reachable from any local branch, remote-tracking ref or HEAD: the history whose values the
 * pre-commit hook knows. One `git rev-list --objects`; `--full-history --sparse` keep every
 * commit in the count, not only those that touch `paths`, while the pathspec keeps the
 * objects listed to those under `paths` (each once). Trees under `paths` are listed too;
 * callers tell files by their names. Empty in a repository without commits.
 */
export async function recentObjects(top: string, depth: number, paths: readonly string[]): Promise<{ oid: string; path: string }[]> {
  if (depth <= 0) return [];
  const r = await git(["rev-list", "--ignore-missing", `--max-count=${depth}`, "--full-history", "--sparse", "--objects", "--branches", "--remotes", "HEAD", "--", ...paths], { cwd: top });
  const out: { oid: string; path: string }[] = [];
  for (const line of r.stdout.toString("utf8").split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0 && space < line.length - 1) out.push({ oid: line.slice(0, space), path: line.slice(space + 1) });
  }
  return out;
}

/** `git cat-file --batch-check` for object names (`<commit>:<path>`): the oid and type of each, or undefined when missing. */
export async function objectIds(top: string, names: readonly string[]): Promise<Map<string, { oid: string; type: string } | undefined>> {
  const out = new Map<string, { oid: string; type: string } | undefined>();
  if (names.length === 0) return out;
  // git answers one line per request, in order: `<oid> <type>`, or `<name> missing`.
  const r = await git(["cat-file", "--batch-check=%(objectname) %(objecttype)"], { cwd: top, input: names.join("\n") + "\n" });
  const lines = r.stdout.toString("utf8").split("\n");
  for (const [i, name] of names.entries()) {
    const line = lines[i] ?? "";
    const parts = line.split(" ");
    out.set(name, line.endsWith(" missing") || parts.length !== 2 ? undefined : { oid: parts[0] ?? "", type: parts[1] ?? "" });
  }
  return out;
}

/** The contents of objects by oid (each asked once). */
export async function objectContents(top: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const wanted = [...new Set(oids)];
  const out = new Map<string, Buffer>();
  if (wanted.length === 0) return out;
  const r = await git(["cat-file", "--batch"], { cwd: top, input: wanted.join("\n") + "\n" });
  const stdout = r.stdout;
  let at = 0;
  while (at < stdout.length) {
    const eol = stdout.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = stdout.toString("latin1", at, eol).split(" ");
    at = eol + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    out.set(header[0] ?? "", stdout.subarray(at, at + size));
    at += size + 1;
  }
  return out;
}

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** Parses a tree object: `<mode> <name>\0<oid>` entries, the oid 20 bytes (SHA-1) or 32 (SHA-256). */
export function parseTree(bytes: Buffer, oidBytes = 20): TreeEntry[] {
  const out: TreeEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const nul = bytes.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > bytes.length) break;
    out.push({ mode: bytes.toString("latin1", at, space), name: bytes.toString("utf8", space + 1, nul), oid: bytes.subarray(nul + 1, nul + 1 + oidBytes).toString("hex") });
    at = nul + 1 + oidBytes;
  }
  return out;
}

/** Whether the repository is a shallow clone (its oldest commits' parents are not here). */
export async function isShallow(top: string): Promise<boolean> {
  const r = await git(["rev-parse", "--is-shallow-repository"], { cwd: top, allowFail: true });
  return r.stdout.toString("utf8").trim() === "true";
}
