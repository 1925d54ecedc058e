import { revoke as revokeAccess } from "../../app/revoke.js";
import { parseScope } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { renderExposures } from "../exposures.js";

/** `vault revoke WHO SCOPE`: a member's or team's access taken away; the scope is rotated at once. */
export async function revoke(ctx: Context, args: { who: string; scope: string }): Promise<void> {
  parseScope(args.scope);
  const r = await revokeAccess(depsOf(ctx), args);
  ctx.out.note(`revoked ${args.who} from ${r.scope}; rotated ${r.scope} (${r.removed.join(", ") || "nobody"} lost access)`);
  renderExposures(ctx, r.exposed);
  ctx.out.result(r);
}
