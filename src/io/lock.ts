/**
 * An advisory lock so two envvault processes do not rewrite the same files at once (a
 * post-checkout hook firing while `vault set` runs). Advisory: only envvault honours it.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { VaultError } from "../errors.js";
import { errnoCode, fsError, isAlive } from "./files.js";
import { sweepScratchDirs } from "./scratch.js";

/** Options of {@link withLock}. */
export interface LockOptions {
  /** How long to wait for another holder (default 10 s). */
  timeoutMs?: number;
  /** A lock untouched for this long is taken over, whoever holds it (default 10 min). */
  staleMs?: number;
  /** Mean pause between attempts (default 50 ms, jittered so waiters do not move in step). */
  retryMs?: number;
}

/** What a lock file says about its holder; no `owner` when it is not a lock's content (empty after a full disk, damaged). */
interface Holder {
  raw: string;
  owner?: { pid: number; host: string };
  since: Date;
}

/** Errors with which a file system refuses hard links (FAT, some FUSE and SMB mounts). */
const LINK_UNSUPPORTED = new Set(["EPERM", "ENOTSUP", "ENOSYS"]);

/**
 * Without hard links a lock is created empty and then written, so a lock without an owner
 * may be one being written: only this old does it count as abandoned. Generous, because
 * FAT keeps times to 2 s and a network file system's clock is not ours.
 */
const HALF_WRITTEN_MS = 5_000;

/**
 * Runs `fn` while holding `<dir>/lock`, which records pid, host name, time and a token. The
 * lock appears with its whole content at once (a temp file beside it, hard-linked to the
 * lock's name, which fails if the name is taken), so a lock that names no owner (empty,
 * damaged) is never one being written: it is taken over at once, without waiting, like the
 * lock of a process that is dead on this host. Any lock older than `staleMs` is taken over
 * too; otherwise this waits for the holder up to `timeoutMs`. Once acquired, the scratch
 * directories of dead envvault processes are swept (io/scratch.ts). The lock is released
 * when `fn` settles, but only if it is still ours.
 *
 * @throws VaultError LOCKED naming the lock file and the holder's pid when the wait times out.
 */
export async function withLock<T>(dir: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const file = join(dir, "lock");
  const content = await acquire(dir, file, opts);
  // Beside fn rather than before it, so that a hook pays nothing for it; it never throws.
  const sweep = sweepScratchDirs();
  try {
    return await fn();
  } finally {
    await sweep;
    await release(file, content);
  }
}

async function acquire(dir: string, file: string, opts: LockOptions): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
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
  const temp = tempBeside(file);
  await writeFile(temp, content, { flag: "wx", mode: 0o644 }).catch(async (error: unknown) => {
    await unlink(temp).catch(() => undefined);
    throw fsError("create the lock", file, error);
  });
  let linking: Promise<boolean> | undefined;
  const stale = (holder: Holder) => isStale(holder, staleMs, () => (linking ??= linksWork(temp)));
  try {
    for (;;) {
      if (await create(temp, file, content)) return content;
      const holder = await readHolder(file);
      if (holder === undefined) continue; // released between our two steps
      if ((await stale(holder)) && (await breakStale(file, temp, content, stale))) continue;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw lockedError(file, holder, timeoutMs);
      await sleep(Math.min(remaining, (opts.retryMs ?? 50) * (0.5 + Math.random())));
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * A temp file name beside `file` shaped like io/atomic.ts's (`.<name>.<pid>.<hex>.tmp`), so
 * that the sweep of dead writers' temp files in `.envvault.local/` also takes one a crash
 * left here.
 */
function tempBeside(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Gives `target` the content of `temp` if no such file exists; false when it does. */
async function create(temp: string, target: string, content: string): Promise<boolean> {
  try {
    await link(temp, target);
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    if (!LINK_UNSUPPORTED.has(errnoCode(error) ?? "")) throw fsError("create the lock", target, error);
  }
  try {
    // Not fsynced: after a crash the lock is stale whether or not it survived.
    await writeFile(target, content, { flag: "wx", mode: 0o644 });
    return true;
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw fsError("create the lock", target, error);
  }
}

/**
 * Whether the lock's directory takes hard links, so that every lock in it was created whole.
 * A link to the existing lock cannot tell: Linux reports EEXIST before it asks the file
 * system, so this links to a fresh name.
 */
async function linksWork(temp: string): Promise<boolean> {
  const probe = tempBeside(temp);
  try {
    await link(temp, probe);
  } catch {
    return false;
  }
  await unlink(probe).catch(() => undefined);
  return true;
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    const owner = parseOwner(raw);
    return { raw, since: info.mtime, ...(owner === undefined ? {} : { owner }) };
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw fsError("read the lock", file, error);
  }
}

function parseOwner(raw: string): Holder["owner"] {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { pid, host } = parsed as Record<string, unknown>;
    return Number.isSafeInteger(pid) && (pid as number) > 0 && typeof host === "string" ? { pid: pid as number, host } : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(holder: Holder, staleMs: number, linksWork: () => Promise<boolean>): Promise<boolean> {
  const age = Date.now() - holder.since.getTime();
  if (age > staleMs) return true;
  if (holder.owner === undefined) return age > HALF_WRITTEN_MS || (await linksWork());
  return holder.owner.host === hostname() && !isAlive(holder.owner.pid);
}


/**
 * Removes a stale lock. Waiters meeting the same stale lock break it one at a time, each
 * holding `<lock>.break` (created like the lock) while it checks the lock again and removes
 * it: otherwise one could remove the lock another had just created in its place, and both
 * would hold it. Since stale locks are broken at once, such meetings are the ordinary case
 * after a crash (a git hook and a command started together). Returns false when another
 * waiter is breaking it, for the caller to wait.
 */
async function breakStale(file: string, temp: string, content: string, stale: (h: Holder) => Promise<boolean>): Promise<boolean> {
  const guard = `${file}.break`;
  if (!(await create(temp, guard, content))) {
    // Held for two file operations; one left behind is a breaker that died between them.
    const breaker = await readHolder(guard);
    if (breaker === undefined) return true;
    if (!(await stale(breaker))) return false;
    await removeIfUnchanged(guard, breaker.raw);
    return true;
  }
  try {
    const current = await readHolder(file);
    if (current !== undefined && (await stale(current))) await removeIfUnchanged(file, current.raw);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
  return true;
}

/**
 * Removes the lock only if it still holds `raw`, so a lock that another waiter took over in
 * the meantime survives. Between the read and the unlink, only a breaker could replace the
 * lock, and breakers take turns (see {@link breakStale}) and leave alone the lock of a live
 * owner younger than `staleMs`.
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
  const { owner } = holder;
  const who = owner === undefined ? "another process" : `pid ${owner.pid}${owner.host === hostname() ? "" : ` on ${owner.host}`}`;
  return new VaultError("LOCKED", `${file} is held by ${who} since ${holder.since.toISOString()}; gave up after ${timeoutMs} ms`, {
    data: { file, pid: owner?.pid, host: owner?.host },
    hints: ["wait for the other envvault command to finish, then retry", `if no envvault command is running, delete ${file}`],
  });
}
