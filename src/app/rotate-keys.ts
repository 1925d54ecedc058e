/** `vault rotate --scope S…` and `vault rotate --all`: new key pairs for scopes, readers unchanged. */
import { findVaultRoot } from "../store/root.js";
import { transaction } from "../store/transaction.js";
import { rotateScopes } from "./rotation.js";
import { allScopes } from "./scopes.js";
import { type Deps, keyringFor, whoAmI, signingFor } from "./session.js";

/**
 * Re-keys the scopes named, or every scope of the vault, for the readers roster.yaml names
 * (so a key file the roster does not back is dropped).
 *
 * @returns the scopes re-keyed.
 */
export async function rotateKeys(deps: Deps, o: { scopes: readonly string[] | "all" }): Promise<string[]> {
  const me = await whoAmI(deps);
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    const scopes = o.scopes === "all" ? await allScopes(vault) : [...o.scopes];
    return { changes: await rotateScopes(vault, keyringFor(vault, me), vault.roster.data, scopes), result: scopes };
  });
}
