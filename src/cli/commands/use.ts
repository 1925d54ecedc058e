import { useEnvironment } from "../../app/use.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault use ENV`. */
export async function use(ctx: Context, args: { env: string }): Promise<void> {
  const { env } = await useEnvironment(depsOf(ctx), { env: args.env });
  ctx.out.note(`using ${env}; \`vault unlock\` writes its targets`);
  ctx.out.result({ env });
}
