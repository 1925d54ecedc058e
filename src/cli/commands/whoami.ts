import { identify } from "../../app/whoami.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault whoami`. */
export async function whoami(ctx: Context): Promise<void> {
  const me = await identify(depsOf(ctx));
  if (ctx.json) {
    ctx.out.result({ recipients: me.recipients, source: me.source, member: me.member ?? null, scopes: me.scopes });
    return;
  }
  const lines = [`recipient: ${me.recipients.join(", ")}`, `identity:  ${me.source}`];
  if (me.inVault) {
    lines.push(`member:    ${me.member ?? "(not a member of this vault; a member can add you with `vault member add NAME --recipient " + (me.recipients[0] ?? "") + "`)"}`);
    if (me.member !== undefined) lines.push(`scopes:    ${me.scopes.join(", ") || "(none)"}`);
  }
  ctx.out.data(lines.join("\n"));
}
