/**
 * Private directories in the OS temp dir for plaintext that must not outlive the process
 * that made it (`vault edit`'s decrypted copy). A process that is killed outright (SIGKILL,
 * a power loss) cannot remove its own, so each is named after its maker,
 * `envvault-<purpose>-<pid>-<host>-XXXXXX`, and any later envvault run can tell a leftover
 * from a directory still in use and remove it.
 */
import { lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fsError, isAlive } from "./files.js";

/** purpose, pid, host; the last six characters are mkdtemp's. */
const SCRATCH_NAME = /^envvault-([a-z]+)-(\d+)-([\w.-]+)-[A-Za-z0-9]{6}$/;

/**
 * The host in a name: a pid only identifies a process on its own host, and a temp dir can
 * be shared (an NFS home, a container's bind mount).
 */
function hostTag(): string {
  return hostname().replace(/[^\w.-]/g, "_").slice(0, 64) || "unknown";
}

/**
 * Creates a new directory `envvault-<purpose>-<pid>-<host>-XXXXXX` in `os.tmpdir()` (so
 * TMPDIR is respected). mkdtemp creates it, fresh, with mode 0700, owned by this user.
 *
 * @param purpose - lower-case letters naming the user, e.g. "edit".
 * @throws VaultError when the temp dir cannot be written.
 */
export async function createScratchDir(purpose: string): Promise<string> {
  const prefix = join(tmpdir(), `envvault-${purpose}-${process.pid}-${hostTag()}-`);
  return mkdtemp(prefix).catch((error: unknown) => {
    throw fsError("create a private directory in", tmpdir(), error);
  });
}

/**
 * Removes the scratch directories that their process left behind: named as
 * {@link createScratchDir} names them, for this host, whose pid is no longer alive, and
 * that are real directories (not links) owned by this user. Anything else in the temp dir
 * is left alone, including a directory of a live process (a pid reused by an unrelated
 * process only delays the sweep). Best effort: never throws.
 */
export async function sweepScratchDirs(): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) return; // no owner to check a directory against (Windows)
  const dir = tmpdir();
  const host = hostTag();
  const names = await readdir(dir).catch(() => []);
  await Promise.all(
    names.map(async (name) => {
      const m = SCRATCH_NAME.exec(name);
      if (m === null || m[3] !== host || isAlive(Number(m[2]))) return;
      const path = join(dir, name);
      const info = await lstat(path).catch(() => undefined);
      if (info === undefined || !info.isDirectory() || info.uid !== uid) return;
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}
