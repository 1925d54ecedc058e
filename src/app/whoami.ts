/** `vault whoami`: the reader's recipient and identity, and in a vault, their member name and the scopes they hold keys for. */
import { VaultError } from "../errors.js";
import { envNames } from "../model/config.js";
import { isAdmin, memberFor } from "../model/roster.js";
import { parseChain } from "../model/chain.js";
import { CHAIN_FILE } from "../model/layout.js";
import { signerFor } from "../crypto/sign.js";
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
  /** The signing key of each identity (`ed25519:…`): what an admin lists in roster.yaml for you. */
  signingKeys: string[];
  /** The vault's trust root (its chain's root link), to pin in CI as ENVVAULT_TRUST_ROOT. */
  trustRoot?: string;
  admin?: boolean;
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
  const chain = await vault?.source.read(CHAIN_FILE);
  let trustRoot: string | undefined;
  try {
    trustRoot = chain === undefined ? undefined : parseChain(chain).find((l) => l.prev.length === 0)?.hash;
  } catch {
    trustRoot = undefined; // a damaged chain: `vault verify` says what is wrong
  }
  const signingKeys = me.identities.map((id) => signerFor(id).publicKey);
  return { recipients: me.recipients, source: me.source, inVault: vault !== undefined, ...(member === undefined ? {} : { member, admin: isAdmin(vault!.roster.data, member) }), scopes, signingKeys, ...(trustRoot === undefined ? {} : { trustRoot }) };
}
