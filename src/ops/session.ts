import { VaultError } from "../errors.js";
import { identityToRecipient } from "../crypto/age.js";
import { resolveIdentity } from "../crypto/identity.js";
import { memberFor } from "../vault/roster.js";
import { findVaultRoot } from "../store/root.js";
import { Vault } from "../store/vault.js";
import { Keyring } from "./keyring.js";

/** Where a command runs and whose identity it uses. */
export interface Where {
  cwd: string;
  identityFile?: string;
  processEnv: NodeJS.ProcessEnv;
}

export interface Me {
  source: string;
  identities: string[];
  recipients: string[];
}

/** The reader's identity, looked up in the order of DESIGN §3. */
export async function whoAmI(where: Where): Promise<Me> {
  const found = await resolveIdentity({ flag: where.identityFile, env: where.processEnv });
  const recipients = await Promise.all(found.identities.map((id) => identityToRecipient(id)));
  return { source: found.source, identities: found.identities, recipients };
}

export async function openVault(where: Where): Promise<Vault> {
  return Vault.load(findVaultRoot(where.cwd));
}

export async function keyringFor(vault: Vault, me: Me): Promise<Keyring> {
  return new Keyring(vault, me.identities, me.recipients, memberFor(vault.roster.data, me.recipients));
}

/** A keyring when an identity exists; writers without one can still seal values (write-only). */
export async function optionalKeyring(vault: Vault, where: Where): Promise<Keyring | undefined> {
  try {
    return await keyringFor(vault, await whoAmI(where));
  } catch (e) {
    if (e instanceof VaultError && e.code === "NO_IDENTITY") return undefined;
    throw e;
  }
}
