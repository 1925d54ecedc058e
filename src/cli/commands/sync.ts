import { sync as syncVault } from "../../app/sync.js";
import { changeText } from "../changes.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  push: boolean;
}

/** `vault sync [--no-push]`: reports what the pull brought, what the unlock changed, what was pushed. */
export async function sync(ctx: Context, args: Args): Promise<number> {
  const r = await syncVault(depsOf(ctx), { push: args.push });
  if (r.pullConflicts !== undefined) {
    ctx.out.warn("the pull stopped on merge conflicts");
    for (const l of r.pullConflicts) ctx.out.warn(l);
    if (r.failure !== undefined) throw r.failure;
  }
  for (const c of r.changes) ctx.out.note(`pulled ${c.env}: ${changeText(c)}`);
  if (r.before === r.after) ctx.out.note("nothing to pull: up to date with the upstream branch");
  else if (r.changes.length === 0) ctx.out.note(`pulled ${(r.after ?? "").slice(0, 10)}: no change to the vault`);
  for (const c of r.unlocked) ctx.out.note(`unlocked ${c.env}: ${summary(c.added, c.changed, c.removed)}`);
  for (const w of r.warnings) ctx.out.warn(w);
  if (r.failure !== undefined) throw r.failure;
  if (r.pushed > 0) ctx.out.note(`pushed ${r.pushed} commit(s)`);
  else if (r.ahead > 0) ctx.out.note(`${r.ahead} local commit(s) not pushed (--no-push)`);
  ctx.out.result({ before: r.before ?? null, after: r.after ?? null, changes: r.changes, unlocked: r.unlocked, pushed: r.pushed });
  return 0;
}
