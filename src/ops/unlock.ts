import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { VaultError } from "../errors.js";
import { removeDeadTemps, tempPattern, writeFileAtomic } from "../io/atomic.js";
import { backup } from "../io/backup.js";
import { checkInside, mkdirInside, readTextInside } from "../io/confine.js";
import { type TargetDef, targetTakes, targets, VAULT_FILE } from "../vault/config.js";
import { confinedPath } from "../vault/paths.js";
import { localKey, loadState, saveState } from "../store/state.js";
import { LOCAL_DIR } from "../store/root.js";
import type { Vault } from "../store/vault.js";
import { ignorePattern, withIgnored } from "./gitignore.js";
import { generatedValues } from "./generated.js";
import type { Keyring } from "./keyring.js";
import { type Resolved, resolveEnv, type VaultSide, vaultLayers } from "./layers.js";
import { type ConflictPolicy, type Patch, planLock, planUnlock } from "./patch.js";
import type { Entry } from "./read.js";

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
  /** Variables of the environment in scopes this reader cannot open, left out. */
  hidden: Entry[];
  /** How the target's values came together: layers, winners, env_file reports. */
  resolved: Resolved;
}

export interface UnlockOptions {
  vault: Vault;
  keyring: Keyring;
  env: string;
  /** Settles keys whose local value differs from the vault; called only for those keys. */
  decide: (target: string, keys: string[]) => Promise<Map<string, ConflictPolicy>>;
  /** The context of targets that name none (`--context`). */
  context?: string;
  /**
   * Answers `${NAME}` references no layer sets (interpolation). Default: this process's
   * environment, so the git hooks' unlock writes what `vault unlock` in the shell writes.
   */
  lookup?: NodeJS.ProcessEnv;
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
  if (create || existsSync(join(root, LOCAL_DIR, "state.key"))) return localKey(root);
  return randomBytes(32);
}

/**
 * What each target gets (DESIGN §5 layers, its `keys`/`prefix` filter, its context), with
 * no process-environment layer: a program reading the file has its own environment, and a
 * loader such as dotenv lets that win at run time. The caller holds the repository lock.
 * Generated values made now are kept in this clone's state at once (`create`): they are the
 * clone's values whether or not this unlock goes on to write.
 */
export async function resolveTargets(o: Omit<UnlockOptions, "decide">, create: boolean): Promise<{ target: TargetDef; resolved: Resolved; hidden: Entry[] }[]> {
  const cfg = o.vault.config.data;
  const generated = await generatedValues(o.vault.root, cfg, { save: create, locked: true });
  const sides = new Map<string, VaultSide>();
  const out = [];
  for (const t of targets(cfg)) {
    const env = t.env ?? o.env;
    let side = sides.get(env);
    if (side === undefined) {
      side = await vaultLayers(o.keyring, env);
      sides.set(env, side);
    }
    const context = t.context ?? o.context;
    const resolved = await resolveEnv({
      root: o.vault.root,
      cfg,
      env,
      vault: side,
      generated,
      ...(context === undefined ? {} : { context }),
      ...(t.context === undefined ? {} : { contextSource: `target ${t.path} in ${VAULT_FILE}` }),
      lookup: o.lookup ?? process.env,
      except: t.path,
    });
    for (const key of [...resolved.resolution.values.keys()]) if (!targetTakes(t, key)) resolved.resolution.values.delete(key);
    out.push({ target: { ...t, env }, resolved, hidden: side.hidden });
  }
  return out;
}

/**
 * Decrypts every environment the targets need, then plans every target. Nothing but this
 * clone's generated values is written here, so a failure (access, integrity, a bad target
 * file, a missing env_file) leaves every target as it was.
 */
export async function planUnlockAll(o: UnlockOptions, create: boolean): Promise<TargetPlan[]> {
  const root = o.vault.root;
  const state = await loadState(root);
  const key = await hashKey(root, create);
  const resolved = await resolveTargets(o, create);
  const plans: TargetPlan[] = [];
  for (const { target: t, resolved: r, hidden } of resolved) {
    const env = t.env ?? o.env;
    const { text, exists, mode } = await readTarget(root, t.path);
    const previous = state.targets[t.path]?.keys ?? {};
    const input = { text, values: r.resolution.values, previous, hashKey: key };
    const probe = planUnlock({ ...input, decide: () => "keep" });
    const decisions = probe.kept.length > 0 ? await o.decide(t.path, probe.kept) : new Map<string, ConflictPolicy>();
    const patch = probe.kept.length > 0 ? planUnlock({ ...input, decide: (k) => decisions.get(k) ?? "keep" }) : probe;
    const warnings = checkMode(t.path, mode, patch.after !== patch.before);
    plans.push({ target: t.path, env, ...(r.context === undefined ? {} : { context: r.context }), exists, ...(mode === undefined ? {} : { mode }), patch, warnings, hidden, resolved: r });
  }
  return plans;
}

/** Writes planned targets: backup first, atomic replace, mode kept (new files 0600). */
export async function applyUnlock(vault: Vault, plans: TargetPlan[]): Promise<void> {
  const root = vault.root;
  const state = await loadState(root);
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
}

export interface LockResult {
  target: string;
  removed: string[];
  kept: string[];
}

/** Removes from each unlocked target the values envvault wrote and nobody changed since. */
export async function lockAll(vault: Vault): Promise<LockResult[]> {
  const root = vault.root;
  const state = await loadState(root);
  const key = await localKey(root);
  const out: LockResult[] = [];
  for (const [recorded, t] of Object.entries(state.targets).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const target = confinedPath(recorded, { what: "target", setting: "a recorded target", file: `${LOCAL_DIR}/state.json` });
    const path = await checkInside(root, target, `target ${target}`);
    const { text, exists } = await readTarget(root, target);
    if (exists) {
      const plan = planLock(text, t.keys, key);
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
}
