import { resolve } from "node:path";
import { defaultIdentityPath, writeIdentityFile } from "../../store/identity.js";
import type { Context } from "../context.js";

export async function keygen(ctx: Context, args: { out?: string }): Promise<void> {
  const path = args.out === undefined ? defaultIdentityPath(ctx.processEnv) : resolve(ctx.cwd, args.out);
  const { recipient } = await writeIdentityFile(path);
  ctx.out.note(`wrote a new identity to ${path} (mode 0600); back it up: without it you cannot read your secrets`);
  if (ctx.json) ctx.out.result({ identity: path, recipient });
  else ctx.out.data(recipient);
}
