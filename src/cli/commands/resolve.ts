import { UsageError } from "../../errors.js";
import { resolve as settle } from "../../app/resolve.js";
import { envPath } from "../../model/layout.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  names?: string[];
  ours: boolean;
  theirs: boolean;
}

/** `vault resolve [NAME…] --ours|--theirs`: settles merge conflicts of environment files. */
export async function resolve(ctx: Context, args: Args): Promise<void> {
  if (args.ours === args.theirs) {
    throw new UsageError("say which side to keep: --ours or --theirs", { hints: ["`vault status` shows each conflict with both sides"] });
  }
  const side = args.ours ? "ours" : "theirs";
  const report = await settle(depsOf(ctx), { names: args.names ?? [], side });
  for (const p of report.keyFiles) ctx.out.note(`${p}: took ${side}'s key file`);
  if (report.done.some((r) => r.scopes.length > 0)) {
    ctx.out.note("the scope was rotated on both branches: run `vault rotate --scope SCOPE` again once merged, so both rotations take effect");
  }
  for (const r of report.done) {
    ctx.out.note(`${r.env}: kept ${side} for ${r.settled.join(", ")}`);
    if (r.left.length > 0) ctx.out.note(`${r.env}: still in conflict: ${r.left.join(", ")}`);
    else ctx.out.note(`${r.env}: no conflict left; \`git add ${envPath(r.env)}\`, then commit`);
  }
  ctx.out.result(report.done.map(({ env, settled, left }) => ({ env, settled, left })));
}
