/**
 * `vault sync`: `git pull` with the vault's merge driver active (even in a clone where
 * `vault hooks install` never ran), then unlock for the new HEAD, a key-level summary of what
 * the pull brought, and `git push` when local commits are ahead. Git's own credentials and
 * configuration (rebase or merge) are used as they are.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VaultError } from "../../errors.js";
import { unlockKeeping } from "../../app/unlock.js";
import { git, gitText } from "../../git/exec.js";
import { diffEnvTexts, type EnvChange } from "../../app/history.js";
import { ATTRIBUTES_LINE, currentLauncher, launcherCommand } from "../../git/hooks.js";
import { findRepo, headCommit, type Repo } from "../../git/repo.js";
import { RevisionReader } from "../../git/revision.js";
import { envTextsAt } from "../../store/at.js";
import { chooseEnv, summary, depsOf } from "../common.js";
import type { Context } from "../context.js";
import { changeText } from "./log.js";

interface Args {
  push: boolean;
}

/** git's own error lines (fatal:, error:), else its first lines. */
function firstLines(s: string): string {
  const lines = s.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("hint:"));
  const errors = lines.filter((l) => /^(fatal|error):/.test(l)).map((l) => l.replace(/^(fatal|error): /, ""));
  return (errors.length > 0 ? errors : lines).slice(0, 3).join(" / ");
}

async function pulledChanges(repo: Repo, cwd: string, before: string | undefined, after: string): Promise<EnvChange[]> {
  const reader = new RevisionReader(repo);
  return diffEnvTexts(before === undefined ? new Map() : await envTextsAt(reader, before), await envTextsAt(reader, after));
}

export async function sync(ctx: Context, args: Args): Promise<number> {
  const repo = await findRepo(ctx.cwd);
  const top = repo.top;
  const branch = (await git(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: top, allowFail: true })).stdout.toString("utf8").trim();
  const remote = branch === "" ? "" : (await git(["config", "--get", `branch.${branch}.remote`], { cwd: top, allowFail: true })).stdout.toString("utf8").trim();
  if (remote === "") {
    const remotes = (await gitText(["remote"], { cwd: top })).trim().split("\n")[0] ?? "";
    if (remotes === "") throw new VaultError("FAILURE", "this repository has no remote to sync with", { hints: ["add one: `git remote add origin URL`, then `git push -u origin HEAD`"] });
    if (branch === "") throw new VaultError("FAILURE", "HEAD is detached, so there is no branch to sync", { hints: ["check out a branch first: `git switch BRANCH`"] });
    throw new VaultError("FAILURE", `branch ${branch} has no upstream branch to sync with`, {
      hints: [`push it once with \`git push -u ${remotes} ${branch}\`, or set one: \`git branch --set-upstream-to=${remotes}/${branch}\``],
    });
  }
  const before = await headCommit(top);
  const cmd = launcherCommand(currentLauncher());
  const config = ["-c", "merge.envvault.name=envvault: key-level merge of vault files", "-c", `merge.envvault.driver=${cmd} merge-driver %O %A %B %P`];
  const attrs = await readFile(join(top, ".gitattributes"), "utf8").catch(() => "");
  let tempDir: string | undefined;
  if (!attrs.split(/\r?\n/).some((l) => l.trim() === ATTRIBUTES_LINE)) {
    // The repository does not route vault files to the driver yet: do it for this pull only.
    tempDir = await mkdtemp(join(tmpdir(), "envvault-sync-"));
    await writeFile(join(tempDir, "attributes"), ATTRIBUTES_LINE + "\n");
    config.push("-c", `core.attributesFile=${join(tempDir, "attributes")}`);
  }
  // The post-merge hook would unlock too; sync does it once, below, and reports it.
  const env = { ...ctx.processEnv, ENVVAULT_NO_AUTO_UNLOCK: "1" };
  // Without pull.rebase or pull.ff set, git 2.27+ refuses divergent branches: merge, as git always did.
  const configured = await git(["config", "--get-regexp", "^pull\\.(rebase|ff)$"], { cwd: top, allowFail: true });
  const mode = configured.stdout.length === 0 ? ["--no-rebase"] : [];
  const pull = await git([...config, "pull", "--no-edit", ...mode], { cwd: top, env, allowFail: true }).finally(() => (tempDir === undefined ? undefined : rm(tempDir, { recursive: true, force: true })));
  const pulledText = pull.stdout.toString("utf8") + pull.stderr;
  if (pull.code !== 0) {
    if (/CONFLICT|fix conflicts|Automatic merge failed|could not apply/i.test(pulledText)) {
      ctx.out.warn("the pull stopped on merge conflicts");
      for (const l of pulledText.split("\n").filter((x) => /CONFLICT/.test(x))) ctx.out.warn(l.trim());
      throw new VaultError("CONFLICT", "sync stopped: merge conflicts to settle", {
        hints: ["`vault status` explains the vault's conflicts; `vault resolve KEY --ours|--theirs` settles each", "then `git add` the files and `git commit` (or `git rebase --continue`), and run `vault sync` again"],
      });
    }
    throw new VaultError("FAILURE", `git pull failed: ${firstLines(pull.stderr) || `exit ${pull.code}`}`, {
      hints: ["check the remote's address and your network or credentials (`git remote -v`, `git pull`); nothing was changed"],
    });
  }
  const after = await headCommit(top);
  const changes = before !== after && after !== undefined ? await pulledChanges(repo, ctx.cwd, before, after) : [];
  for (const c of changes) ctx.out.note(`pulled ${c.env}: ${changeText(c)}`);
  if (before === after) ctx.out.note("already up to date with the upstream branch");
  else if (changes.length === 0) ctx.out.note(`pulled ${(after ?? "").slice(0, 10)}: no change to the vault`);
  let unlocked: { env: string; added: string[]; changed: string[]; removed: string[] }[] = [];
  try {
    const result = await unlockKeeping(depsOf(ctx));
    unlocked = result.changes;
    for (const c of result.changes) ctx.out.note(`unlocked ${c.env}: ${summary(c.added, c.changed, c.removed)}`);
    for (const w of result.warnings) ctx.out.warn(w);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    ctx.out.warn(`not unlocked: ${e.message}`);
  }
  const ahead = Number(await gitText(["rev-list", "--count", "@{upstream}..HEAD"], { cwd: top }));
  let pushed = 0;
  if (ahead > 0 && args.push) {
    const push = await git(["push"], { cwd: top, env, allowFail: true });
    if (push.code !== 0) {
      throw new VaultError("FAILURE", `git push failed: ${firstLines(push.stderr) || `exit ${push.code}`}`, {
        hints: ["the pull and unlock went through; check your rights and network, then `git push`"],
      });
    }
    pushed = ahead;
    ctx.out.note(`pushed ${ahead} commit(s)`);
  } else if (ahead > 0) {
    ctx.out.note(`${ahead} local commit(s) not pushed (--no-push)`);
  }
  ctx.out.result({ before: before ?? null, after: after ?? null, changes, unlocked, pushed });
  return 0;
}
