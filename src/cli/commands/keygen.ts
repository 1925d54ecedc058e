import { makeIdentity } from "../../app/keygen.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault keygen [--out FILE]`: the recipient on stdout, for a member to add. */
export async function keygen(ctx: Context, args: { out?: string }): Promise<void> {
  const { path, recipient } = await makeIdentity(depsOf(ctx), args.out === undefined ? {} : { out: args.out });
  ctx.out.note(`wrote a new identity to ${path} (mode 0600); back it up: without it you cannot read your secrets`);
  if (ctx.json) ctx.out.result({ identity: path, recipient });
  else ctx.out.data(recipient);
}
