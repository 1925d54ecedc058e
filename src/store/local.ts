/**
 * `.envvault.local/`: this clone's own state (records of unlocks, caches, the lock, the
 * journal, backups, generated values). It is git-ignored, but a commit can still plant it as
 * a symlink, so it is reached only through these helpers, which refuse one.
 */
import { join } from "node:path";
import { checkInside, type InsideFile, mkdirInside, readInside } from "../io/confine.js";
import { withLock } from "../io/lock.js";
import { LOCAL_DIR } from "./root.js";

/** Makes `.envvault.local/` (0700) if needed; refuses it as a symlink or a file. Returns its path. */
export async function ensureLocalDir(root: string): Promise<string> {
  await mkdirInside(root, LOCAL_DIR, 0o700);
  return join(root, LOCAL_DIR);
}

/** The absolute path of a file in `.envvault.local/`, after checking the way there. */
export async function localPath(root: string, name: string): Promise<string> {
  return checkInside(root, `${LOCAL_DIR}/${name}`);
}

/** A file of `.envvault.local/`, or undefined when it does not exist. */
export async function readLocal(root: string, name: string): Promise<InsideFile | undefined> {
  return readInside(root, `${LOCAL_DIR}/${name}`);
}

/** {@link readLocal} as UTF-8 text (invalid bytes are replaced: these are envvault's own JSON files). */
export async function readLocalText(root: string, name: string): Promise<string | undefined> {
  return (await readLocal(root, name))?.bytes.toString("utf8");
}

/** Runs `fn` under the repository lock, `.envvault.local/lock`. */
export async function withRepoLock<T>(root: string, fn: () => Promise<T> | T): Promise<T> {
  return withLock(await ensureLocalDir(root), fn);
}
