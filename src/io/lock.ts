/**
 * An advisory lock so two envvault processes do not rewrite the same files at once (a
 * post-checkout hook firing while `vault set` runs). Advisory: only envvault honours it.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { VaultError } from "../errors.js";
import { errnoCode, fsError } from "./files.js";

/** Options of {@link withLock}. */
export interface LockOptions {
  /** How long to wait for another holder (default 10 s). */
  timeoutMs?: number;
  /** A lock untouched for this long is taken over, whoever holds it (default 10 min). */
  staleMs?: number;
  /** Mean pause between attempts (default 50 ms, jittered so waiters do not move in step). */
  retryMs?: number;
}

/** What a lock file says about its holder; `pid`/`host` are missing while it is being written. */
interface Holder {
  raw: string;
  pid?: number;
  host?: string;
  since: Date;
}

/**
 * Runs `fn` while holding `<dir>/lock` (created with O_EXCL; it records pid, host name,
 * time). Waits for another holder up to `timeoutMs`, taking the lock over when it is
 * stale: its process is dead on this host, or it is older than `staleMs`. The lock is
 * released when `fn` settles, but only if it is still ours.
 *
 * @throws VaultError LOCKED naming the lock file and the holder's pid when the wait times out.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const file = join(dir, "lock");
  const content = await acquire(dir, file, opts);
  try {
    return await fn();
  } finally {
    await release(file, content);
  }
}

async function acquire(dir: string, file: string, opts: LockOptions): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const content = `${JSON.stringify({
    pid: process.pid,
    host: hostname(),
    time: new Date().toISOString(),
    token: randomBytes(8).toString("hex"), // tells two holders in one process apart
  })}\n`;
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw fsError("create the lock directory", dir, error);
  });
  for (;;) {
    if (await tryCreate(file, content)) return content;
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released between our two steps
    if (isStale(holder, staleMs)) {
      await removeIfUnchanged(file, holder.raw);
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(file, holder, opts.timeoutMs ?? 10_000);
    await sleep(Math.min(remaining, (opts.retryMs ?? 50) * (0.5 + Math.random())));
  }
}

async function tryCreate(file: string, content: string): Promise<boolean> {
  try {
    // Not fsynced: after a crash the lock is stale whether or not it survived, and a reader
    // of a half-written one goes by its age.
    await writeFile(file, content, { flag: "wx", mode: 0o644 });
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw fsError("create the lock", file, error);
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    return { raw, since: info.mtime, ...parseHolder(raw) };
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw fsError("read the lock", file, error);
  }
}

function parseHolder(raw: string): Pick<Holder, "pid" | "host"> {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return {};
    const { pid, host } = parsed as Record<string, unknown>;
    return {
      ...(Number.isSafeInteger(pid) && (pid as number) > 0 ? { pid: pid as number } : {}),
      ...(typeof host === "string" ? { host } : {}),
    };
  } catch {
    return {}; // still being written, or damaged: only its age can make it stale
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (Date.now() - holder.since.getTime() > staleMs) return true;
  return holder.host === hostname() && holder.pid !== undefined && !isAlive(holder.pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Removes the lock only if it still holds `raw`, so a lock that another waiter took over
 * in the meantime survives. A tiny window between the read and the unlink remains; closing
 * it would need a second lock with its own stale handling, which costs more than it saves
 * for an advisory lock.
 */
async function removeIfUnchanged(file: string, raw: string): Promise<void> {
  const current = await readHolder(file);
  if (current?.raw !== raw) return;
  await unlink(file).catch((error: unknown) => {
    if (errnoCode(error) !== "ENOENT") throw fsError("remove the lock", file, error);
  });
}

/** Never throws: it runs in a finally, where it must not hide the error of `fn`. */
async function release(file: string, content: string): Promise<void> {
  await removeIfUnchanged(file, content).catch(() => undefined);
}

function lockedError(file: string, holder: Holder, timeoutMs: number): VaultError {
  const who = holder.pid === undefined ? "another process" : `pid ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host ?? "another host"}`}`;
  return new VaultError("LOCKED", `${file} is held by ${who} since ${holder.since.toISOString()}; gave up after ${timeoutMs} ms`, {
    data: { file, pid: holder.pid, host: holder.host },
    hints: ["wait for the other envvault command to finish, then retry", `if no envvault command is running, delete ${file}`],
  });
}
