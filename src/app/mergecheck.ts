/**
 * What the merge driver cannot see: key files. When one branch rotated a scope and the other
 * added or changed a key file of it (a grant, a new member), git merges the key file cleanly,
 * but it holds the scope key from before the rotation: that member can no longer read the
 * scope. After a merge commit, every key file of a scope whose key changed on one side only
 * must come from that side; any other one is reported. Nothing is decrypted.
 */
import { readEnvText } from "../model/changes.js";
import { ENVS_DIR, keyDir, VAULT_DIR } from "../model/layout.js";
import { catFileBatch, git, gitText } from "../git/exec.js";

/** A key file of a merge commit wrapped for a key its scope no longer has. */
export interface StaleKeyFile {
  path: string;
  scope: string;
  member: string;
}

/** The vault's files in a commit: path → blob. */
async function tree(top: string, rev: string): Promise<Map<string, string>> {
  const r = await git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", VAULT_DIR], { cwd: top });
  const out = new Map<string, string>();
  for (const entry of r.stdout.toString("utf8").split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    out.set(entry.slice(tab + 1), entry.slice(0, tab).split(" ")[2] ?? "");
  }
  return out;
}

/** Scope → recipient, from the environment files of a tree. */
async function scopes(top: string, files: Map<string, string>): Promise<Map<string, string>> {
  const envs = [...files].filter(([p]) => p.startsWith(`${ENVS_DIR}/`) && p.endsWith(".env"));
  const blobs = await catFileBatch(top, envs.map(([, oid]) => oid));
  const out = new Map<string, string>();
  for (const [path, oid] of envs) {
    const env = path.slice(`${ENVS_DIR}/`.length, -4);
    for (const [s, r] of readEnvText(blobs.get(oid)?.toString("utf8") ?? "", path, env)?.scopes ?? []) out.set(s, r);
  }
  return out;
}

/** Key files of the merge commit `rev` wrapped for a key their scope no longer has (none unless `rev` is a merge). */
export async function staleKeyFiles(top: string, rev: string): Promise<StaleKeyFile[]> {
  const parents = (await gitText(["rev-list", "--parents", "-n", "1", rev], { cwd: top })).split(" ").slice(1);
  if (parents.length !== 2) return [];
  const trees = await Promise.all([rev, ...parents].map((r) => tree(top, r)));
  const [merged, ours, theirs] = trees as [Map<string, string>, Map<string, string>, Map<string, string>];
  const [rm, r1, r2] = await Promise.all([merged, ours, theirs].map((t) => scopes(top, t)));
  const stale: StaleKeyFile[] = [];
  for (const [scope, recipient] of rm ?? []) {
    const a = r1?.get(scope);
    const b = r2?.get(scope);
    if (a === b) continue;
    const source = a === recipient ? ours : b === recipient ? theirs : undefined;
    if (source === undefined) continue; // re-keyed in the merge itself: its own key files
    const dir = `${keyDir(scope)}/`;
    for (const [path, oid] of merged) {
      if (!path.startsWith(dir) || !path.endsWith(".age") || source.get(path) === oid) continue;
      stale.push({ path, scope, member: path.slice(dir.length, -4) });
    }
  }
  return stale;
}

/** The message for one stale key file. */
export function describeStale(s: StaleKeyFile): string {
  return `${s.path} was written for a key scope ${s.scope} no longer has (it was rotated on the other branch): ${s.member} cannot read ${s.scope}; \`vault rotate --scope ${s.scope}\` by a reader wraps the current key for every reader again`;
}
