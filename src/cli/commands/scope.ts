import { UsageError } from "../../errors.js";
import { printEnvFile } from "../../vault/envfile.js";
import { parseScope } from "../../vault/names.js";
import { memberFor, ROSTER_FILE } from "../../vault/roster.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { addToAccess } from "../../ops/roster-edit.js";
import { createScopeKey } from "../../ops/scopes.js";
import { whoAmI } from "../../ops/session.js";
import { transaction } from "../../ops/transaction.js";
import { requireEnv } from "../../vault/config.js";
import { where } from "../common.js";
import type { Context } from "../context.js";

/** `vault scope add production:payments`: a new scope readable by its creator only. */
export async function scope(ctx: Context, args: { action: "add"; scope: string }): Promise<void> {
  const s = parseScope(args.scope);
  if (s.name === undefined) throw new UsageError(`a named scope is ENV:NAME, e.g. ${s.env}:payments; ${s.env} itself is the environment's own scope`);
  const me = await whoAmI(where(ctx));
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
