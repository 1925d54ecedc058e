/**
 * The file-system half of path confinement (the lexical half is model/paths.ts). A commit can
 * plant a symlink anywhere in the work tree — `.env.local` → `~/.ssh/authorized_keys`, a
 * `docker` directory → `~/.aws` — so every file envvault reads or writes at a path relative to
 * the repository is reached by walking down from the root with `lstat`, refusing any symlink
 * on the way (a parent directory or the file itself), and the file is then opened with
 * `O_NOFOLLOW`, so a symlink swapped in after the walk is still refused.
 */
import { constants } from "node:fs";
import { lstat, mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import { UnsafePath } from "../errors.js";
import { decodeText } from "./atomic.js";
import { errnoCode, fsError } from "./files.js";

/** What a refused path is, for messages: `target .env.local`, `.envvault/envs/production.env`. */
export type Described = string;

function symlinkError(described: Described, at: string, rel: string): UnsafePath {
  const through = at === rel ? "is a symlink" : `passes through the symlink ${at}`;
  return new UnsafePath(`${described} ${through}; envvault never reads or writes through a symlink in the repository`, {
    data: { file: rel, symlink: at },
    hints: [
      `replace ${at} with a regular ${at === rel ? "file" : "directory"} (a commit can plant a symlink to make a teammate's checkout write secrets elsewhere)`,
      `see who added it: git log --stat -- ${at}`,
    ],
  });
}

function notFileError(described: Described, rel: string, what: string): UnsafePath {
  return new UnsafePath(`${described} is ${what}, not a regular file`, {
    data: { file: rel },
    hints: [`move ${rel} out of the way, or change the setting that names it`],
  });
}

/** Options of {@link checkInside}. */
export interface WalkOptions {
  /** The path must be a regular file (default) or a directory (`false`), when it exists. */
  file?: boolean;
  /**
   * Directories one operation has already walked (absolute paths), so that a change of
   * hundreds of files in a few directories checks each directory once; filled in as it goes.
   */
  known?: Set<string>;
}

/**
 * Walks `rel` (a normalized relative path, `/`-separated) down from `root` with `lstat` and
 * returns its absolute path. Missing components are fine (a file about to be created).
 *
 * @throws UnsafePath when a component is a symlink, a parent is not a directory, or the path
 *   itself exists but is not a regular file (`file: true`) or not a directory (`file: false`).
 */
export async function checkInside(root: string, rel: string, described: Described = rel, o: WalkOptions = {}): Promise<string> {
  const file = o.file ?? true;
  const segments = rel.split("/");
  // Callers pass paths model/paths.ts normalized; anything else (a path from a damaged local record) is refused here too.
  if (rel.startsWith("/") || rel.includes("\0") || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new UnsafePath(`${described} is not a plain path inside the repository`, {
      data: { file: rel },
      hints: ["paths envvault reads and writes are relative to the repository root, without `..`"],
    });
  }
  let path = root;
  for (let i = 0; i < segments.length; i++) {
    path = join(path, segments[i] ?? "");
    const last = i === segments.length - 1;
    if (!last && o.known?.has(path)) continue;
    const at = segments.slice(0, i + 1).join("/");
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return join(root, ...segments);
      throw fsError("inspect", path, error);
    }
    if (info.isSymbolicLink()) throw symlinkError(described, at, rel);
    if (!last && !info.isDirectory()) throw notFileError(described, at, "in a path where a directory must be, but it");
    if (last && file && !info.isFile()) throw notFileError(described, rel, info.isDirectory() ? "a directory" : "a special file");
    if (last && !file && !info.isDirectory()) throw notFileError(described, rel, "a file where a directory must be; it");
    if (!last) o.known?.add(path);
  }
  return path;
}

/** A file read by {@link readInside}: its bytes and permission bits. */
export interface InsideFile {
  bytes: Buffer;
  mode: number;
}

/**
 * Reads a file inside the repository after {@link checkInside}, opening it with `O_NOFOLLOW`
 * (and `O_NONBLOCK`, so a FIFO planted in its place cannot hang the command).
 *
 * @returns undefined when the file does not exist.
 * @throws UnsafePath as {@link checkInside}, or when the file turned into a symlink since.
 */
export async function readInside(root: string, rel: string, described: Described = rel, known?: Set<string>): Promise<InsideFile | undefined> {
  const path = await checkInside(root, rel, described, known === undefined ? {} : { known });
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw symlinkError(described, rel, rel);
    throw fsError("read", rel, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notFileError(described, rel, "a special file");
    return { bytes: await handle.readFile(), mode: info.mode & 0o7777 };
  } catch (error) {
    throw fsError("read", rel, error);
  } finally {
    await handle.close();
  }
}

/**
 * {@link readInside} as strict UTF-8 text (invalid bytes are an InvalidFile naming the line).
 *
 * @returns undefined when the file does not exist.
 */
export async function readTextInside(root: string, rel: string, described: Described = rel): Promise<{ text: string; mode: number } | undefined> {
  const found = await readInside(root, rel, described);
  return found === undefined ? undefined : { text: decodeText(found.bytes, rel), mode: found.mode };
}

/**
 * Creates the directory `rel` and its missing parents inside the repository, one level at a
 * time, each checked not to be a symlink (`mkdir -p` would follow one).
 */
export async function mkdirInside(root: string, rel: string, mode = 0o777, described: Described = rel): Promise<void> {
  const segments = rel.split("/").filter((s) => s !== "" && s !== ".");
  for (let i = 1; i <= segments.length; i++) {
    const at = segments.slice(0, i).join("/");
    const path = join(root, at);
    try {
      await mkdir(path, { mode });
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") throw fsError("create the directory", path, error);
    }
    await checkInside(root, at, described, { file: false });
  }
}
