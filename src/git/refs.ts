/**
 * A stamp of the refs the pre-commit hook's history starts from — this work tree's HEAD,
 * local branches and remote-tracking refs — read from the git directory's files, so that
 * the hook can tell "no branch moved since the cache was made" without starting git. The
 * reads are synchronous: a dozen small files, each read faster than a trip through the
 * thread pool, on every commit.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gitDirsQuick, smallText } from "./repo.js";


/** The loose refs under `dir/name` (relative names and contents), depth first, sorted. */
function looseRefs(dir: string, name: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(join(dir, name), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = `${name}/${e.name}`;
    if (e.isDirectory()) looseRefs(dir, path, out);
    else if (!e.name.endsWith(".lock")) out.push(`${path} ${(smallText(join(dir, path)) ?? "").trim()}`);
  }
}

/**
 * Hex SHA-256 of HEAD, the loose refs under `refs/heads/` and `refs/remotes/`, and the
 * identity of `packed-refs` (git rewrites it whole, under a new inode, whenever a packed ref
 * changes). Undefined when git keeps refs in a form this does not read (reftable) or `.git`
 * is neither a directory nor a `gitdir:` file: the caller then asks git every time.
 */
export function refsStamp(top: string): string | undefined {
  const dirs = gitDirsQuick(top);
  if (dirs === undefined) return undefined;
  const { gitDir, commonDir } = dirs;
  if (statSync(join(commonDir, "reftable"), { throwIfNoEntry: false }) !== undefined) return undefined;
  const head = smallText(join(gitDir, "HEAD"));
  if (head === undefined) return undefined;
  const lines = [`HEAD ${head.trim()}`];
  const packed = statSync(join(commonDir, "packed-refs"), { throwIfNoEntry: false });
  lines.push(packed === undefined ? "packed-refs -" : `packed-refs ${packed.ino} ${packed.size} ${packed.mtimeMs}`);
  looseRefs(commonDir, "refs/heads", lines);
  looseRefs(commonDir, "refs/remotes", lines);
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}
