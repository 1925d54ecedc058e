/**
 * `vault unlock`, the unlock the git hooks run after HEAD moved, and `vault lock`: one
 * sequence for all of them — take the repository lock, read this clone's state once, plan
 * every target (nothing written if any fails), write them, record what was written, then
 * refresh the pre-commit hook's fingerprint cache.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { VaultError } from "../errors.js";
import { fingerprint } from "../crypto/seal.js";
import { removeDeadTemps, tempPattern, writeFileAtomic } from "../io/atomic.js";
import { backup } from "../io/backup.js";
import { checkInside, mkdirInside, readTextInside } from "../io/confine.js";
import { type TargetDef, targetTakes, targets, VAULT_FILE } from "../model/config.js";
import { LOCAL, localPath } from "../model/layout.js";
import { type Explanation, explain } from "../model/layers.js";
import { type ConflictPolicy, type Patch, planLock, planUnlock } from "../model/patch.js";
import { confinedPath } from "../model/paths.js";
import { mergeDriverWarning } from "../git/driver.js";
import { loadVaultAt } from "../store/at.js";
import { generatedValues } from "../store/generated.js";
import { ignorePattern, withIgnored } from "../store/gitignore.js";
import { withRepoLock } from "../store/local.js";
import { type LocalState, localKey, loadState, markUnlocked, saveState } from "../store/state.js";
import type { Vault } from "../store/vault.js";
import { Environments, type ResolvedEnvironment } from "./environment.js";
import { updateFingerprints } from "./fingerprints.js";
import { ownValues } from "./read.js";
import { type Deps, openReading, openVault, type Reading } from "./session.js";

/** Settles keys whose local value differs from the vault; called only for those keys. */
export type Decide = (target: string, keys: string[]) => Promise<Map<string, ConflictPolicy>>;

/** Keeps every local value: what the git hooks do, with nobody there to ask. */
export const keepAll: Decide = async (_target, keys) => new Map(keys.map((k): [string, ConflictPolicy] => [k, "keep"]));

export interface TargetPlan {
  target: string;
  env: string;
  context?: string;
  exists: boolean;
  /** The target's permission bits when it exists (kept by the write; new targets get 0600). */
  mode?: number;
  patch: Patch;
  /** About the file itself rather than its lines: it is readable by group or others. */
  warnings: string[];
  /** How the target's values came together: layers, winners, env_file reports, hidden scopes. */
  resolved: ResolvedEnvironment;
}

export interface UnlockInput {
  /** Read the vault as of this commit, branch or tag instead of the work tree. */
  at?: string;
  /** Plan and report, write nothing (generated values made now are not kept either). */
  dryRun: boolean;
  /** The context of targets that name none (`--context`). */
  context?: string;
  decide: Decide;
}

export interface UnlockOutcome {
  reading: Reading;
  /** The commit read, with `at`. */
  commit?: string;
  plans: TargetPlan[];
  /** Things that did not stop the unlock (the fingerprint cache could not be refreshed). */
  warnings: string[];
}

/** A target's text, reached without passing a symlink (a commit can plant `.env` → `~/.bashrc`). */
async function readTarget(root: string, rel: string): Promise<{ text: string; exists: boolean; mode?: number }> {
  const found = await readTextInside(root, rel, `target ${rel}`);
  return found === undefined ? { text: "", exists: false } : { ...found, exists: true };
}

/** Refuses to replace a read-only target; names a target others can read. */
function checkMode(target: string, mode: number | undefined, changes: boolean): string[] {
  if (mode === undefined) return [];
  const octal = (mode & 0o777).toString(8).padStart(4, "0");
  if (changes && (mode & 0o200) === 0) {
    throw new VaultError("FAILURE", `target ${target} is read-only (mode ${octal}); envvault does not replace a file you made read-only`, {
      data: { file: target },
      hints: [`\`chmod u+w ${target}\` lets \`vault unlock\` update it`, `or remove ${target} from targets in ${VAULT_FILE}`],
    });
  }
  return (mode & 0o044) !== 0 ? [`${target} is readable by ${(mode & 0o004) !== 0 ? "everyone" : "its group"} (mode ${octal}); \`chmod 600 ${target}\` keeps its secrets to you`] : [];
}

/** Hash key of this clone; a throwaway one when none exists yet and nothing may be written. */
async function hashKey(root: string, create: boolean): Promise<Uint8Array> {
  if (create || existsSync(join(root, localPath(LOCAL.stateKey)))) return localKey(root);
  return randomBytes(32);
}

/** A target and what it gets. */
export interface TargetValues {
  target: TargetDef & { env: string };
  resolved: ResolvedEnvironment;
}

/**
 * What each target gets: the layers of its environment (the one in use unless it names
 * one), its context, its `keys`/`prefix` filter, and no process-environment layer (a program
 * reading the file has its own environment, which a loader such as dotenv lets win).
 * Generated values made now are kept at once when `create`: they are the clone's values
 * whether or not this unlock goes on to write. The caller holds the repository lock.
 */
export async function resolveTargets(reading: Pick<Reading, "vault" | "keyring" | "env">, o: { context?: string; lookup: NodeJS.ProcessEnv }, create: boolean): Promise<TargetValues[]> {
  const { vault } = reading;
  const cfg = vault.config.data;
  const environments = new Environments(reading.keyring, await generatedValues(vault.root, cfg, { save: create, locked: true }));
  const out: TargetValues[] = [];
  for (const t of targets(cfg)) {
    const env = t.env ?? reading.env;
    const context = t.context ?? o.context;
    const resolved = await environments.resolve({
      env,
      ...(context === undefined ? {} : { context }),
      ...(t.context === undefined ? {} : { contextSource: `target ${t.path} in ${VAULT_FILE}` }),
      lookup: o.lookup,
      except: t.path,
    });
    for (const key of [...resolved.resolution.values.keys()]) if (!targetTakes(t, key)) resolved.resolution.values.delete(key);
    out.push({ target: { ...t, env }, resolved });
  }
  return out;
}

/** Plans every target; nothing but this clone's generated values is written. */
async function planAll(reading: Reading, o: UnlockInput, lookup: NodeJS.ProcessEnv, create: boolean): Promise<TargetPlan[]> {
  const root = reading.vault.root;
  const key = await hashKey(root, create);
  const hash = (v: string) => fingerprint(key, v);
  const plans: TargetPlan[] = [];
  for (const { target: t, resolved: r } of await resolveTargets(reading, { ...(o.context === undefined ? {} : { context: o.context }), lookup }, create)) {
    const { text, exists, mode } = await readTarget(root, t.path);
    const input = { text, values: r.resolution.values, previous: reading.state.targets[t.path]?.keys ?? {}, hash };
    const probe = planUnlock({ ...input, decide: () => "keep" });
    const decisions = probe.kept.length > 0 ? await o.decide(t.path, probe.kept) : new Map<string, ConflictPolicy>();
    const patch = probe.kept.length > 0 ? planUnlock({ ...input, decide: (k) => decisions.get(k) ?? "keep" }) : probe;
    const warnings = checkMode(t.path, mode, patch.after !== patch.before);
    plans.push({ target: t.path, env: t.env, ...(r.context === undefined ? {} : { context: r.context }), exists, ...(mode === undefined ? {} : { mode }), patch, warnings, resolved: r });
  }
  return plans;
}

/** Writes planned targets (backup first, atomic replace, mode kept) and records them in `state`. */
async function applyAll(root: string, state: LocalState, plans: readonly TargetPlan[]): Promise<void> {
  // Before any target is written: a .gitignore that cannot be updated (a planted symlink) stops the unlock whole.
  const ignore = await withIgnored(root, plans.flatMap((p) => [ignorePattern(p.target), tempPattern(p.target)]));
  const ignorePath = await checkInside(root, ".gitignore");
  for (const p of plans) {
    const path = await checkInside(root, p.target, `target ${p.target}`);
    // A writer killed mid-write leaves its temp file, holding plaintext, beside the target.
    await removeDeadTemps(dirname(path), { target: path });
    if (p.patch.after !== p.patch.before || !p.exists) {
      if (p.exists) await backup(path, { root });
      else await mkdirInside(root, dirname(p.target), 0o777, `target ${p.target}`);
      await writeFileAtomic(path, p.patch.after, { mode: 0o600 });
    }
    state.targets[p.target] = { env: p.env, keys: p.patch.owned };
  }
  if (ignore !== undefined) await writeFileAtomic(ignorePath, ignore, { mode: 0o644 });
  await saveState(root, state);
  await markUnlocked(root);
}

async function vaultFor(deps: Deps, at: string | undefined): Promise<{ vault: Vault; commit?: string }> {
  if (at === undefined) return { vault: await openVault(deps) };
  return loadVaultAt(deps.cwd, at);
}

/**
 * Decrypts the environments the targets need and writes the targets by safe patching.
 * A failure anywhere (access, integrity, a refused path, a read-only target, a missing
 * env_file) leaves every target as it was.
 */
export async function unlock(deps: Deps, o: UnlockInput): Promise<UnlockOutcome> {
  const { vault, commit } = await vaultFor(deps, o.at);
  const { reading, plans } = await withRepoLock(vault.root, async () => {
    const r = await openReading(deps, vault);
    const planned = await planAll(r, o, deps.processEnv, !o.dryRun);
    if (!o.dryRun) await applyAll(vault.root, r.state, planned);
    return { reading: r, plans: planned };
  });
  const warnings: string[] = [];
  const driver = await mergeDriverWarning(vault.root);
  if (driver !== undefined) warnings.push(driver);
  // The cache follows the work tree's vault: one read as of another commit is not it.
  if (!o.dryRun && o.at === undefined) {
    await updateFingerprints(vault, reading.keyring).catch((e: Error) => warnings.push(`the pre-commit hook's fingerprint cache was not updated: ${e.message}`));
  }
  return { reading, ...(commit === undefined ? {} : { commit }), plans, warnings };
}

/** What changed in one environment's targets, for the hooks' one-line summary. */
export interface EnvSummary {
  env: string;
  added: string[];
  changed: string[];
  removed: string[];
}

/** An unlock with nobody to ask: local edits kept, what changed summarized per environment. */
export interface Followed {
  changes: EnvSummary[];
  warnings: string[];
}

/**
 * The unlock of the git hooks (post-checkout, post-merge, post-rewrite): only in a clone that
 * was unlocked, so that the targets follow HEAD.
 *
 * @returns undefined when this clone has unlocked nothing (so there is nothing to follow).
 */
export async function autoUnlock(deps: Deps): Promise<Followed | undefined> {
  const vault = await openVault(deps);
  if (Object.keys((await loadState(vault.root)).targets).length === 0) return undefined;
  return unlockKeeping(deps);
}

/** `vault sync`'s unlock after the pull, and the hooks': local edits kept, summarized per environment. */
export async function unlockKeeping(deps: Deps): Promise<Followed> {
  const outcome = await unlock(deps, { dryRun: false, decide: keepAll });
  const byEnv = new Map<string, EnvSummary>();
  const warnings = [...outcome.reading.warnings];
  for (const p of outcome.plans) {
    const s = byEnv.get(p.env) ?? { env: p.env, added: [], changed: [], removed: [] };
    const add = (list: string[], keys: string[]) => list.push(...keys.filter((k) => !list.includes(k)));
    add(s.added, p.patch.added);
    add(s.changed, p.patch.changed);
    add(s.removed, p.patch.removed);
    byEnv.set(p.env, s);
    warnings.push(...p.warnings);
    if (p.patch.kept.length > 0) warnings.push(`${p.target}: kept your local value of ${p.patch.kept.join(", ")} (it differs from the vault); \`vault unlock --on-conflict overwrite\` replaces it`);
  }
  warnings.push(...outcome.warnings);
  for (const s of byEnv.values()) for (const l of [s.added, s.changed, s.removed]) l.sort();
  return { changes: [...byEnv.values()], warnings };
}

/** `unlock --explain KEY`: for each target, every layer that sets KEY and whether the target takes it. */
export async function explainTargets(deps: Deps, o: { key: string; context?: string; at?: string }): Promise<{ reading: Reading; targets: { target: string; takes: boolean; explanation: Explanation; resolved: ResolvedEnvironment }[] }> {
  const { vault } = await vaultFor(deps, o.at);
  const reading = await openReading(deps, vault);
  const out = [];
  for (const { target, resolved } of await resolveTargets(reading, { ...(o.context === undefined ? {} : { context: o.context }), lookup: deps.processEnv }, false)) {
    const explanation = explain(vault.config.data, resolved, o.key, await ownValues(reading.keyring, resolved.env, o.key));
    out.push({ target: target.path, takes: targetTakes(target, o.key), explanation, resolved });
  }
  return { reading, targets: out };
}

export interface LockResult {
  target: string;
  removed: string[];
  kept: string[];
}

/** Removes from each unlocked target the values envvault wrote and nobody changed since. */
export async function lock(deps: Deps): Promise<LockResult[]> {
  const vault = await openVault(deps);
  const root = vault.root;
  return withRepoLock(root, async () => {
    const state = await loadState(root);
    const key = await localKey(root);
    const out: LockResult[] = [];
    for (const [recorded, t] of Object.entries(state.targets).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const target = confinedPath(recorded, { what: "target", setting: "a recorded target", file: localPath(LOCAL.state) });
      const path = await checkInside(root, target, `target ${target}`);
      const { text, exists } = await readTarget(root, target);
      if (exists) {
        const plan = planLock(text, t.keys, (v) => fingerprint(key, v));
        if (plan.after !== text) {
          await backup(path, { root });
          await writeFileAtomic(path, plan.after);
        }
        out.push({ target, removed: plan.removed, kept: plan.kept });
      }
      delete state.targets[recorded];
    }
    await saveState(root, state);
    return out;
  });
}

