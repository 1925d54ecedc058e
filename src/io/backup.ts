/**
 * Timestamped copies of a target taken before envvault rewrites it, kept under
 * `<root>/.envvault.local/backups/` (git-ignored, private to this machine).
 *
 * A backup's name is `<encoded repo-relative path>~<UTC timestamp>-<counter>.bak`, e.g.
 * `api%2F.env~20250102T030405.678Z-000.bak`. The encoding escapes `%`, `/`, `\`, `~` and
 * `#`, so it is reversible: two different targets never share a prefix, and the `~`
 * always ends it. Names sort in creation order.
 */
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { chmod, open, readdir, rm } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { mkdirInside } from "./confine.js";
import { createSynced, errnoCode, fsError, syncDirectory } from "./files.js";

/** Where backups live, relative to the repository root. */
export const BACKUP_DIR = ".envvault.local/backups";

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;
/** Keeps a backup name under the usual 255-byte file name limit. */
const MAX_ENCODED_LENGTH = 160;
/** Counters stay three digits wide so names keep sorting in creation order. */
const MAX_COUNTER = 999;
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z-\d{3}\.bak$/;

/** Options of {@link backup}. */
export interface BackupOptions {
  /** The repository root: backups go under it, and names derive from the path relative to it. */
  root: string;
  /** Backups kept per target, the newest ones (default 10); below 1 no backup is made. */
  keep?: number;
  /** The clock, for tests. */
  now?: () => Date;
}

/** One backup found by {@link listBackups}. */
export interface BackupEntry {
  /** Absolute path of the backup file. */
  path: string;
  /** When it was taken (UTC, millisecond precision). */
  time: Date;
}

/**
 * Copies the current content of `targetPath` (relative to `root`, or absolute) into the
 * backup directory with mode 0600 (directory 0700), fsynced, then removes that target's
 * oldest backups beyond `keep`. Two backups in the same millisecond get distinct names.
 *
 * @returns the backup's path, or `undefined` when the target does not exist (or `keep` < 1).
 */
export async function backup(targetPath: string, opts: BackupOptions): Promise<string | undefined> {
  const keep = opts.keep ?? 10;
  const target = resolve(opts.root, targetPath);
  const content = keep < 1 ? undefined : await readIfExists(target);
  if (content === undefined) return undefined;
  const dir = await ensurePrivateDir(opts.root);
  const prefix = encodeTarget(opts.root, target);
  const created = await createBackup(dir, prefix, stamp((opts.now ?? (() => new Date()))()), content, target);
  await prune(dir, prefix, keep, created);
  return created;
}

/** The backups of `targetPath`, oldest first; none when the backup directory does not exist. */
export async function listBackups(targetPath: string, opts: Pick<BackupOptions, "root">): Promise<BackupEntry[]> {
  const dir = resolve(opts.root, BACKUP_DIR);
  return entriesFor(dir, encodeTarget(opts.root, resolve(opts.root, targetPath)));
}

/** The target's bytes, never through a symlink: a backup of `~/.ssh/id_ed25519` would be a copy of it. */
async function readIfExists(target: string): Promise<Uint8Array | undefined> {
  try {
    const handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw fsError("read", target, error);
  }
}

/** `.envvault.local/backups/` (0700), reached without passing a symlink. */
async function ensurePrivateDir(root: string): Promise<string> {
  const dir = resolve(root, BACKUP_DIR);
  try {
    await mkdirInside(resolve(root), BACKUP_DIR, PRIVATE_DIR);
    await chmod(dir, PRIVATE_DIR); // it may predate us with looser permissions
  } catch (error) {
    throw fsError("create the backup directory", dir, error);
  }
  return dir;
}

async function createBackup(dir: string, prefix: string, time: string, content: Uint8Array, target: string): Promise<string> {
  for (let counter = 0; ; counter++) {
    const path = join(dir, `${prefix}~${time}-${String(counter).padStart(3, "0")}.bak`);
    try {
      await createSynced(path, content, PRIVATE_FILE);
    } catch (error) {
      if (errnoCode(error) === "EEXIST" && counter < MAX_COUNTER) continue;
      throw fsError(`back up ${target} to`, path, error);
    }
    await syncDirectory(dir); // the backup must outlive the rewrite of the target that follows
    return path;
  }
}

/** Removes the oldest backups beyond `keep`, never `created` (a clock set back makes it sort first). */
async function prune(dir: string, prefix: string, keep: number, created: string): Promise<void> {
  const older = (await entriesFor(dir, prefix)).filter((e) => e.path !== created);
  for (const entry of older.slice(0, Math.max(0, older.length - (keep - 1)))) {
    await rm(entry.path, { force: true }).catch((error: unknown) => {
      throw fsError("remove the old backup", entry.path, error);
    });
  }
}

async function entriesFor(dir: string, prefix: string): Promise<BackupEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw fsError("list the backups in", dir, error);
  }
  const entries: BackupEntry[] = [];
  for (const name of names.filter((n) => n.startsWith(`${prefix}~`)).sort()) {
    const time = parseStamp(name.slice(prefix.length + 1));
    if (time !== undefined) entries.push({ path: join(dir, name), time });
  }
  return entries;
}

/** Injective, so `api/.env` and `api_.env` (or `api%2F.env`) never share backups. */
function encodeTarget(root: string, target: string): string {
  const repoPath = relative(resolve(root), target).split(sep).join("/");
  const encoded = repoPath.replace(/[%/\\~#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  if (encoded.length <= MAX_ENCODED_LENGTH) return encoded;
  // '#' is escaped above, so a shortened name never equals an unshortened one.
  const digest = createHash("sha256").update(repoPath).digest("hex").slice(0, 32);
  return `${encoded.slice(0, MAX_ENCODED_LENGTH - 33)}#${digest}`;
}

/** ISO 8601 basic format (no ':' so the name is valid on every file system). */
function stamp(time: Date): string {
  return time.toISOString().replace(/[-:]/g, "");
}

function parseStamp(text: string): Date | undefined {
  const m = STAMP.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}
