import { identify } from "../../app/whoami.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault whoami`. */
export async function whoami(ctx: Context): Promise<void> {
  const me = await identify(depsOf(ctx));
  if (ctx.json) {
    ctx.out.result({ recipients: me.recipients, signingKeys: me.signingKeys, source: me.source, member: me.member ?? null, admin: me.admin ?? false, scopes: me.scopes, trustRoot: me.trustRoot ?? null });
    return;
  }
  const lines = [`recipient:   ${me.recipients.join(", ")}`, `signing key: ${me.signingKeys.join(", ")}`, `identity:    ${me.source}`];
  if (me.inVault) {
    lines.push(`member:      ${me.member === undefined ? "(not a member of this vault; an admin can add you with `vault member add NAME --recipient " + (me.recipients[0] ?? "") + " --signing-key " + (me.signingKeys[0] ?? "") + "`)" : `${me.member}${me.admin === true ? " (admin)" : ""}`}`);
    if (me.member !== undefined) lines.push(`scopes:      ${me.scopes.join(", ") || "(none)"}`);
    if (me.trustRoot !== undefined) lines.push(`trust root:  ${me.trustRoot}`);
  }
  ctx.out.data(lines.join("\n"));
}
