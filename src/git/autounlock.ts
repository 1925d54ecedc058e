/**
 * Unlocking again after git moved HEAD (post-checkout, post-merge, post-rewrite, sync):
 * the same safe patching as `vault unlock`, with local edits always kept (nobody is there to
 * be asked), and a one-line summary per environment.
 */
import type { Keyring } from "../ops/keyring.js";
import type { ConflictPolicy } from "../ops/patch.js";
import { applyUnlock, planUnlockAll } from "../ops/unlock.js";
import { withRepoLock } from "../store/local.js";
import type { Vault } from "../store/vault.js";
import { updateFingerprints } from "./fingerprints-build.js";

export interface EnvSummary {
  env: string;
  added: string[];
  changed: string[];
  removed: string[];
}

export interface AutoUnlock {
  changes: EnvSummary[];
  warnings: string[];
}

const keepAll = async (_target: string, keys: string[]) => new Map(keys.map((k): [string, ConflictPolicy] => [k, "keep"]));

export async function autoUnlock(vault: Vault, keyring: Keyring, env: string): Promise<AutoUnlock> {
  const plans = await withRepoLock(vault.root, async () => {
    const planned = await planUnlockAll({ vault, keyring, env, decide: keepAll }, true);
    await applyUnlock(vault, planned);
    return planned;
  });
  const byEnv = new Map<string, EnvSummary>();
  const warnings: string[] = [];
  for (const p of plans) {
    const s = byEnv.get(p.env) ?? { env: p.env, added: [], changed: [], removed: [] };
    const add = (list: string[], keys: string[]) => list.push(...keys.filter((k) => !list.includes(k)));
    add(s.added, p.patch.added);
    add(s.changed, p.patch.changed);
    add(s.removed, p.patch.removed);
    byEnv.set(p.env, s);
    warnings.push(...p.warnings);
    if (p.patch.kept.length > 0) warnings.push(`${p.target}: kept your local value of ${p.patch.kept.join(", ")} (it differs from the vault); \`vault unlock --on-conflict overwrite\` replaces it`);
  }
  try {
    await updateFingerprints(vault, keyring);
  } catch (e) {
    warnings.push(`the fingerprint cache of the pre-commit hook was not updated: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const s of byEnv.values()) for (const l of [s.added, s.changed, s.removed]) l.sort();
  return { changes: [...byEnv.values()], warnings };
}
