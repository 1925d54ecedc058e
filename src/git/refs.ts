/**
 * A stamp of the refs the pre-commit hook's history starts from — this work tree's HEAD,
 * local branches and remote-tracking refs — read from the git directory's files, so that
 * the hook can tell "no branch moved since the cache was made" without starting git.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gitDirsQuick } from "./repo.js";

/** The loose refs under `dir` (relative names and contents), depth first, sorted. */
async function looseRefs(dir: string, name: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(dir, name), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = `${name}/${e.name}`;
    if (e.isDirectory()) await looseRefs(dir, path, out);
    else if (!e.name.endsWith(".lock")) out.push(`${path} ${(await readFile(join(dir, path), "utf8").catch(() => "")).trim()}`);
  }
}

/**
 * Hex SHA-256 of HEAD, the loose refs under `refs/heads/` and `refs/remotes/`, and the
 * identity of `packed-refs` (git rewrites it whole, under a new inode, whenever a packed ref
 * changes). Undefined when git keeps refs in a form this does not read (reftable) or `.git`
 * is neither a directory nor a `gitdir:` file: the caller then asks git every time.
 */
export async function refsStamp(top: string): Promise<string | undefined> {
  const dirs = await gitDirsQuick(top);
  if (dirs === undefined) return undefined;
  const { gitDir, commonDir } = dirs;
  if (await stat(join(commonDir, "reftable")).then(() => true, () => false)) return undefined;
  const head = await readFile(join(gitDir, "HEAD"), "utf8").catch(() => undefined);
  if (head === undefined) return undefined;
  const lines = [`HEAD ${head.trim()}`];
  const packed = await stat(join(commonDir, "packed-refs")).catch(() => undefined);
  lines.push(packed === undefined ? "packed-refs -" : `packed-refs ${packed.ino} ${packed.size} ${packed.mtimeMs}`);
  await looseRefs(commonDir, "refs/heads", lines);
  await looseRefs(commonDir, "refs/remotes", lines);
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}
