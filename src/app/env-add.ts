/** `vault env add`: a new environment, readable at first by the member who adds it. */
import { UsageError } from "../errors.js";
import { requireEnv, VAULT_FILE } from "../model/config.js";
import { printEnvFile } from "../model/envfile.js";
import { memberFor, ROSTER_FILE } from "../model/roster.js";
import { findVaultRoot } from "../store/root.js";
import { type Changes, transaction } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import { createScopeKey } from "./scopes.js";
import { type Deps, whoAmI, signingFor } from "./session.js";

/**
 * Adds environment `name` (a checked name), extending `extends` when given, with a scope
 * key of its own held by the caller only; others get it with `vault grant`.
 *
 * @throws UsageError when it exists, when the base is unknown, or when the caller is no member.
 */
export async function addEnvironment(deps: Deps, o: { name: string; extends?: string }): Promise<void> {
  const { name } = o;
  const me = await whoAmI(deps);
  await transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    const cfg = vault.config.data;
    if (name in cfg.environments) throw new UsageError(`environment ${name} already exists`, { data: { env: name } });
    if (o.extends !== undefined) requireEnv(cfg, o.extends);
    const member = memberFor(vault.roster.data, me.recipients);
    if (member === undefined) {
      throw new UsageError("only a member can add an environment: your identity is not in .envvault/roster.yaml", {
        hints: ["ask a member to add you: `vault member add NAME --recipient <your recipient from vault whoami>`"],
      });
    }
    const { recipient, files } = await createScopeKey(name, new Map([[member, me.recipients]]));
    const file = vault.newEnvFile(name);
    file.scopes.set(name, recipient);
    const changes: Changes = new Map([[Vault.envPath(name), printEnvFile(file)], ...files]);
    const vdoc = vault.config.doc;
    vdoc.setIn(["environments", name], vdoc.createNode(o.extends === undefined ? {} : { extends: o.extends }, { flow: o.extends === undefined }));
    changes.set(VAULT_FILE, String(vdoc));
    const rdoc = vault.roster.doc;
    if (!rdoc.hasIn(["access"]) || rdoc.getIn(["access"]) == null) rdoc.setIn(["access"], rdoc.createNode({}));
    rdoc.setIn(["access", name], rdoc.createNode({ members: [member] }));
    changes.set(ROSTER_FILE, String(rdoc));
    return { changes, result: undefined };
  });
}
