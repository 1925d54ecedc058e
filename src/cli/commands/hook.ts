/**
 * `vault hook NAME [ARGS…]`: what the installed git hooks run. pre-commit blocks leaks
 * (exit 6); the post-* hooks unlock again for the new HEAD and never fail the git command.
 *
 * pre-commit runs on every commit, so this module imports only light modules: the vault is
 * loaded (YAML, age) only when the fingerprint cache must be rebuilt.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Blocked, UsageError, VaultError } from "../../errors.js";
import { findGitRoot } from "../../store/root.js";
import { loadState, localKey } from "../../store/state.js";
import { freshness, knownSecrets, loadCache, SecretMatcher } from "../../store/fingerprints.js";
import { storedGenerated } from "../../store/generated.js";
import { checkStaged, type Finding, type StagedReader, startStagedReader } from "../../app/precommit.js";
import { chooseEnv, summary, depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  name: string;
  args?: string[];
}

const MAX_LISTED = 50;

/** A path as shown in a message: quoted when it holds characters a terminal would not show plainly. */
function showPath(path: string): string {
  return /[\x00-\x1f\x7f"\\]/.test(path) ? JSON.stringify(path) : path;
}

function describeFinding(f: Finding): string {
  return `${showPath(f.path)}${f.line === undefined ? "" : `:${f.line}`}: ${f.what} [${f.rule}]`;
}

/** This clone's generated values (they never enter the vault, so the cache does not hold them). */
async function generatedValuesToFind(ctx: Context, top: string): Promise<Map<string, string>> {
  try {
    return await storedGenerated(top);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    ctx.out.warn(`generated values were not looked for: ${e.message}`);
    for (const h of e.hints) ctx.out.warn(`hint: ${h}`);
    return new Map();
  }
}

async function preCommit(ctx: Context): Promise<void> {
  const top = findGitRoot(ctx.cwd);
  if (top === undefined) {
    throw new VaultError("NOT_FOUND", `${ctx.cwd} is not in a git repository, so there is nothing staged to check`, {
      hints: ["git runs this hook inside the repository; to check by hand, cd into the repository first"],
    });
  }
  // git reads the index and starts cat-file while the cache is loaded below.
  const reader = startStagedReader(top);
  try {
    return await preCommitChecks(ctx, top, reader);
  } finally {
    await reader.catFile.read([]).catch(() => undefined);
  }
}

async function preCommitChecks(ctx: Context, top: string, reader: StagedReader): Promise<void> {
  const hasVault = existsSync(join(top, ".envvault", "vault.yaml"));
  let matcher: SecretMatcher | undefined;
  let allow = new Set<string>();
  let targets = new Set<string>([".env"]);
  if (hasVault) {
    let cache = await loadCache(top);
    let fresh = await freshness(top, cache);
    if (fresh.configChanged || fresh.unchecked.size > 0) {
      try {
        const { refreshFingerprints } = await import("../../app/fingerprints.js");
        await refreshFingerprints(top, depsOf(ctx));
      } catch (e) {
        if (!(e instanceof VaultError)) throw e;
        ctx.out.warn(`cannot rebuild the fingerprint cache: ${e.message}`);
      }
      cache = await loadCache(top);
      fresh = await freshness(top, cache);
    }
    for (const [env, n] of fresh.unchecked) {
      ctx.out.warn(`${env}: ${n} value(s) changed since the fingerprint cache was built and were not looked for; \`vault hooks refresh\` (with your identity) updates it`);
    }
    const generated = await generatedValuesToFind(ctx, top);
    if (fresh.secrets.length > 0 || generated.size > 0) {
      const key = await localKey(top);
      matcher = new SecretMatcher(key, [...fresh.secrets, ...knownSecrets("generated in this clone", generated, key)]);
    }
    allow = new Set(cache?.config?.allow ?? []);
    targets = new Set(cache?.config?.targets ?? [".env"]);
  }
  const result = await checkStaged(top, { ...(matcher === undefined ? {} : { matcher }), allow, targets, reader });
  if (result.findings.length === 0) return;
  const listed = result.findings.slice(0, MAX_LISTED).map((f) => `  ${describeFinding(f)}`);
  if (result.findings.length > MAX_LISTED) listed.push(`  … and ${result.findings.length - MAX_LISTED} more`);
  const n = result.findings.length;
  throw new Blocked(`commit blocked: ${n} problem${n === 1 ? "" : "s"} in staged files\n${listed.join("\n")}`, {
    data: { findings: result.findings },
    hints: [
      "unstage a file with `git restore --staged FILE` (or `git rm --cached FILE` to stop tracking it)",
      "keep values in the vault: `vault set KEY`, or `vault import FILE` for a whole .env file, and read them with `vault run` or `vault unlock`",
      "a token shape that is not a secret (a test fixture): add `envvault:allow` in a comment on its line",
      "bypass all of this for one commit only with `git commit --no-verify`",
    ],
  });
}

/** post-checkout, post-merge, post-rewrite: unlock again if this clone was unlocked. Never fails. */
async function afterGit(ctx: Context, name: string, args: readonly string[]): Promise<void> {
  if (ctx.processEnv.ENVVAULT_NO_AUTO_UNLOCK === "1") return;
  if (name === "post-checkout" && (args[2] === "0" || args[0] === args[1])) return; // a file checkout, or no move
  const top = findGitRoot(ctx.cwd) ?? ctx.cwd;
  if (!existsSync(join(top, ".envvault", "vault.yaml"))) return;
  if (name === "post-merge") {
    try {
      const { describeStale, staleKeyFiles } = await import("../../app/mergecheck.js");
      for (const s of await staleKeyFiles(top, "", "HEAD")) ctx.out.warn(describeStale(s));
    } catch (e) {
      ctx.out.warn(`post-merge: key files were not checked: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    if (Object.keys((await loadState(top)).targets).length === 0) return;
    const { autoUnlock } = await import("../../app/unlock.js");
    const result = await autoUnlock(depsOf(ctx));
    if (result === undefined) return;
    for (const c of result.changes) ctx.out.note(`envvault: ${c.env} ${summary(c.added, c.changed, c.removed)}`);
    for (const w of result.warnings) ctx.out.warn(w);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.out.warn(`${name}: the targets were not unlocked for the new HEAD: ${message}`);
    for (const h of e instanceof VaultError ? e.hints : []) ctx.out.warn(`hint: ${h}`);
    ctx.out.warn("hint: run `vault unlock` when it is fixed; git itself went through");
  }
}

export async function hook(ctx: Context, args: Args): Promise<void> {
  const rest = args.args ?? [];
  switch (args.name) {
    case "pre-commit":
      return preCommit(ctx);
    case "post-checkout":
    case "post-merge":
    case "post-rewrite":
      return afterGit(ctx, args.name, rest);
    default:
      throw new UsageError(`unknown hook ${JSON.stringify(args.name)}`, { hints: ["hooks: pre-commit, post-checkout, post-merge, post-rewrite"] });
  }
}
