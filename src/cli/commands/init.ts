import { VaultError } from "../../errors.js";
import { defaultIdentityPath, writeIdentityFile } from "../../crypto/identity.js";
import { defaultMemberName, initVault } from "../../ops/init.js";
import { whoAmI } from "../../ops/session.js";
import { findGitRoot } from "../../store/root.js";
import { where } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  env?: string[];
  name?: string;
  yes: boolean;
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
  ctx.out.note("next: `vault set KEY` to add a value, then `git add .envvault .gitignore && git commit`");
  ctx.out.result({ root, environments: result.envs, member, recipient: me.recipients[0], files: result.files });
}
