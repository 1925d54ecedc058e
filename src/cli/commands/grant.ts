import { grant as grantAccess } from "../../app/grant.js";
import { parseScope } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault grant WHO SCOPE`: read access for a member or a team, with a key file for each new reader. */
export async function grant(ctx: Context, args: { who: string; scope: string }): Promise<void> {
  parseScope(args.scope);
  const r = await grantAccess(depsOf(ctx), args);
  ctx.out.note(`granted ${r.who} read access to ${r.scope}${r.readers.length > 0 ? `: new key files for ${r.readers.join(", ")}` : ""}`);
  ctx.out.result(r);
}
