/**
 * What the merge driver cannot see: key files. When one branch rotated a scope and the other
 * added or changed a key file of it (a grant, a new member), git merges the key file cleanly,
 * but it holds the scope key from before the rotation: that member can no longer read the
 * scope. A key file is stale when the commit that brought its bytes had another `#@scope`
 * recipient for its scope than the commit checked: found from git history alone, for every
 * member's file, with nothing decrypted.
 */
import { objectContents, objectIds } from "../git/objects.js";
import { blobId, headCommit } from "../git/repo.js";
import { findGitRoot } from "../store/root.js";
import type { Vault } from "../store/vault.js";
import { git } from "../git/exec.js";
import { envPath, KEYS_DIR, keyFileOf, keyPath } from "../model/layout.js";
import { parseScope } from "../model/names.js";

/** A key file wrapped for a key its scope no longer has. */
export interface StaleKeyFile {
  path: string;
  scope: string;
  member: string;
}

const SCOPE_LINE = /^#@scope (\S+) (age1[0-9a-z]+)(?: \S+)?$/gm;

/** The commits that last brought each of `wanted` (path → blob) to its path, by a walk of all of `rev`'s history. */
async function broughtBy(top: string, rev: string, wanted: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (wanted.size === 0) return out;
  const r = await git(["log", "--full-history", "--no-renames", "--raw", "-z", "--no-abbrev", "--format=%x01%H", rev, "--", KEYS_DIR], { cwd: top });
  for (const chunk of r.stdout.toString("utf8").split("\x01")) {
    const end = chunk.indexOf("\0");
    if (end < 0) continue;
    const commit = chunk.slice(0, end);
    const fields = chunk.slice(end + 1).replace(/^\n/, "").split("\0");
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const blob = fields[i]!.split(" ")[3];
      const path = fields[i + 1]!;
      if (!out.has(path) && blob !== undefined && wanted.get(path) === blob) out.set(path, commit);
    }
    if (out.size === wanted.size) break;
  }
  return out;
}

/** Scope → recipient in the environment files `names` (`<rev>:<path>`) name. */
async function recipientsIn(top: string, names: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const ids = await objectIds(top, names);
  const blobs = await objectContents(top, [...ids.values()].flatMap((x) => (x === undefined ? [] : [x.oid])));
  const out = new Map<string, Map<string, string>>();
  for (const name of names) {
    const id = ids.get(name);
    const text = id === undefined ? "" : (blobs.get(id.oid)?.toString("utf8") ?? "");
    out.set(name, new Map([...text.matchAll(SCOPE_LINE)].map((m) => [m[1]!, m[2]!])));
  }
  return out;
}

/**
 * Key files of `keys` (path → blob; by default, those of the commit `rev`) that were written
 * for another key pair of their scope than `rev`'s `#@scope` line names. A key file whose
 * bytes no commit of `rev`'s history brought (written since, or by a merge itself) is not
 * judged.
 */
export async function staleKeyFiles(top: string, rev: string, keys?: ReadonlyMap<string, string>): Promise<StaleKeyFile[]> {
  const files = keys ?? (await keyFilesAt(top, rev));
  const byPath = new Map<string, { scope: string; member: string }>();
  for (const path of files.keys()) {
    const k = keyFileOf(path);
    if (k !== undefined) byPath.set(path, k);
  }
  const wanted = new Map([...files].filter(([p]) => byPath.has(p)));
  const brought = await broughtBy(top, rev, wanted);
  const envOf = (scope: string) => envPath(parseScope(scope).env);
  const names = [...new Set([...byPath.values()].map(({ scope }) => `${rev}:${envOf(scope)}`).concat([...brought].map(([p, c]) => `${c}:${envOf(byPath.get(p)!.scope)}`)))];
  const recipients = await recipientsIn(top, names);
  const stale: StaleKeyFile[] = [];
  for (const [path, commit] of brought) {
    const { scope, member } = byPath.get(path)!;
    const now = recipients.get(`${rev}:${envOf(scope)}`)?.get(scope);
    const then = recipients.get(`${commit}:${envOf(scope)}`)?.get(scope);
    if (now !== undefined && then !== now) stale.push({ path, scope, member });
  }
  return stale.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The key files of a commit: path → blob. */
async function keyFilesAt(top: string, rev: string): Promise<Map<string, string>> {
  const r = await git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", KEYS_DIR], { cwd: top });
  const out = new Map<string, string>();
  for (const entry of r.stdout.toString("utf8").split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab >= 0) out.set(entry.slice(tab + 1), entry.slice(0, tab).split(" ")[2] ?? "");
  }
  return out;
}

/**
 * Key files of the work tree written for a key pair their scope no longer has (a grant
 * merged with a rotation), judged from git history (app/mergecheck.ts): each file as the
 * work tree has it, against HEAD's `#@scope` lines. None outside git or before a commit.
 */
export async function staleKeysOf(vault: Vault, scopes: readonly string[], holders: ReadonlyMap<string, readonly string[]>): Promise<StaleKeyFile[]> {
  const top = findGitRoot(vault.root);
  const head = top === undefined || top !== vault.root ? undefined : await headCommit(top);
  if (top === undefined || head === undefined) return [];
  const keys = new Map<string, string>();
  for (const scope of scopes) {
    for (const member of holders.get(scope) ?? []) {
      const text = await vault.keyFile(scope, member);
      if (text !== undefined) keys.set(keyPath(scope, member), blobId(Buffer.from(text, "utf8"), head.length));
    }
  }
  return staleKeyFiles(top, "HEAD", keys);
}

/** The message for one stale key file. */
export function describeStale(s: StaleKeyFile): string {
  return `${s.path} was written for a key scope ${s.scope} no longer has (the scope was rotated on another branch, or since): ${s.member} cannot read ${s.scope}; \`vault rotate --scope ${s.scope}\` by a reader wraps the current key for every reader again`;
}
