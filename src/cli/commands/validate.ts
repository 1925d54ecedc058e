import { ExitCode } from "../../errors.js";
import { requireEnv } from "../../model/config.js";
import { optionalKeyring, openVault } from "../../app/session.js";
import { validate as run } from "../../app/validate.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** Checks required variables and value rules per environment; exit 5 on any violation. */
export async function validate(ctx: Context): Promise<number> {
  const vault = await openVault(depsOf(ctx));
  const only = ctx.env === undefined ? undefined : requireEnv(vault.config.data, ctx.env);
  const result = await run(vault, await optionalKeyring(vault, depsOf(ctx)), only);
  if (ctx.json) ctx.out.result({ ok: result.violations.length === 0, ...result });
  else {
    for (const v of result.violations) ctx.out.data(`${v.env}: ${v.key} ${v.problem}`);
    if (result.violations.length === 0) ctx.out.note("vault validate: every environment meets the definitions in vault.yaml");
  }
  for (const env of result.unreadable) ctx.out.warn(`${env}: you cannot read its values, so only required variables were checked`);
  return result.violations.length === 0 ? ExitCode.ok : ExitCode.validation;
}
