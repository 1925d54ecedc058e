import { revoke as revokeAccess } from "../../app/revoke.js";
import { revokeWrite } from "../../app/roles.js";
import { parseScope } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { renderExposures } from "../exposures.js";

/** `vault revoke WHO SCOPE`: a member's or team's access taken away; the scope is rotated at once. */
export async function revoke(ctx: Context, args: { who: string; scope: string; write?: boolean }): Promise<void> {
  parseScope(args.scope);
  if (args.write === true) {
    const w = await revokeWrite(depsOf(ctx), { who: args.who, scope: args.scope });
    ctx.out.note(`${w.who} may no longer write ${w.scope} (reading is unchanged); the lines they wrote stay valid, endorsed by you`);
    return ctx.out.result(w);
  }
  const r = await revokeAccess(depsOf(ctx), { who: args.who, scope: args.scope });
  ctx.out.note(`revoked ${args.who} from ${r.scope}; rotated ${r.scope} (${r.removed.join(", ") || "nobody"} lost access)`);
  renderExposures(ctx, r.exposed, r.earlier);
  ctx.out.result(r);
}
