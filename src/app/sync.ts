/**
 * `vault sync`: `git pull` with the vault's merge driver active (even in a clone where
 * `vault hooks install` never ran), then unlock for the new HEAD, a key-level summary of what
 * the pull brought, and `git push` when local commits are ahead. Git's own credentials and
 * configuration (rebase or merge) are used as they are.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VaultError } from "../errors.js";
import { diffEnvTexts, type EnvChange } from "../model/changes.js";
import { git, gitText } from "../git/exec.js";
import { ATTRIBUTES_LINES, currentLauncher, hasAttributes, mergeDriverConfig } from "../git/hooks.js";
import { findRepo, headCommit, type Repo } from "../git/repo.js";
import { RevisionReader } from "../git/revision.js";
import { envTextsAt } from "../store/at.js";
import type { Deps } from "./session.js";
import { type EnvSummary, unlockKeeping } from "./unlock.js";

/** What a sync did, up to where it stopped. */
export interface Synced {
  /** HEAD before and after the pull. */
  before?: string;
  after?: string;
  /** git's CONFLICT lines, when the pull stopped on merge conflicts: then nothing else ran and `failure` says so. */
  pullConflicts?: string[];
  /** What the pull brought to the vault. */
  changes: EnvChange[];
  /** What the unlock after the pull changed in the targets. */
  unlocked: EnvSummary[];
  /** Local commits ahead of the upstream branch after the pull, and how many were pushed. */
  ahead: number;
  pushed: number;
  /** From the unlock: things that did not stop the sync. */
  warnings: string[];
  /** What stopped the sync part way: merge conflicts in the pull, or a push that failed after the pull and unlock went through. */
  failure?: VaultError;
}

/** git's own error lines (fatal:, error:), else its first lines. */
function firstLines(s: string): string {
  const lines = s.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("hint:"));
  const errors = lines.filter((l) => /^(fatal|error):/.test(l)).map((l) => l.replace(/^(fatal|error): /, ""));
  return (errors.length > 0 ? errors : lines).slice(0, 3).join(" / ");
}

/** Refuses a sync with nowhere to pull from, saying what is missing: a remote, a branch, its upstream. */
async function requireUpstream(top: string): Promise<void> {
  const branch = (await git(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: top, allowFail: true })).stdout.toString("utf8").trim();
  const remote = branch === "" ? "" : (await git(["config", "--get", `branch.${branch}.remote`], { cwd: top, allowFail: true })).stdout.toString("utf8").trim();
  if (remote !== "") return;
  const remotes = (await gitText(["remote"], { cwd: top })).trim().split("\n")[0] ?? "";
  if (remotes === "") throw new VaultError("FAILURE", "this repository has no remote to sync with", { hints: ["add one: `git remote add origin URL`, then `git push -u origin HEAD`"] });
  if (branch === "") throw new VaultError("FAILURE", "HEAD is detached, so there is no branch to sync", { hints: ["check out a branch first: `git switch BRANCH`"] });
  throw new VaultError("FAILURE", `branch ${branch} has no upstream branch to sync with`, {
    hints: [`push it once with \`git push -u ${remotes} ${branch}\`, or set one: \`git branch --set-upstream-to=${remotes}/${branch}\``],
  });
}

/** `git pull` with envvault's merge driver, routed to the vault's files for this pull when `.gitattributes` does not yet. */
async function pull(top: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; text: string }> {
  const config = mergeDriverConfig(currentLauncher()).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  const attrs = await readFile(join(top, ".gitattributes"), "utf8").catch(() => "");
  let tempDir: string | undefined;
  if (!hasAttributes(attrs)) {
    tempDir = await mkdtemp(join(tmpdir(), "envvault-sync-"));
    await writeFile(join(tempDir, "attributes"), ATTRIBUTES_LINES.join("\n") + "\n");
    config.push("-c", `core.attributesFile=${join(tempDir, "attributes")}`);
  }
  // Without pull.rebase or pull.ff set, git 2.27+ refuses divergent branches: merge, as git always did.
  const configured = await git(["config", "--get-regexp", "^pull\\.(rebase|ff)$"], { cwd: top, allowFail: true });
  const mode = configured.stdout.length === 0 ? ["--no-rebase"] : [];
  const r = await git([...config, "pull", "--no-edit", ...mode], { cwd: top, env, allowFail: true }).finally(() => (tempDir === undefined ? undefined : rm(tempDir, { recursive: true, force: true })));
  return { code: r.code, stderr: r.stderr, text: r.stdout.toString("utf8") + r.stderr };
}

async function pulledChanges(repo: Repo, before: string | undefined, after: string): Promise<EnvChange[]> {
  const reader = new RevisionReader(repo);
  return diffEnvTexts(before === undefined ? new Map() : await envTextsAt(reader, before), await envTextsAt(reader, after));
}

/**
 * Pulls, unlocks (local edits kept), and pushes when `push` and ahead. A failed pull throws
 * (nothing changed); merge conflicts and a failed push come back as `failure`, with what
 * went through before them.
 */
export async function sync(deps: Deps, o: { push: boolean }): Promise<Synced> {
  const repo = await findRepo(deps.cwd);
  const top = repo.top;
  await requireUpstream(top);
  const before = await headCommit(top);
  // A change a vault command made but nobody committed is not in what the push sends.
  const uncommitted = (await gitText(["status", "--porcelain", "-z", "--untracked-files=all", "--", ".envvault"], { cwd: top }))
    .split("\0")
    .filter((l) => /^.. /.test(l))
    .map((l) => l.slice(3));
  // The post-merge hook would unlock too; sync does it once, below, and reports it.
  const env = { ...deps.processEnv, ENVVAULT_NO_AUTO_UNLOCK: "1" };
  const pulled = await pull(top, env);
  const out: Synced = { ...(before === undefined ? {} : { before }), changes: [], unlocked: [], ahead: 0, pushed: 0, warnings: [] };
  if (pulled.code !== 0) {
    if (/CONFLICT|fix conflicts|Automatic merge failed|could not apply/i.test(pulled.text)) {
      out.pullConflicts = pulled.text.split("\n").filter((x) => /CONFLICT/.test(x)).map((l) => l.trim());
      out.failure = new VaultError("CONFLICT", "sync stopped: merge conflicts to settle", {
        hints: ["`vault status` explains the vault's conflicts; `vault resolve KEY --ours|--theirs` settles each", "then `git add` the files and `git commit` (or `git rebase --continue`), and run `vault sync` again"],
      });
      return out;
    }
    throw new VaultError("FAILURE", `git pull failed: ${firstLines(pulled.stderr) || `exit ${pulled.code}`}`, {
      hints: ["check the remote's address and your network or credentials (`git remote -v`, `git pull`); nothing was changed"],
    });
  }
  const after = await headCommit(top);
  if (after !== undefined) out.after = after;
  out.changes = before !== after && after !== undefined ? await pulledChanges(repo, before, after) : [];
  try {
    const result = await unlockKeeping(deps);
    out.unlocked = result.changes;
    out.warnings.push(...result.warnings);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    out.warnings.push(`not unlocked: ${e.message}`);
  }
  out.ahead = Number(await gitText(["rev-list", "--count", "@{upstream}..HEAD"], { cwd: top }));
  if (out.ahead > 0 && o.push) {
    const push = await git(["push"], { cwd: top, env, allowFail: true });
    if (push.code !== 0) {
      const text = String(push.stderr);
      // Rejected as not a fast-forward: someone pushed between this pull and this push.
      const raced = /\[rejected\]|non-fast-forward|fetch first/.test(text);
      out.failure = new VaultError("FAILURE", `git push failed: ${firstLines(push.stderr) || `exit ${push.code}`}`, {
        hints: [raced ? "the remote branch moved on after this pull (someone pushed meanwhile); the pull and unlock went through: run `vault sync` again" : "the pull and unlock went through; check your rights and network, then `git push`"],
      });
      return out;
    }
    out.pushed = out.ahead;
  }
  if (uncommitted.length > 0 && o.push) {
    out.failure = new VaultError("FAILURE", `not pushed: vault changes are not committed (${uncommitted.join(", ")})`, {
      data: { files: uncommitted },
      hints: ["commit them (`git add .envvault && git commit -m \"…\"`), then run `vault sync` again; `vault status` lists what changed"],
    });
  }
  return out;
}
