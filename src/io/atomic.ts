/**
 * Crash-safe file replacement and strict UTF-8 reading.
 *
 * Every write goes to a temp file in the target's own directory (a rename is atomic only
 * within one file system), is fsynced, renamed over the target, and the directory is
 * fsynced so the rename itself survives a power loss. A reader therefore sees the old
 * bytes or the new bytes, never a mix.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { InvalidFile, UnsafePath, where } from "../errors.js";
import { createSynced, errnoCode, type FileData, fsError, isAlive, syncDirectory } from "./files.js";
import { FS_CONCURRENCY, mapConcurrent } from "./concurrent.js";

/** Mode of a file that did not exist before: readable by its owner only. */
const NEW_FILE_MODE = 0o600;

export type { FileData } from "./files.js";

/** Options of {@link writeFileAtomic}. */
export interface WriteOptions {
  /** Mode for a file that does not exist yet (default 0600). An existing file keeps its own mode. */
  mode?: number;
}

/** One file of a multi-file write. */
export interface FileWrite extends WriteOptions {
  path: string;
  data: FileData;
}

/** A new content written and fsynced beside its target, waiting for the rename. */
export interface StagedFile {
  /** The absolute path the rename replaces. */
  readonly target: string;
  /** The temp file holding the new content, in the target's directory. */
  readonly temp: string;
}

/** The staged temp files of {@link prepareWrites}; exactly one of `commit` or `abort` should follow. */
export interface StagedWrite {
  readonly files: readonly StagedFile[];
  /**
   * Renames each temp file over its target in order, then fsyncs the directories. Each
   * rename is atomic, the set is not: a crash between two renames leaves the earlier
   * targets new and the later ones old (their temp files stay behind). If a rename fails,
   * the remaining temp files are removed and the error's `data.replaced` lists the targets
   * already replaced.
   */
  commit(): Promise<void>;
  /** Removes the temp files, best effort; the targets were never touched. */
  abort(): Promise<void>;
}

/** Options of {@link readText} and {@link decodeText}. */
export interface ReadTextOptions {
  /**
   * Refuse a NUL byte. Off by default: the `.env` parser keeps such lines verbatim, so
   * only callers that need real text (YAML, key files) ask for it.
   */
  rejectNul?: boolean;
}

/**
 * Replaces `path` with `data` atomically: the file holds either its old or its new content
 * at every instant, even across a crash. An existing file keeps its mode; a new file gets
 * `opts.mode`, default 0600. On any error the temp file
 * is removed and the target is untouched; the error is a `VaultError` naming the file. A
 * symlink in place of `path` is refused (UnsafePath), never followed.
 */
export async function writeFileAtomic(path: string, data: FileData, opts: WriteOptions = {}): Promise<void> {
  await writeFilesAtomic([{ ...opts, path, data }]);
}

/**
 * {@link writeFileAtomic}, skipped when the file already holds exactly `text`: state that a
 * command rewrites unchanged on every run (a no-change unlock, a git hook) costs no temp
 * file, fsync and rename. Returns whether it wrote.
 */
export async function writeFileAtomicIfChanged(path: string, text: string, opts: WriteOptions = {}): Promise<boolean> {
  const current = await readNoFollow(path).then((b) => b.toString("utf8"), () => undefined);
  if (current === text) return false;
  await writeFileAtomic(path, text, opts);
  return true;
}

/**
 * Writes several files: every temp file is written and fsynced before the first rename,
 * so a failure while preparing changes nothing. The renames are not one atomic step; see
 * {@link StagedWrite.commit} for what a crash between them leaves.
 */
export async function writeFilesAtomic(files: readonly FileWrite[]): Promise<void> {
  const staged = await prepareWrites(files);
  await staged.commit();
}

/**
 * First half of {@link writeFilesAtomic}: writes and fsyncs a temp file beside each target
 * and returns them without touching any target, so a caller (a journal) can record the
 * plan before calling `commit`. If staging any file fails, the temp files already written
 * are removed and the error is thrown.
 */
export async function prepareWrites(files: readonly FileWrite[]): Promise<StagedWrite> {
  // Several at a time, so that the fsyncs of a large change (a rotation re-wraps hundreds of
  // key files) overlap instead of queueing one after another; kept in the order given.
  const slots: (StagedFile | undefined)[] = [];
  let failure: unknown;
  await mapConcurrent(files, FS_CONCURRENCY, async (f, i) => {
    if (failure !== undefined) return; // once one failed, stage no more; those staged are removed below
    try {
      slots[i] = await stage(f);
    } catch (error) {
      failure ??= error;
    }
  });
  const staged = slots.filter((f): f is StagedFile => f !== undefined);
  if (failure !== undefined) {
    await removeTemps(staged);
    throw failure;
  }
  return {
    files: staged,
    commit: () => commitStaged(staged),
    abort: () => removeTemps(staged),
  };
}

/**
 * Reads a file as UTF-8, refusing invalid bytes instead of replacing them with U+FFFD
 * (which would silently corrupt a secret on the next write). A BOM is kept in the text.
 *
 * @throws InvalidFile naming the file, line, column and byte offset of the first invalid
 *   sequence (or NUL byte, with `rejectNul`); a `VaultError` (NOT_FOUND or FAILURE) when
 *   the file cannot be read.
 */
export async function readText(path: string, opts: ReadTextOptions = {}): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fsError("read", path, error);
  }
  return decodeText(bytes, path, opts);
}

/**
 * The strict decoding of {@link readText} for bytes from elsewhere (a git blob); `file`
 * names the source in errors.
 */
export function decodeText(bytes: Uint8Array, file: string, opts: ReadTextOptions = {}): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw badByte(bytes, firstInvalidUtf8(bytes), file, "is not valid UTF-8", cause);
  }
  const nul = opts.rejectNul ? bytes.indexOf(0) : -1;
  if (nul >= 0) throw badByte(bytes, nul, file, "contains a NUL byte");
  return text;
}

/** A file's bytes, refusing to open it through a symlink (ELOOP). */
async function readNoFollow(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function stage(file: FileWrite): Promise<StagedFile> {
  const target = await resolveTarget(file.path);
  const mode = (await existingMode(target)) ?? file.mode ?? NEW_FILE_MODE;
  const temp = join(dirname(target), `.${basename(target).slice(0, 100)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await createSynced(temp, file.data, mode);
  } catch (error) {
    throw fsError("write", target, error);
  }
  return { target, temp };
}

/**
 * A symlink in place of the file is refused rather than followed or replaced: envvault writes
 * files that a commit can name or plant (targets, vault files, `.gitignore`), and following a
 * planted link would write outside the repository (io/confine.ts walks the parents).
 */
async function resolveTarget(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await lstat(absolute).catch((error: unknown) => {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw fsError("inspect", absolute, error);
  });
  if (info?.isSymbolicLink()) {
    throw new UnsafePath(`${path} is a symlink; envvault does not write through symlinks`, {
      data: { file: path },
      hints: [`replace ${path} with a regular file, then run the command again`],
    });
  }
  return absolute;
}

async function existingMode(target: string): Promise<number | undefined> {
  try {
    return (await lstat(target)).mode & 0o7777;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw fsError("read the mode of", target, error);
  }
}

async function commitStaged(staged: readonly StagedFile[]): Promise<void> {
  for (const [index, file] of staged.entries()) {
    try {
      await rename(file.temp, file.target);
    } catch (error) {
      await removeTemps(staged.slice(index));
      throw fsError("replace", file.target, error, { replaced: staged.slice(0, index).map((f) => f.target) });
    }
  }
  for (const dir of new Set(staged.map((f) => dirname(f.target)))) await syncDirectory(dir);
}

/** Best effort: this runs while another error is on its way up, which must not be masked. */
async function removeTemps(staged: readonly StagedFile[]): Promise<void> {
  await Promise.allSettled(staged.map((f) => rm(f.temp, { force: true })));
}

function badByte(bytes: Uint8Array, offset: number, file: string, problem: string, cause?: unknown): InvalidFile {
  const line = 1 + countNewlines(bytes, offset);
  const column = offset - bytes.lastIndexOf(0x0a, offset - 1);
  return new InvalidFile(`${where(file, line)}: ${problem} (byte ${offset}, column ${column})`, {
    data: { file, line, column, offset },
    hints: ["save the file as UTF-8 text"],
    cause,
  });
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) count++;
  return count;
}

/**
 * Well-formed UTF-8 per RFC 3629 / the WHATWG decoder: for each lead byte range, the
 * sequence length and the range of the second byte (which excludes overlongs, surrogates
 * and code points above U+10FFFF).
 */
const UTF8_LEADS: readonly { from: number; to: number; length: number; low: number; high: number }[] = [
  { from: 0xc2, to: 0xdf, length: 2, low: 0x80, high: 0xbf },
  { from: 0xe0, to: 0xe0, length: 3, low: 0xa0, high: 0xbf },
  { from: 0xe1, to: 0xec, length: 3, low: 0x80, high: 0xbf },
  { from: 0xed, to: 0xed, length: 3, low: 0x80, high: 0x9f },
  { from: 0xee, to: 0xef, length: 3, low: 0x80, high: 0xbf },
  { from: 0xf0, to: 0xf0, length: 4, low: 0x90, high: 0xbf },
  { from: 0xf1, to: 0xf3, length: 4, low: 0x80, high: 0xbf },
  { from: 0xf4, to: 0xf4, length: 4, low: 0x80, high: 0x8f },
];

/** Byte offset of the first ill-formed sequence (the decoder only says that one exists). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

function sequenceLength(bytes: Uint8Array, at: number): number {
  const lead = bytes[at] ?? 0;
  if (lead < 0x80) return 1;
  const rule = UTF8_LEADS.find((r) => lead >= r.from && lead <= r.to);
  if (rule === undefined) return 0;
  const second = bytes[at + 1] ?? -1;
  if (second < rule.low || second > rule.high) return 0;
  for (let k = 2; k < rule.length; k++) {
    if (((bytes[at + k] ?? 0) & 0xc0) !== 0x80) return 0;
  }
  return rule.length;
}

/** `.<target name>.<pid>.<12 hex>.tmp`: the temp files of {@link prepareWrites}. */
export const TEMP_NAME = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files of writers that died (their pid is gone) before renaming them: they
 * belong to no state, and beside a target they may hold plaintext. `target` limits the sweep
 * to one file's temps.
 */
export async function removeDeadTemps(dir: string, opts: { recursive?: boolean; target?: string } = {}): Promise<void> {
  const entries = await readdir(dir, { recursive: opts.recursive ?? false, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const m = TEMP_NAME.exec(e.name);
    if (m === null || !e.isFile() || (opts.target !== undefined && m[1] !== basename(opts.target).slice(0, 100))) continue;
    if (!isAlive(Number(m[2]))) await rm(join(e.parentPath, e.name), { force: true });
  }
}

/** The .gitignore pattern of a target's temp files (anchored at the repository root). */
export function tempPattern(target: string): string {
  const slash = target.lastIndexOf("/");
  return `/${target.slice(0, slash + 1)}.${target.slice(slash + 1)}.*.tmp`;
}
