/**
 * `vault hook NAME [ARGS…]`: what the installed git hooks run. pre-commit blocks leaks
 * (exit 6); the post-* hooks unlock again for the new HEAD and never fail the git command.
 *
 * pre-commit runs on every commit: this module and what it imports stay light (see
 * app/precommit.ts and app/follow.ts).
 */
import { Blocked, UsageError } from "../../errors.js";
import { followHead, type HeadHook } from "../../app/follow.js";
import { type Finding, preCommit } from "../../app/precommit.js";
import { depsOf, summary } from "../common.js";
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

/** Blocks the commit (exit 6) when anything was found, listing the first findings. */
async function checkCommit(ctx: Context): Promise<void> {
  const r = await preCommit(depsOf(ctx));
  for (const w of r.warnings) ctx.out.warn(w);
  if (r.findings.length === 0) return;
  const listed = r.findings.slice(0, MAX_LISTED).map((f) => `  ${describeFinding(f)}`);
  if (r.findings.length > MAX_LISTED) listed.push(`  … and ${r.findings.length - MAX_LISTED} more`);
  const n = r.findings.length;
  throw new Blocked(`commit blocked: ${n} problem${n === 1 ? "" : "s"} in staged files\n${listed.join("\n")}`, {
    data: { findings: r.findings },
    hints: [
      ...new Set(r.findings.flatMap((f) => (f.hint === undefined ? [] : [f.hint]))),
      "unstage a file with `git restore --staged FILE` (or `git rm --cached FILE` to stop tracking it)",
      "keep values in the vault: `vault set KEY`, or `vault import FILE` for a whole .env file, and read them with `vault run` or `vault unlock`",
      "a token shape that is not a secret (a test fixture): add `envvault:allow` in a comment on its line",
      "bypass all of this for one commit only with `git commit --no-verify`",
    ],
  });
}

/** post-checkout, post-merge, post-rewrite, post-commit, reference-transaction: reports what following HEAD changed. Never fails. */
async function afterGit(ctx: Context, name: HeadHook, args: readonly string[]): Promise<void> {
  const r = await followHead(depsOf(ctx), name, args);
  for (const w of r.keyFiles) ctx.out.warn(w);
  // Quiet when nothing changed: git prints enough on every commit and checkout.
  for (const c of r.changes) if (c.added.length + c.changed.length + c.removed.length > 0) ctx.out.note(`envvault: ${c.env} ${summary(c.added, c.changed, c.removed)}`);
  for (const w of r.warnings) ctx.out.warn(w);
}

/** Runs one git hook by name. */
export async function hook(ctx: Context, args: Args): Promise<void> {
  const rest = args.args ?? [];
  switch (args.name) {
    case "pre-commit":
      return checkCommit(ctx);
    case "post-checkout":
    case "post-merge":
    case "post-rewrite":
    case "post-commit":
    case "reference-transaction":
      return afterGit(ctx, args.name, rest);
    default:
      throw new UsageError(`unknown hook ${JSON.stringify(args.name)}`, { hints: ["hooks: pre-commit, post-checkout, post-merge, post-rewrite, post-commit, reference-transaction"] });
  }
}
