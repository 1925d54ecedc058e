import { ExitCode } from "../../errors.js";
import { validate as validateVault } from "../../app/validate.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** Checks required variables and value rules per environment; exit 5 on any violation. */
export async function validate(ctx: Context): Promise<number> {
  const result = await validateVault(depsOf(ctx));
  if (ctx.json) ctx.out.result({ ok: result.violations.length === 0, ...result });
  else {
    for (const v of result.violations) ctx.out.data(`${v.env}: ${v.key} ${v.problem}`);
    if (result.violations.length === 0) ctx.out.note("vault validate: every environment meets the definitions in vault.yaml");
  }
  for (const env of result.unreadable) ctx.out.warn(`${env}: you cannot read its values, so only required variables were checked`);
  return result.violations.length === 0 ? ExitCode.ok : ExitCode.validation;
}
