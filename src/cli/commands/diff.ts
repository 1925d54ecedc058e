import { diffVault } from "../../app/diff.js";
import { changeText } from "../changes.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  from?: string;
  to?: string;
}

/** `vault diff [REV [REV] | A..B]`: one line per environment that changed; values never shown. */
export async function diff(ctx: Context, args: Args): Promise<void> {
  const r = await diffVault(depsOf(ctx), { ...(args.from === undefined ? {} : { from: args.from }), ...(args.to === undefined ? {} : { to: args.to }) });
  for (const c of r.changes) ctx.out.data(`${c.env}: ${changeText(c)}`);
  if (r.changes.length === 0) ctx.out.note(`no change to the vault between ${r.from} and ${r.to ?? "the work tree"}`);
  ctx.out.result({ from: r.from, to: r.to ?? null, changes: r.changes });
}
