import { ExitCode } from "../../errors.js";
import { describeProblem, findProblems } from "../../app/check.js";
import { openVault } from "../../app/session.js";
import { nowSeconds } from "../../app/write.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** Reports drift, overdue rotations, exposed values and burned variables in use; exit 5 when any. */
export async function check(ctx: Context): Promise<number> {
  const vault = await openVault(depsOf(ctx));
  const problems = await findProblems(vault, nowSeconds(ctx.processEnv));
  if (ctx.json) ctx.out.result({ ok: problems.length === 0, problems });
  else if (problems.length === 0) ctx.out.note("vault check: nothing to report");
  else ctx.out.data(problems.map((p) => `${p.kind}: ${describeProblem(p)}`).join("\n"));
  return problems.length === 0 ? ExitCode.ok : ExitCode.validation;
}
