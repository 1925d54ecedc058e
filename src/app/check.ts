/** `vault check`: what needs a member's attention (drift, overdue rotations, exposed values, burned variables in use). */
import { readTextInside } from "../io/confine.js";
import { nowSeconds } from "../io/seams.js";
import { entries as docEntries, parse } from "../model/dotenv/index.js";
import { burnedOf, durationSeconds, envNames, rotateEvery } from "../model/config.js";
import { readersOf } from "../model/roster.js";
import { loadState } from "../store/state.js";
import { keyHolders } from "./scopes.js";
import { type Deps, openVault } from "./session.js";

/** One thing `vault check` reports; `drift` is roster.yaml and the key files disagreeing. */
export type Problem =
  | { kind: "drift"; scope: string; member: string; detail: "missing key file" | "key file without access" }
  | { kind: "overdue"; env: string; key: string; changed: number; every: string }
  | { kind: "exposed"; env: string; key: string; to: string; since: string }
  | { kind: "burned"; key: string; target: string };

/**
 * Everything `vault check` reports: roster and key files that disagree, values older than
 * their rotation policy, values a removed member saw and that have not changed since, and
 * burned variables still present in a target of this clone.
 */
export async function findProblems(deps: Deps): Promise<Problem[]> {
  const vault = await openVault(deps);
  const now = nowSeconds(deps.processEnv);
  const cfg = vault.config.data;
  const problems: Problem[] = [];
  const { scopes, holders } = await keyHolders(vault);
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
