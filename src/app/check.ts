/** `vault check`: what needs a member's attention (drift, overdue rotations, exposed values, burned variables in use). */
import { readTextInside } from "../io/confine.js";
import { nowSeconds } from "../io/seams.js";
import { entries as docEntries, parse } from "../model/dotenv/index.js";
import { burnedOf, durationSeconds, envNames, rotateEvery } from "../model/config.js";
import { readersOf } from "../model/roster.js";
import { loadState } from "../store/state.js";
import { keyHolders } from "./scopes.js";
import { type Deps, keyringFor, openVault, pinnedRoot, whoAmI } from "./session.js";
import { VaultError } from "../errors.js";
import { openValue } from "../crypto/seal.js";
import type { EnvFile } from "../model/envfile.js";
import { envPath, keyPath } from "../model/layout.js";
import type { TrustProblem } from "../model/signed.js";
import { trustVault } from "../store/verified.js";
import { staleKeysOf } from "./mergecheck.js";
import type { Vault } from "../store/vault.js";

/** One thing `vault check` reports; `drift` is roster.yaml and the key files disagreeing. */
export type Problem =
  | { kind: "drift"; scope: string; member: string; detail: "missing key file" | "key file without access" | "stale key file" }
  | { kind: "overdue"; env: string; key: string; changed: number; every: string }
  | { kind: "exposed"; env: string; key: string; to: string; since: string }
  | { kind: "burned"; key: string; target: string }
  /** A line no allowed member signed, a key file or value that does not open as its lines say: exit 4. */
  | { kind: "integrity"; file: string; key?: string; what: string };

/**
 * The integrity of the vault as files: every line signed by a member allowed to sign it
 * (the state check), and — for the scopes this member reads — each scope's key file opening
 * to the key its `#@scope` line names, and every value opening where its line puts it (a
 * ciphertext swapped between keys fails here).
 */
async function integrity(deps: Deps, vault: Vault): Promise<Problem[]> {
  const out: Problem[] = [];
  const me = await whoAmI(deps).catch((e: unknown) => {
    if (e instanceof VaultError && e.code === "NO_IDENTITY") return undefined;
    throw e;
  });
  const collected: TrustProblem[] = [];
  const pin = pinnedRoot(deps);
  await trustVault(vault, { identities: me?.identities ?? [], collect: collected, ...(pin === undefined ? {} : { pin }) });
  const envs = envNames(vault.config.data);
  const files = new Map<string, EnvFile>();
  for (const env of envs) {
    try {
      files.set(env, await vault.envFile(env));
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      out.push({ kind: "integrity", file: envPath(env), what: e.message });
    }
  }
  for (const p of collected) out.push({ kind: "integrity", file: p.file, ...(p.key === undefined ? {} : { key: p.key }), what: p.signer === undefined || p.what.includes(p.signer) ? p.what : `${p.what} (signed by ${p.signer})` });
  if (me === undefined) return out;
  const keyring = keyringFor(vault, me);
  for (const [env, file] of files) {
    for (const scope of file.scopes.keys()) {
      try {
        if (!(await keyring.canRead(file, scope))) continue;
      } catch (e) {
        if (!(e instanceof VaultError)) throw e;
        out.push({ kind: "integrity", file: keyPath(scope, keyring.member ?? "?"), key: `scope ${scope}`, what: e.message });
        continue;
      }
      for (const [key, v] of [...file.values].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (file.batches.get(v.batch)?.scope !== scope) continue;
        try {
          openValue({ valueKey: await keyring.valueKey(file, v.batch, key), env, scope, key, t: v.t, payload: v.payload });
        } catch (e) {
          if (!(e instanceof VaultError)) throw e;
          out.push({ kind: "integrity", file: envPath(env), key, what: e.message });
        }
      }
    }
  }
  return out;
}

/**
 * Everything `vault check` reports: roster and key files that disagree, values older than
 * their rotation policy, values a removed member saw and that have not changed since, and
 * burned variables still present in a target of this clone.
 */
export async function findProblems(deps: Deps): Promise<Problem[]> {
  const vault = await openVault(deps);
  const now = nowSeconds(deps.processEnv);
  const cfg = vault.config.data;
  const problems: Problem[] = [...(await integrity(deps, vault))];
  const { scopes, holders } = await keyHolders(vault);
  for (const scope of scopes) {
    const readers = readersOf(vault.roster.data, scope);
    const have = holders.get(scope) ?? [];
    for (const m of readers) if (!have.includes(m)) problems.push({ kind: "drift", scope, member: m, detail: "missing key file" });
    for (const m of have) if (!readers.includes(m)) problems.push({ kind: "drift", scope, member: m, detail: "key file without access" });
  }
  for (const s of await staleKeysOf(vault, scopes, holders)) problems.push({ kind: "drift", scope: s.scope, member: s.member, detail: "stale key file" });
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
