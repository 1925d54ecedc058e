import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { prepareWrites } from "../io/atomic.js";
import { withLock } from "../io/lock.js";
import { LOCAL_DIR } from "../store/root.js";
import { Vault } from "../store/vault.js";

/** New file contents by repo-relative path; null deletes the file. */
export type Changes = Map<string, string | null>;

/**
 * Loads the vault under the repository lock, lets `fn` compute every new file in memory,
 * then writes only the files whose bytes differ. Nothing is written when `fn` throws.
 */
export async function transaction<T>(root: string, fn: (vault: Vault) => Promise<{ changes: Changes; result: T }>): Promise<T> {
  const local = join(root, LOCAL_DIR);
  await mkdir(local, { recursive: true, mode: 0o700 });
  return withLock(local, async () => {
    const vault = await Vault.load(root);
    const { changes, result } = await fn(vault);
    await applyChanges(root, changes);
    return result;
  });
}

export async function applyChanges(root: string, changes: Changes): Promise<string[]> {
  const writes: { path: string; data: string; mode: number }[] = [];
  const deletes: string[] = [];
  for (const [rel, data] of [...changes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = join(root, rel);
    const current = await readFile(path, "utf8").catch(() => undefined);
    if (data === null) {
      if (current !== undefined) deletes.push(path);
    } else if (current !== data) {
      await mkdir(join(path, ".."), { recursive: true });
      writes.push({ path, data, mode: 0o644 });
    }
  }
  if (writes.length > 0) {
    const staged = await prepareWrites(writes);
    await staged.commit();
  }
  for (const path of deletes) await rm(path, { force: true });
  return [...writes.map((w) => w.path), ...deletes];
}

