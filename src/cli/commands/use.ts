import { NotARecipient } from "../../errors.js";
import { keyringFor, openVault, whoAmI } from "../../app/session.js";
import { envNames, requireEnv } from "../../model/config.js";
import { loadState, saveState } from "../../store/state.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

export async function use(ctx: Context, args: { env: string }): Promise<void> {
  const vault = await openVault(depsOf(ctx));
  const env = requireEnv(vault.config.data, args.env);
  const keyring = await keyringFor(vault, await whoAmI(depsOf(ctx)));
  const readable: string[] = [];
  for (const e of envNames(vault.config.data)) {
    if (await keyring.canRead(await vault.envFile(e), e)) readable.push(e);
  }
  if (!readable.includes(env)) {
    throw new NotARecipient(`you cannot read environment ${env}`, {
      data: { env },
      hints: [readable.length > 0 ? `environments you can read: ${readable.join(", ")}` : "you can read no environment yet", `ask a member who can read it to run \`vault grant <you> ${env}\``],
    });
  }
  const state = await loadState(vault.root);
  state.env = env;
  await saveState(vault.root, state);
  ctx.out.note(`using ${env}; \`vault unlock\` writes its targets`);
  ctx.out.result({ env });
}
