import { getValue } from "../../app/get.js";
import { assertKey } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault get KEY`: the value alone on stdout, as stored (with --json: where it comes from too). */
export async function get(ctx: Context, args: { key: string }): Promise<void> {
  const r = await getValue(depsOf(ctx), { key: assertKey(args.key) });
  for (const w of r.warnings) ctx.out.warn(w);
  if (ctx.json) ctx.out.result({ env: r.env, key: r.key, value: r.value, scope: r.scope, from: r.from });
  else ctx.out.raw(r.value + "\n");
}
