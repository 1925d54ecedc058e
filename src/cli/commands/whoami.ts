import { envNames } from "../../model/config.js";
import { memberFor } from "../../model/roster.js";
import { whoAmI } from "../../app/session.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { VaultError } from "../../errors.js";

export async function whoami(ctx: Context): Promise<void> {
  const me = await whoAmI(depsOf(ctx));
  let vault: Vault | undefined;
  try {
    vault = await Vault.load(findVaultRoot(ctx.cwd));
  } catch (e) {
    if (!(e instanceof VaultError && e.code === "NOT_FOUND")) throw e;
  }
  const member = vault === undefined ? undefined : memberFor(vault.roster.data, me.recipients);
  const readable: string[] = [];
  if (vault !== undefined && member !== undefined) {
    for (const env of envNames(vault.config.data)) {
      for (const scope of (await vault.envFile(env)).scopes.keys()) {
        if ((await vault.keyHolders(scope)).includes(member)) readable.push(scope);
      }
    }
  }
  if (ctx.json) {
    ctx.out.result({ recipients: me.recipients, source: me.source, member: member ?? null, scopes: readable });
    return;
  }
  const lines = [`recipient: ${me.recipients.join(", ")}`, `identity:  ${me.source}`];
  if (vault !== undefined) {
    lines.push(`member:    ${member ?? "(not a member of this vault; a member can add you with `vault member add NAME --recipient " + (me.recipients[0] ?? "") + "`)"}`);
    if (member !== undefined) lines.push(`scopes:    ${readable.join(", ") || "(none)"}`);
  }
  ctx.out.data(lines.join("\n"));
}
