/**
 * `vault hook post-checkout|post-merge|post-rewrite`: after HEAD moved, unlock again in a
 * clone that was unlocked, so that the targets follow HEAD (local edits kept), and after a
 * merge, report key files it left wrapped for an old key. Never fails: git itself went
 * through, so every problem comes back as a warning.
 *
 * Git runs these on every checkout: the vault and the unlock are loaded only in a clone that
 * unlocked something.
 */
import { existsSync } from "node:fs";
import { VaultError } from "../errors.js";
import { vaultRootOrNone } from "../store/root.js";
import { loadState, markUnlocked, unlockedHead, vaultNewerThanUnlock } from "../store/state.js";
import type { Deps } from "./session.js";
import type { EnvSummary } from "./unlock.js";

/**
 * The git hooks that move HEAD or the work tree's vault files (post-commit: a revert, a
 * cherry-pick, a conflicted merge concluded; reference-transaction: a `reset --hard`, a
 * `stash`, a `stash pop`, which no other hook sees).
 */
export type HeadHook = "post-checkout" | "post-merge" | "post-rewrite" | "post-commit" | "reference-transaction";

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
 * Whether git is in the middle of a rebase or `git am`: each step checks out or commits, and
 * the post-rewrite hook unlocks once at the end.
 */
async function midRebase(root: string): Promise<boolean> {
  const { gitText } = await import("../git/exec.js");
  const paths = (await gitText(["rev-parse", "--path-format=absolute", "--git-path", "rebase-merge", "--git-path", "rebase-apply"], { cwd: root })).split("\n");
  return paths.some((p) => p !== "" && existsSync(p));
}

async function headOf(root: string): Promise<string> {
  const { git } = await import("../git/exec.js");
  return (await git(["rev-parse", "--verify", "-q", "HEAD"], { cwd: root, allowFail: true })).stdout.toString("utf8").trim();
}

/**
 * Whether the reference-transaction hook of this same git command unlocked already: it
 * recorded the HEAD git moved to, and no vault file changed since.
 */
async function followedAlready(root: string): Promise<boolean> {
  const head = await unlockedHead(root);
  if (head === undefined || head !== (await headOf(root))) return false;
  return !(await vaultNewerThanUnlock(root));
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
  // The installed hook starts vault only for a committed update after git rewrote a vault file.
  if (hook === "reference-transaction" && args[0] !== "committed") return out;
  try {
    const root = vaultRootOrNone(deps.cwd);
    if (root === undefined) return out;
    if (hook === "post-merge") out.keyFiles = await staleAfterMerge(root);
    if (Object.keys((await loadState(root)).targets).length === 0) return out;
    // Most commits leave the vault as the work tree had it; only one that changed it against
    // its first parent (a revert, a cherry-pick, a merge concluded by hand) may leave the targets behind.
    if (hook === "post-commit" && !(await commitChangedVault(root))) return out;
    if (hook === "post-commit") out.keyFiles = await staleAfterMerge(root);
    if (hook !== "post-rewrite" && (await midRebase(root))) return out;
    if (hook !== "reference-transaction" && (await followedAlready(root))) return out;
    const { autoUnlock } = await import("./unlock.js");
    const result = await autoUnlock(deps);
    if (result !== undefined) {
      out.changes = result.changes;
      out.warnings = result.warnings;
      if (hook === "reference-transaction") await markUnlocked(root, await headOf(root));
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
