import { VaultError } from "../../errors.js";
import { defaultIdentityPath, writeIdentityFile } from "../../crypto/identity.js";
import { defaultMemberName, initVault } from "../../ops/init.js";
import { whoAmI } from "../../ops/session.js";
import { findGitRoot } from "../../store/root.js";
import { installHooks } from "../../git/hooks.js";
import { where } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  env?: string[];
  name?: string;
  yes: boolean;
  hooks?: boolean;
}

export async function init(ctx: Context, args: Args): Promise<void> {
  const root = findGitRoot(ctx.cwd) ?? ctx.cwd;
  if (findGitRoot(ctx.cwd) === undefined) ctx.out.warn(`${ctx.cwd} is not in a git repository; the vault is meant to be committed with your code`);
  let me;
  try {
    me = await whoAmI(where(ctx));
  } catch (e) {
    if (!(e instanceof VaultError && e.code === "NO_IDENTITY") || ctx.identityFile !== undefined) throw e;
    const path = defaultIdentityPath(ctx.processEnv);
    await writeIdentityFile(path);
    ctx.out.note(`created your identity ${path} (mode 0600); back it up: without it you cannot read your secrets`);
    me = await whoAmI(where(ctx));
  }
  const envs = args.env === undefined || args.env.length === 0 ? ["development"] : args.env.flatMap((e) => e.split(","));
  const member = args.name ?? defaultMemberName(ctx.processEnv);
  const result = await initVault({ root, envs, member, recipients: me.recipients });
  ctx.out.note(`created .envvault/ in ${root} with ${result.envs.join(", ")}; you are member ${member}`);
  if (args.hooks !== false && findGitRoot(ctx.cwd) !== undefined) {
    try {
      const hooks = await installHooks(root);
      ctx.out.note(`installed git hooks in ${hooks.where} (pre-commit, post-checkout, post-merge, post-rewrite) and the vault's merge driver; \`vault hooks uninstall\` removes them`);
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      ctx.out.warn(`git hooks were not installed: ${e.message}; \`vault hooks install\` retries`);
    }
  }
  ctx.out.note("next: `vault set KEY` to add a value, then `git add .envvault .gitignore .gitattributes && git commit`");
  ctx.out.result({ root, environments: result.envs, member, recipient: me.recipients[0], files: result.files });
}
