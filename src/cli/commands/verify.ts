/** `vault verify` and `vault sign`: render the history check, the adoption and an admin's signature. */
import { ExitCode, UsageError } from "../../errors.js";
import { adoptUnsigned, signWorkTree } from "../../app/sign.js";
import { verifyHistory } from "../../app/verify.js";
import { describeProblem } from "../../model/signed.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

export async function verify(ctx: Context, args: { target?: string; range?: string; adopt: boolean }): Promise<number> {
  const deps = depsOf(ctx);
  if (args.target !== undefined && args.range !== undefined) throw new UsageError("give a target or --range, not both");
  if (args.adopt) {
    if (args.target !== undefined || args.range !== undefined) throw new UsageError("--adopt signs the work tree: it takes no target");
    const adopted = await adoptUnsigned(deps);
    for (const w of adopted.warnings) ctx.out.warn(w);
    if (ctx.json) ctx.out.result({ adopted: adopted.envs, root: adopted.trustRoot });
    else {
      ctx.out.note(`adopted the vault: ${adopted.envs.join(", ")} signed by you as its first admin; commit .envvault/ and share the trust root to pin (ENVVAULT_TRUST_ROOT):`);
      ctx.out.data(adopted.trustRoot);
    }
    return ExitCode.ok;
  }
  const target = args.range ?? args.target;
  const r = await verifyHistory(deps, target === undefined ? {} : { target });
  if (ctx.json) ctx.out.result({ ok: r.problems.length === 0, root: r.root, checked: r.checked, unsigned: r.unsigned, problems: r.problems });
  else if (r.problems.length === 0) {
    ctx.out.note(`verified ${r.range}: ${r.checked} signed commit${r.checked === 1 ? "" : "s"}${r.unsigned > 0 ? ` (${r.unsigned} from before the vault was signed)` : ""}; trust root:`);
    if (r.root !== undefined) ctx.out.data(r.root);
  } else {
    ctx.out.data(r.problems.map(describeProblem).join("\n"));
    ctx.out.note(`vault verify: ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}; look at those commits (git show COMMIT) and revert what nobody on the team wrote`);
  }
  return r.problems.length === 0 ? ExitCode.ok : ExitCode.integrity;
}

export async function sign(ctx: Context): Promise<number> {
  const r = await signWorkTree(depsOf(ctx));
  for (const w of r.warnings) ctx.out.warn(w);
  if (ctx.json) ctx.out.result({ files: r.files });
  else ctx.out.note(r.files.length === 0 ? "vault sign: nothing to sign (the work tree's vault is HEAD's)" : `signed ${r.files.length} file${r.files.length === 1 ? "" : "s"}; stage and commit them (\`git add .envvault\` then \`git commit\`, or \`git commit -a\`)`);
  return ExitCode.ok;
}
