import { makeIdentity } from "../../app/keygen.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault keygen [--out FILE]`: the recipient on stdout, for a member to add. */
export async function keygen(ctx: Context, args: { out?: string }): Promise<void> {
  const { path, recipient, signingKey } = await makeIdentity(depsOf(ctx), args.out === undefined ? {} : { out: args.out });
  ctx.out.note(`wrote a new identity to ${path} (mode 0600); back it up: without it you cannot read your secrets`);
  ctx.out.note(`its signing key (an admin adds it with your recipient: \`vault member add NAME --recipient R --signing-key K\`): ${signingKey}`);
  if (ctx.json) ctx.out.result({ identity: path, recipient, signingKey });
  else ctx.out.data(recipient);
}
