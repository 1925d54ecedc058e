/**
 * `vault hook post-checkout|post-merge|post-rewrite`: after HEAD moved, unlock again in a
 * clone that was unlocked, so that the targets follow HEAD (local edits kept), and after a
 * merge, report key files it left wrapped for an old key. Never fails: git itself went
 * through, so every problem comes back as a warning.
 *
 * Git runs these on every checkout: the vault and the unlock are loaded only in a clone that
 * unlocked something.
 */
import { VaultError } from "../errors.js";
import { vaultRootOrNone } from "../store/root.js";
import { loadState } from "../store/state.js";
import type { Deps } from "./session.js";
import type { EnvSummary } from "./unlock.js";

/** The git hooks that move HEAD (post-commit: a revert, a cherry-pick, a conflicted merge concluded, any commit). */
export type HeadHook = "post-checkout" | "post-merge" | "post-rewrite" | "post-commit";

/** What following HEAD did. */
export interface HeadFollowed {
  /** post-merge: key files the merge left wrapped for a key their scope no longer has, or why they were not checked. */
  keyFiles: string[];
  /** What changed in the targets, per environment. */
  changes: EnvSummary[];
  warnings: string[];
}

/** post-merge: the merge commit's stale key files (app/mergecheck.ts), as warnings. */
async function staleAfterMerge(root: string): Promise<string[]> {
  try {
    const { describeStale, staleKeyFiles } = await import("./mergecheck.js");
    return (await staleKeyFiles(root, "HEAD")).map(describeStale);
  } catch (e) {
    return [`post-merge: key files were not checked: ${e instanceof Error ? e.message : String(e)}`];
  }
}

/** Whether HEAD changed a vault file against its first parent (false for a first commit). */
async function commitChangedVault(root: string): Promise<boolean> {
  const { git } = await import("../git/exec.js");
  const r = await git(["diff", "--quiet", "HEAD^1", "HEAD", "--", ".envvault"], { cwd: root, allowFail: true });
  return r.code === 1;
}

/**
 * Follows HEAD after `hook` ran with git's arguments `args`. Nothing happens with
 * ENVVAULT_NO_AUTO_UNLOCK=1 (`vault sync` unlocks once itself), after a checkout of files
 * rather than a branch, or when HEAD did not move.
 */
export async function followHead(deps: Deps, hook: HeadHook, args: readonly string[]): Promise<HeadFollowed> {
  const out: HeadFollowed = { keyFiles: [], changes: [], warnings: [] };
  if (deps.processEnv.ENVVAULT_NO_AUTO_UNLOCK === "1") return out;
  if (hook === "post-checkout" && (args[2] === "0" || args[0] === args[1])) return out;
  try {
    const root = vaultRootOrNone(deps.cwd);
    if (root === undefined) return out;
    if (hook === "post-merge") out.keyFiles = await staleAfterMerge(root);
    if (Object.keys((await loadState(root)).targets).length === 0) return out;
    // Most commits leave the vault as the work tree had it; only one that changed it against
    // its first parent (a revert, a cherry-pick, a merge concluded by hand) may leave the targets behind.
    if (hook === "post-commit" && !(await commitChangedVault(root))) return out;
    if (hook === "post-commit") out.keyFiles = await staleAfterMerge(root);
    const { autoUnlock } = await import("./unlock.js");
    const result = await autoUnlock(deps);
    if (result !== undefined) {
      out.changes = result.changes;
      out.warnings = result.warnings;
    }
  } catch (e) {
    out.warnings.push(
      `${hook}: the targets were not unlocked for the new HEAD: ${e instanceof Error ? e.message : String(e)}`,
      ...(e instanceof VaultError ? e.hints : []).map((h) => `hint: ${h}`),
      "hint: run `vault unlock` when it is fixed; git itself went through",
    );
  }
  return out;
}
