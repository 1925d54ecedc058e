import { ExitCode } from "../../errors.js";
import { findProblems, type Problem } from "../../app/check.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** Reports integrity failures (exit 4), drift, overdue rotations, exposed values and burned variables in use (exit 5). */
export async function check(ctx: Context): Promise<number> {
  const problems = await findProblems(depsOf(ctx));
  if (ctx.json) ctx.out.result({ ok: problems.length === 0, problems });
  else if (problems.length === 0) ctx.out.note("vault check: nothing to report");
  else ctx.out.data(problems.map((p) => `${p.kind}: ${describe(p)}`).join("\n"));
  if (problems.some((p) => p.kind === "integrity")) return ExitCode.integrity;
  return problems.length === 0 ? ExitCode.ok : ExitCode.validation;
}

/** A problem and what fixes it, on one line. */
function describe(p: Problem): string {
  switch (p.kind) {
    case "drift":
      return p.detail === "missing key file"
        ? `${p.scope}: ${p.member} has access in roster.yaml but no key file; a member who can read it runs \`vault grant ${p.member} ${p.scope}\``
        : p.detail === "stale key file"
          ? `${p.scope}: ${p.member}'s key file holds a key the scope no longer has (written before a rotation it was merged with), so ${p.member} cannot read it; \`vault rotate --scope ${p.scope}\` by a reader wraps the current key for every reader`
          : `${p.scope}: ${p.member} holds a key file without access in roster.yaml; \`vault rotate --scope ${p.scope}\` takes it away`;
    case "overdue":
      return `${p.env}: ${p.key} was last changed ${new Date(p.changed * 1000).toISOString().slice(0, 10)}, longer ago than its policy (${p.every}); \`vault rotate ${p.key} --env ${p.env}\``;
    case "exposed":
      return `${p.env}: ${p.key} was readable by ${p.to} (removed ${p.since}) and has not changed since; change it at its provider, then \`vault rotate ${p.key} --env ${p.env}\``;
    case "integrity":
      return `${p.file}${p.key === undefined ? "" : ` ${p.key}`}: ${p.what}`;
    case "burned":
      return `${p.target}: ${p.key} is burned but still in the file; \`vault unlock\` removes it if envvault wrote it, otherwise delete the line`;
  }
}
