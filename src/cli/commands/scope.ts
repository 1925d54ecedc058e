import { addScope } from "../../app/add-scope.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault scope add production:payments`: a new scope readable by its creator only. */
export async function scope(ctx: Context, args: { action: "add"; scope: string }): Promise<void> {
  await addScope(depsOf(ctx), { scope: args.scope });
  ctx.out.note(`added scope ${args.scope}; only you can read it: \`vault grant WHO ${args.scope}\` shares it, \`vault set KEY --scope ${args.scope}\` stores values in it`);
  ctx.out.result({ scope: args.scope });
}
