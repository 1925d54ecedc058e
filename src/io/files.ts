/** Low-level file helpers shared by the io modules. */
import { open, rm } from "node:fs/promises";
import { type ErrorData, VaultError } from "../errors.js";

/** File content: a string is written as UTF-8. */
export type FileData = string | Uint8Array;

/** Errors with which platforms (Windows, some network file systems) refuse to fsync a directory. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(["EISDIR", "EPERM", "EINVAL", "ENOTSUP", "EACCES"]);

/** The `code` of a Node.js system error (`ENOENT`, `EACCES`…), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (error instanceof VaultError) return undefined; // its `code` is ours, not an errno
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/**
 * Turns a failed file-system call into a {@link VaultError} naming the file, so `cli/`
 * can render it; a VaultError passes through unchanged.
 *
 * @param action - what was being done, as a verb phrase ("write", "read", "create a backup of").
 * @param data - extra non-secret facts for the error's `data`.
 */
export function fsError(action: string, file: string, cause: unknown, data: ErrorData = {}): VaultError {
  if (cause instanceof VaultError) return cause;
  const code = errnoCode(cause);
  const reason = code ?? (cause instanceof Error ? cause.message : String(cause));
  const hints = code === "EACCES" || code === "EPERM" ? ["check the permissions of the file and its directory"] : [];
  return new VaultError(code === "ENOENT" ? "NOT_FOUND" : "FAILURE", `cannot ${action} ${file}: ${reason}`, {
    data: { ...data, file },
    hints,
    cause,
  });
}

/**
 * Creates `file` exclusively (never following or reusing a planted path) with exactly
 * `mode`, writes `data` and fsyncs it; on failure the file is removed again.
 */
export async function createSynced(file: string, data: FileData, mode: number): Promise<void> {
  const handle = await open(file, "wx", mode);
  let written = false;
  try {
    await handle.chmod(mode); // open's mode went through the umask; the target's mode must not
    await handle.writeFile(data);
    await handle.sync();
    written = true;
  } finally {
    await handle.close();
    if (!written) await rm(file, { force: true });
  }
}

/** Makes renames and creations in `dir` durable, where the platform can. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has(errnoCode(error) ?? "")) throw fsError("flush the directory", dir, error);
  }
}

/** Whether a process of this host with that pid exists (EPERM: it does, as another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM"; // exists, owned by someone else
  }
}
