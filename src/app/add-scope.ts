/** `vault scope add ENV:NAME`: a new scope of an environment, readable by the member who adds it only. */
import { UsageError } from "../errors.js";
import { requireEnv } from "../model/config.js";
import { printEnvFile } from "../model/envfile.js";
import { parseScope } from "../model/names.js";
import { memberFor, ROSTER_FILE } from "../model/roster.js";
import { addToAccess } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { type Changes, transaction } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import { createScopeKey } from "./scopes.js";
import { type Deps, whoAmI, signingFor } from "./session.js";

/**
 * Adds the named scope `scope` (ENV:NAME; ENV itself is the environment's own scope, which
 * always exists): a key pair, a key file for its creator, and their access in roster.yaml.
 */
export async function addScope(deps: Deps, o: { scope: string }): Promise<void> {
  const { env, name } = parseScope(o.scope);
  if (name === undefined) throw new UsageError(`a named scope is ENV:NAME, e.g. ${env}:payments; ${env} itself is the environment's own scope`);
  const me = await whoAmI(deps);
  await transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    requireEnv(vault.config.data, env);
    const file = await vault.envFile(env);
    if (file.scopes.has(o.scope)) throw new UsageError(`scope ${o.scope} already exists`);
    const member = memberFor(vault.roster.data, me.recipients);
    if (member === undefined) throw new UsageError("only a member can add a scope: your identity is not in .envvault/roster.yaml");
    const { recipient, files } = await createScopeKey(o.scope, new Map([[member, me.recipients]]));
    const roster = addToAccess(vault.roster, o.scope, { kind: "member", name: member });
    const changes: Changes = new Map([[Vault.envPath(env), printEnvFile({ ...file, scopes: new Map(file.scopes).set(o.scope, recipient) })], [ROSTER_FILE, String(roster.doc)], ...files]);
    return { changes, result: undefined };
  });
}
