/** `vault whoami`: the reader's recipient and identity, and in a vault, their member name and the scopes they hold keys for. */
import { VaultError } from "../errors.js";
import { envNames } from "../model/config.js";
import { memberFor } from "../model/roster.js";
import type { Vault } from "../store/vault.js";
import { type Deps, openVault, whoAmI } from "./session.js";

export interface Identity {
  recipients: string[];
  /** Where the identity was found (README, "Identities"). */
  source: string;
  /** False outside a vault: then there is no member or scope to tell. */
  inVault: boolean;
  member?: string;
  /** Scopes the member holds a key file for. */
  scopes: string[];
}

/** Who the reader is; works outside a vault too (no member then). Holds no secret key. */
export async function identify(deps: Deps): Promise<Identity> {
  const me = await whoAmI(deps);
  let vault: Vault | undefined;
  try {
    vault = await openVault(deps);
  } catch (e) {
    if (!(e instanceof VaultError && e.code === "NOT_FOUND")) throw e;
  }
  const member = vault === undefined ? undefined : memberFor(vault.roster.data, me.recipients);
  const scopes: string[] = [];
  if (vault !== undefined && member !== undefined) {
    for (const env of envNames(vault.config.data)) {
      for (const scope of (await vault.envFile(env)).scopes.keys()) {
        if ((await vault.keyHolders(scope)).includes(member)) scopes.push(scope);
      }
    }
  }
  return { recipients: me.recipients, source: me.source, inVault: vault !== undefined, ...(member === undefined ? {} : { member }), scopes };
}
