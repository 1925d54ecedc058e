import { readTextInside } from "../io/confine.js";
import { entries as docEntries, parse } from "../model/dotenv/index.js";
import { burnedOf, durationSeconds, envNames, rotateEvery } from "../model/config.js";
import { memberNames, readersOf } from "../model/roster.js";
import { loadState } from "../store/state.js";
import type { Vault } from "../store/vault.js";
import { allScopes } from "./rotation.js";

export type Problem =
  | { kind: "drift"; scope: string; member: string; detail: "missing key file" | "key file without access" }
  | { kind: "overdue"; env: string; key: string; changed: number; every: string }
  | { kind: "exposed"; env: string; key: string; to: string; since: string }
  | { kind: "burned"; key: string; target: string };

/** Who can read what, from the key files themselves. */
export async function accessMatrix(vault: Vault): Promise<{ scopes: string[]; members: string[]; holders: Map<string, string[]> }> {
  const scopes = await allScopes(vault);
  const holders = new Map<string, string[]>();
  for (const s of scopes) holders.set(s, await vault.keyHolders(s));
  const members = [...new Set([...memberNames(vault.roster.data), ...[...holders.values()].flat()])].sort();
  return { scopes, members, holders };
}

/**
 * Everything `vault check` reports: roster and key files that disagree, values older than
 * their rotation policy, values a removed member saw and that have not changed since, and
 * burned variables still present in a target of this clone.
 */
export async function findProblems(vault: Vault, now: number): Promise<Problem[]> {
  const cfg = vault.config.data;
  const problems: Problem[] = [];
  const { scopes, holders } = await accessMatrix(vault);
  for (const scope of scopes) {
    const readers = readersOf(vault.roster.data, scope);
    const have = holders.get(scope) ?? [];
    for (const m of readers) if (!have.includes(m)) problems.push({ kind: "drift", scope, member: m, detail: "missing key file" });
    for (const m of have) if (!readers.includes(m)) problems.push({ kind: "drift", scope, member: m, detail: "key file without access" });
  }
  for (const env of envNames(cfg)) {
    const file = await vault.envFile(env);
    for (const [key, v] of [...file.values].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const every = rotateEvery(cfg, env, key);
      if (every !== undefined && burnedOf(cfg, key) === undefined && now - v.t > durationSeconds(every)) problems.push({ kind: "overdue", env, key, changed: v.t, every });
    }
  }
  for (const e of await vault.exposures()) {
    if (!Object.hasOwn(cfg.environments, e.env)) continue;
    const current = (await vault.envFile(e.env)).values.get(e.key);
    if (current !== undefined && current.t === e.t) problems.push({ kind: "exposed", env: e.env, key: e.key, to: e.to, since: e.since });
  }
  const state = await loadState(vault.root);
  for (const target of Object.keys(state.targets).sort()) {
    const found = await readTextInside(vault.root, target, `target ${target}`);
    if (found === undefined) continue;
    const present = docEntries(parse(found.text).doc);
    for (const key of present.keys()) if (burnedOf(cfg, key) !== undefined) problems.push({ kind: "burned", key, target });
  }
  return problems;
}

export function describeProblem(p: Problem): string {
  switch (p.kind) {
    case "drift":
      return p.detail === "missing key file"
        ? `${p.scope}: ${p.member} has access in roster.yaml but no key file; a member who can read it runs \`vault grant ${p.member} ${p.scope}\``
        : `${p.scope}: ${p.member} holds a key file without access in roster.yaml; \`vault rotate --scope ${p.scope}\` takes it away`;
    case "overdue":
      return `${p.env}: ${p.key} was last changed ${new Date(p.changed * 1000).toISOString().slice(0, 10)}, longer ago than its policy (${p.every}); \`vault rotate ${p.key} --env ${p.env}\``;
    case "exposed":
      return `${p.env}: ${p.key} was readable by ${p.to} (removed ${p.since}) and has not changed since; change it at its provider, then \`vault rotate ${p.key} --env ${p.env}\``;
    case "burned":
      return `${p.target}: ${p.key} is burned but still in the file; \`vault unlock\` removes it if envvault wrote it, otherwise delete the line`;
  }
}

