import { newScopeKey, wrapScopeKey } from "../crypto/scopekey.js";
import type { Roster } from "../vault/roster.js";
import { Vault } from "../store/vault.js";

/** A new key pair for a scope, with a key file for each member given (member → recipients). */
export async function createScopeKey(
  scope: string,
  members: ReadonlyMap<string, readonly string[]>,
): Promise<{ recipient: string; files: Map<string, string> }> {
  const key = await newScopeKey(scope);
  const files = new Map<string, string>();
  for (const [member, recipients] of members) files.set(Vault.keyPath(scope, member), await wrapScopeKey(key, recipients));
  return { recipient: key.recipient, files };
}

/** Member → recipients, for the named members of a roster. */
export function recipientsOf(roster: Roster, members: readonly string[]): Map<string, string[]> {
  return new Map(members.map((m) => [m, roster.members[m]?.recipients ?? []]));
}
