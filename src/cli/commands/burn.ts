import { burn as burnKey } from "../../app/burn.js";
import { assertKey } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** Marks a variable do-not-use: kept for history, removed from targets, refused by `run`. */
export async function burn(ctx: Context, args: { key: string; reason?: string }): Promise<void> {
  const key = assertKey(args.key);
  await burnKey(depsOf(ctx), { key, ...(args.reason === undefined ? {} : { reason: args.reason }) });
  ctx.out.note(`burned ${key}: the next \`vault unlock\` removes it from targets, and \`vault run\` no longer injects it`);
  ctx.out.result({ key, burned: true });
}
