import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { readText, removeDeadTemps, tempPattern, writeFileAtomic } from "../io/atomic.js";
import { backup } from "../io/backup.js";
import { burnedOf, targets } from "../vault/config.js";
import { localKey, loadState, saveState } from "../store/state.js";
import { LOCAL_DIR } from "../store/root.js";
import type { Vault } from "../store/vault.js";
import { ignorePattern, withIgnored } from "./gitignore.js";
import type { Keyring } from "./keyring.js";
import { type ConflictPolicy, type Patch, planLock, planUnlock } from "./patch.js";
import { type Entry, readVisible } from "./read.js";

export interface TargetPlan {
  target: string;
  env: string;
  exists: boolean;
  patch: Patch;
  /** Variables of the environment in scopes this reader cannot open, left out. */
  hidden: Entry[];
}

export interface UnlockOptions {
  vault: Vault;
  keyring: Keyring;
  env: string;
  /** Settles keys whose local value differs from the vault; called only for those keys. */
  decide: (target: string, keys: string[]) => Promise<Map<string, ConflictPolicy>>;
}

async function readTarget(path: string): Promise<{ text: string; exists: boolean }> {
  if (!existsSync(path)) return { text: "", exists: false };
  return { text: await readText(path), exists: true };
}

/** Hash key of this clone; a throwaway one when none exists yet and nothing may be written. */
async function hashKey(root: string, create: boolean): Promise<Uint8Array> {
  if (create || existsSync(join(root, LOCAL_DIR, "state.key"))) return localKey(root);
  return randomBytes(32);
}

/**
 * Decrypts every environment the targets need, then plans every target. Nothing is written
 * here, so a failure (access, integrity, a bad target file) leaves every file as it was.
 */
export async function planUnlockAll(o: UnlockOptions, create: boolean): Promise<TargetPlan[]> {
  const root = o.vault.root;
  const state = await loadState(root);
  const key = await hashKey(root, create);
  const values = new Map<string, Map<string, string>>();
  const hidden = new Map<string, Entry[]>();
  const list = targets(o.vault.config.data).map((t) => ({ path: t.path, env: t.env ?? o.env }));
  for (const t of list) {
    if (values.has(t.env)) continue;
    const visible = await readVisible(o.keyring, t.env);
    // A burned variable is not written any more: the unlock that follows the burn removes it.
    const live = [...visible.values].filter(([k]) => burnedOf(o.vault.config.data, k) === undefined);
    values.set(t.env, new Map(live.map(([k, r]) => [k, r.value])));
    hidden.set(t.env, visible.hidden);
  }
  const plans: TargetPlan[] = [];
  for (const t of list) {
    const { text, exists } = await readTarget(join(root, t.path));
    const previous = state.targets[t.path]?.keys ?? {};
    const input = { text, values: values.get(t.env) ?? new Map<string, string>(), previous, hashKey: key };
    const probe = planUnlock({ ...input, decide: () => "keep" });
    const decisions = probe.kept.length > 0 ? await o.decide(t.path, probe.kept) : new Map<string, ConflictPolicy>();
    const patch = probe.kept.length > 0 ? planUnlock({ ...input, decide: (k) => decisions.get(k) ?? "keep" }) : probe;
    plans.push({ target: t.path, env: t.env, exists, patch, hidden: hidden.get(t.env) ?? [] });
  }
  return plans;
}

/** Writes planned targets: backup first, atomic replace, mode kept (new files 0600). */
export async function applyUnlock(vault: Vault, plans: TargetPlan[]): Promise<void> {
  const root = vault.root;
  const state = await loadState(root);
  for (const p of plans) {
    const path = join(root, p.target);
    // A writer killed mid-write leaves its temp file, holding plaintext, beside the target.
    await removeDeadTemps(dirname(path), { target: path });
    if (p.patch.after !== p.patch.before || !p.exists) {
      if (p.exists) await backup(path, { root });
      await writeFileAtomic(path, p.patch.after, { mode: 0o600 });
    }
    state.targets[p.target] = { env: p.env, keys: p.patch.owned };
  }
  const ignore = await withIgnored(root, plans.flatMap((p) => [ignorePattern(p.target), tempPattern(p.target)]));
  if (ignore !== undefined) await writeFileAtomic(join(root, ".gitignore"), ignore, { mode: 0o644 });
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
  for (const [target, t] of Object.entries(state.targets).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = join(root, target);
    const { text, exists } = await readTarget(path);
    if (exists) {
      const plan = planLock(text, t.keys, key);
      if (plan.after !== text) {
        await backup(path, { root });
        await writeFileAtomic(path, plan.after);
      }
      out.push({ target, removed: plan.removed, kept: plan.kept });
    }
    delete state.targets[target];
  }
  await saveState(root, state);
  return out;
}
