import { exportAs, type ExportFormat } from "../../ops/formats.js";
import { readEnv } from "../../ops/read.js";
import { keyringFor, openVault, whoAmI } from "../../ops/session.js";
import { chooseEnv, where } from "../common.js";
import type { Context } from "../context.js";

export async function exportEnv(ctx: Context, args: { format: ExportFormat }): Promise<void> {
  const vault = await openVault(where(ctx));
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(where(ctx)));
  const values = new Map([...(await readEnv(keyring, env))].map(([k, r]) => [k, r.value]));
  // Rendered in full before the first byte goes out: a failure prints nothing on stdout.
  ctx.out.raw(exportAs(ctx.json ? "json" : args.format, values));
}
