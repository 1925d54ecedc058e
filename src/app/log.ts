/** `vault log [KEY]`: the commits that changed the vault, newest first, key by key (nothing decrypted). */
import { VaultError } from "../errors.js";
import { type EnvChange, envDiff, isEmptyChange, readEnvText } from "../model/changes.js";
import type { EnvFile } from "../model/envfile.js";
import { ENVS_DIR, envPath } from "../model/layout.js";
import { catFileBatch, git } from "../git/exec.js";
import { findRepo } from "../git/repo.js";
import type { Deps } from "./session.js";

export interface LogEntry {
  commit: string;
  author: string;
  date: string;
  subject: string;
  /** A merge commit: only what it changed against every parent is shown (a conflict's resolution). */
  merge: boolean;
  changes: EnvChange[];
}

export interface LogInput {
  /** Only the commits that changed this variable, and only its change. */
  key?: string;
  /** At most this many commits. */
  max?: number;
}

const ZERO = /^0+$/;
const ENV_PATH = /^\.envvault\/envs\/([^/]+)\.env$/;

interface RawChange {
  env: string;
  parents: string[];
  result: string;
}

/**
 * The commits that changed environment files, newest first. Uses `git log --raw -- path`
 * (system git: isomorphic-git's `log({filepath})` is many times slower on a long history)
 * and one `git cat-file --batch` for every version seen.
 * Merges are shown in dense combined form (`--cc`): only files that differ from every parent.
 */
async function vaultLog(top: string, o: { env?: string } = {}): Promise<LogEntry[]> {
  const args = ["log", "--format=%x1e%H%x1f%an%x1f%aI%x1f%s", "--raw", "-z", "--no-abbrev", "--no-renames", "--cc"];
  args.push("--", o.env === undefined ? `${ENVS_DIR}/` : envPath(o.env));
  const r = await git(args, { cwd: top, allowFail: true });
  if (r.code !== 0) {
    if (/does not have any commits|unknown revision|bad default revision/.test(r.stderr)) return [];
    throw new VaultError("FAILURE", `git log failed: ${r.stderr.trim()}`, { data: { exit: r.code } });
  }
  const commits: { entry: LogEntry; raw: RawChange[] }[] = [];
  for (const record of r.stdout.toString("utf8").split("\x1e")) {
    if (record === "") continue;
    const nul = record.indexOf("\0");
    const [commit = "", author = "", date = "", subject = ""] = (nul < 0 ? record : record.slice(0, nul)).split("\x1f");
    const tokens = (nul < 0 ? "" : record.slice(nul + 1)).split("\0").map((t) => t.replace(/^\n/, ""));
    const raw: RawChange[] = [];
    let merge = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] ?? "";
      if (!t.startsWith(":")) continue;
      const colons = /^:+/.exec(t)?.[0].length ?? 1;
      const fields = t.slice(colons).split(" ");
      const oids = fields.slice(colons + 1, 2 * colons + 2);
      const env = ENV_PATH.exec(tokens[i + 1] ?? "")?.[1];
      i++;
      if (env === undefined) continue;
      merge ||= colons > 1;
      raw.push({ env, parents: oids.slice(0, colons), result: oids[colons] ?? "" });
    }
    commits.push({ entry: { commit, author, date, subject, merge, changes: [] }, raw });
  }
  const oids = commits.flatMap((c) => c.raw.flatMap((x) => [...x.parents, x.result])).filter((x) => !ZERO.test(x));
  const blobs = await catFileBatch(top, oids);
  const parsed = new Map<string, EnvFile | undefined>();
  const version = (oid: string, env: string) => {
    if (ZERO.test(oid)) return undefined;
    const id = `${env}\0${oid}`;
    if (!parsed.has(id)) parsed.set(id, readEnvText(blobs.get(oid)?.toString("utf8") ?? "", envPath(env), env));
    return parsed.get(id);
  };
  const out: LogEntry[] = [];
  for (const { entry, raw } of commits) {
    for (const x of raw) {
      const after = version(x.result, x.env);
      const diffs = x.parents.map((p) => envDiff(x.env, version(p, x.env), after));
      // Against the first parent, keeping only what differs from every parent.
      const first = diffs[0] ?? envDiff(x.env, undefined, after);
      const everywhere = (k: string) => diffs.every((d) => changedIn(d, k));
      const change: EnvChange = {
        env: x.env,
        added: first.added.filter(everywhere),
        changed: first.changed.filter(everywhere),
        removed: first.removed.filter(everywhere),
        rekeyed: first.rekeyed.filter((sc) => diffs.every((d) => d.rekeyed.includes(sc))),
      };
      if (!isEmptyChange(change)) entry.changes.push(change);
    }
    if (entry.changes.length > 0) out.push(entry);
  }
  return out;
}

function changedIn(d: EnvChange, key: string): boolean {
  return d.added.includes(key) || d.changed.includes(key) || d.removed.includes(key);
}

/** Narrows a log to the commits that touched one key, keeping only that key's change. */
export function forKey(entries: readonly LogEntry[], key: string): LogEntry[] {
  return entries
    .map((e) => ({
      ...e,
      changes: e.changes
        .map((c) => ({ env: c.env, added: c.added.filter((k) => k === key), changed: c.changed.filter((k) => k === key), removed: c.removed.filter((k) => k === key), rekeyed: [] }))
        .filter((c) => !isEmptyChange(c)),
    }))
    .filter((e) => e.changes.length > 0);
}

/** The history of the repository around `deps.cwd`: of `deps.env` only when it names one. */
export async function log(deps: Deps, o: LogInput): Promise<LogEntry[]> {
  const repo = await findRepo(deps.cwd);
  let entries = await vaultLog(repo.top, deps.env === undefined ? {} : { env: deps.env });
  if (o.key !== undefined) entries = forKey(entries, o.key);
  return o.max === undefined ? entries : entries.slice(0, o.max);
}
