/**
 * What a member could decrypt anywhere in the repository's history, not only at HEAD: a member
 * who held a scope's key file at a commit keeps the identity that opens it, so every value of
 * that scope at that commit — an older value of a key, a key removed since, a feature branch's
 * new key — is theirs to read, and offboarding must list it (docs/SECURITY.md). Found from git
 * alone, nothing decrypted: the commits reachable from any branch, remote-tracking branch or
 * tag where the member's key file of a scope exists, and the value lines of that scope there.
 */
import { objectContents, objectIds } from "../git/objects.js";
import { git } from "../git/exec.js";
import { parseEnvFile } from "../model/envfile.js";
import { envPath, KEYS_DIR, keyFileOf, keyPath } from "../model/layout.js";
import { parseScope } from "../model/names.js";

/** One value a member could read: where, which version (its change time) and at which commits. */
export interface SeenValue {
  env: string;
  scope: string;
  key: string;
  t: number;
  /** The commits where it could be read, newest first. */
  commits: string[];
}

/** Every value `member` could read at a commit of the repository at `top` (all refs). */
export async function valuesSeenBy(top: string, member: string): Promise<SeenValue[]> {
  const refs = ["--branches", "--remotes", "--tags", "HEAD"];
  const commits = (await git(["rev-list", ...refs, "--"], { cwd: top, allowFail: true })).stdout.toString("utf8").split("\n").filter((c) => c !== "");
  if (commits.length === 0) return [];
  // The member's key files anywhere in history: their paths, from the commits that wrote them.
  const named = await git(["log", ...refs, "--format=", "--name-only", "--no-renames", "--", KEYS_DIR], { cwd: top });
  const scopes = [...new Set(named.stdout.toString("utf8").split("\n").flatMap((p) => {
    const k = keyFileOf(p);
    return k?.member === member ? [k.scope] : [];
  }))].sort();
  if (scopes.length === 0) return [];
  const keyFile = (c: string, s: string) => `${c}:${keyPath(s, member)}`;
  const held = await objectIds(top, commits.flatMap((c) => scopes.map((s) => keyFile(c, s))));
  const envName = (c: string, s: string) => `${c}:${envPath(parseScope(s).env)}`;
  const readable = commits.flatMap((c) => scopes.filter((s) => held.get(keyFile(c, s)) !== undefined).map((s) => ({ commit: c, scope: s })));
  const envIds = await objectIds(top, [...new Set(readable.map((r) => envName(r.commit, r.scope)))]);
  const texts = await objectContents(top, [...new Set([...envIds.values()].flatMap((x) => (x === undefined ? [] : [x.oid])))]);
  const parsed = new Map<string, ReturnType<typeof parseEnvFile> | undefined>();
  const seen = new Map<string, SeenValue>();
  for (const { commit, scope } of readable) {
    const env = parseScope(scope).env;
    const oid = envIds.get(envName(commit, scope))?.oid;
    if (oid === undefined) continue;
    if (!parsed.has(oid)) {
      try {
        parsed.set(oid, parseEnvFile(texts.get(oid)?.toString("utf8") ?? "", envPath(env), env));
      } catch {
        parsed.set(oid, undefined); // a damaged version opens nothing more than its lines say
      }
    }
    const f = parsed.get(oid);
    if (f === undefined) continue;
    for (const [key, v] of f.values) {
      if (f.batches.get(v.batch)?.scope !== scope) continue;
      const id = `${env}\0${key}\0${v.t}`;
      const s = seen.get(id) ?? { env, scope, key, t: v.t, commits: [] };
      s.commits.push(commit);
      seen.set(id, s);
    }
  }
  return [...seen.values()].sort((a, b) => (a.env !== b.env ? (a.env < b.env ? -1 : 1) : a.key !== b.key ? (a.key < b.key ? -1 : 1) : b.t - a.t));
}
