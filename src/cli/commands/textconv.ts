import { textconv as convert } from "../../app/textconv.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  file: string;
}

/** `vault textconv FILE` (git's `diff.envvault.textconv`): the converted text on stdout, byte for byte. */
export async function textconv(ctx: Context, args: Args): Promise<void> {
  ctx.out.raw(await convert(depsOf(ctx), { file: args.file }));
}
