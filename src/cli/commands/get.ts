import { VaultError } from "../../errors.js";
import { readEnv } from "../../app/read.js";
import { keyringFor, openVault, whoAmI } from "../../app/session.js";
import { assertKey } from "../../model/names.js";
import { chooseEnv, depsOf } from "../common.js";
import type { Context } from "../context.js";

export async function get(ctx: Context, args: { key: string }): Promise<void> {
  const key = assertKey(args.key);
  const vault = await openVault(depsOf(ctx));
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(depsOf(ctx)));
  const found = (await readEnv(keyring, env, [key])).get(key);
  if (found === undefined) {
    throw new VaultError("NOT_FOUND", `${env} has no variable ${key}`, {
      data: { key, env },
      hints: ["`vault list` shows the variables of an environment", `\`vault set ${key}\` adds it`],
    });
  }
  if (ctx.json) ctx.out.result({ env, key, value: found.value, scope: found.scope, from: found.env });
  else ctx.out.raw(found.value + "\n");
}
