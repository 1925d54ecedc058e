import { UsageError } from "../../errors.js";
import { printEnvFile } from "../../model/envfile.js";
import { parseScope } from "../../model/names.js";
import { memberFor, ROSTER_FILE } from "../../model/roster.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { addToAccess } from "../../model/roster-edit.js";
import { createScopeKey } from "../../app/scopes.js";
import { whoAmI } from "../../app/session.js";
import { transaction } from "../../store/transaction.js";
import { requireEnv } from "../../model/config.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault scope add production:payments`: a new scope readable by its creator only. */
export async function scope(ctx: Context, args: { action: "add"; scope: string }): Promise<void> {
  const s = parseScope(args.scope);
  if (s.name === undefined) throw new UsageError(`a named scope is ENV:NAME, e.g. ${s.env}:payments; ${s.env} itself is the environment's own scope`);
  const me = await whoAmI(depsOf(ctx));
  await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    requireEnv(vault.config.data, s.env);
    const file = await vault.envFile(s.env);
    if (file.scopes.has(args.scope)) throw new UsageError(`scope ${args.scope} already exists`);
    const member = memberFor(vault.roster.data, me.recipients);
    if (member === undefined) throw new UsageError("only a member can add a scope: your identity is not in .envvault/roster.yaml");
    const { recipient, files } = await createScopeKey(args.scope, new Map([[member, me.recipients]]));
    const scopes = new Map(file.scopes).set(args.scope, recipient);
    const roster = addToAccess(vault.roster, args.scope, { kind: "member", name: member });
    return {
      changes: new Map<string, string | null>([[Vault.envPath(s.env), printEnvFile({ ...file, scopes })], [ROSTER_FILE, String(roster.doc)], ...files]),
      result: undefined,
    };
  });
  ctx.out.note(`added scope ${args.scope}; only you can read it: \`vault grant WHO ${args.scope}\` shares it, \`vault set KEY --scope ${args.scope}\` stores values in it`);
  ctx.out.result({ scope: args.scope });
}
