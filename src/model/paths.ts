/**
 * The lexical half of path confinement (the file-system half is io/confine.ts): a path that a
 * vault file names — a target, an env_file, a journal entry — is relative to the vault root
 * and may not leave it. A commit can set these paths to anything, so they are checked before
 * any file is touched.
 */
import { type ErrorData, UnsafePath } from "../errors.js";

/** Directories no target or env_file may be in: git's own, the vault, this clone's local state. */
const RESERVED_TOP = new Set([".git", ".envvault", ".envvault.local"]);

/** Where a path comes from, for messages: `targets[2].path in .envvault/vault.yaml`. */
export interface PathOrigin {
  /** What the path is: `target`, `env_file`. */
  what: string;
  /** The setting that names it, and the file holding that setting. */
  setting: string;
  file: string;
}

/**
 * `path` as a clean relative path (`/`-separated, no `.` or empty segments, no leading `./`),
 * or the reason it cannot be one inside the vault root. `..` is resolved lexically: a path
 * that climbs above the root is refused, one that climbs back in (`a/../b`) becomes `b`.
 * A backslash counts as a separator, so a path written on Windows means the same here.
 */
export function normalizeInside(path: string): { path: string } | { why: string } {
  if (path.includes("\0")) return { why: "it holds a NUL byte" };
  const slashed = path.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) return { why: "it is absolute" };
  const out: string[] = [];
  for (const segment of slashed.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return { why: "its `..` leaves the repository" };
      out.pop();
      continue;
    }
    out.push(segment);
  }
  if (out.length === 0) return { why: "it names no file" };
  if (slashed.endsWith("/")) return { why: "it names a directory" };
  return { path: out.join("/") };
}

/** Why `rel` (normalized) lies in a directory envvault never writes plaintext into, if it does. */
function reservedReason(rel: string): string | undefined {
  const segments = rel.split("/");
  const top = segments[0]?.toLowerCase() ?? "";
  // Case-insensitive: `.GIT` is `.git` on the file systems of macOS and Windows.
  if (RESERVED_TOP.has(top)) return `it is inside ${top}/`;
  if (segments.some((s) => s.toLowerCase() === ".git")) return "it is inside a .git/ directory";
  return undefined;
}

/**
 * A target or env_file path, checked: relative, inside the vault root, not in `.git/`,
 * `.envvault/` or `.envvault.local/`.
 *
 * @throws UnsafePath naming the setting, the path and why.
 */
export function confinedPath(path: string, origin: PathOrigin): string {
  const n = normalizeInside(path);
  const why = "why" in n ? n.why : reservedReason(n.path);
  if (why !== undefined || !("path" in n)) throw unsafe(path, origin, why ?? "");
  return n.path;
}

function unsafe(path: string, origin: PathOrigin, why: string): UnsafePath {
  const data: ErrorData = { file: origin.file, setting: origin.setting, path };
  return new UnsafePath(`${origin.file}: ${origin.setting} names the ${origin.what} ${JSON.stringify(path)}, which envvault refuses: ${why}`, {
    data,
    hints: [
      `a ${origin.what} is a path relative to the repository root, inside it, and not in .git/, .envvault/ or .envvault.local/`,
      `if a commit you did not expect changed ${origin.file}, look at it: git log -p -- ${origin.file}`,
    ],
  });
}
