import { removeValues } from "../../app/remove.js";
import { assertKey } from "../../model/names.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";

/** `vault remove KEY…`. */
export async function remove(ctx: Context, args: { keys: string[] }): Promise<void> {
  const r = await removeValues(depsOf(ctx), { keys: [...new Set(args.keys.map(assertKey))] });
  for (const w of r.warnings) ctx.out.warn(w);
  ctx.out.note(`${r.env}: ${summary([], [], r.removed)}`);
  ctx.out.result({ env: r.env, removed: r.removed });
}
