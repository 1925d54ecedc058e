import { lock as lockTargets } from "../../app/unlock.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";

export async function lock(ctx: Context): Promise<void> {
  const results = await lockTargets(depsOf(ctx));
  if (results.length === 0) ctx.out.note("nothing to lock: no target was unlocked in this clone");
  for (const r of results) {
    ctx.out.note(`locked ${r.target}: ${summary([], [], r.removed)}`);
    if (r.kept.length > 0) ctx.out.warn(`${r.target}: kept ${r.kept.join(", ")}: changed locally since unlock; \`vault set\` saves it, or delete the line yourself`);
  }
  ctx.out.result({ targets: results });
}
