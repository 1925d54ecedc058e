import { newScopeKey, wrapScopeKey } from "../crypto/scopekey.js";
import type { Roster } from "../model/roster.js";
import { Vault } from "../store/vault.js";

/** A new key pair for a scope, with a key file for each member given (member → recipients). */
export async function createScopeKey(
  scope: string,
  members: ReadonlyMap<string, readonly string[]>,
): Promise<{ recipient: string; files: Map<string, string> }> {
  const key = await newScopeKey(scope);
  // All at once: each wrap waits on WebCrypto jobs in the thread pool, so a rotation's
  // hundreds of key files overlap instead of queueing (bench/rotate.mjs).
  const wrapped = await Promise.all([...members].map(async ([member, recipients]) => [Vault.keyPath(scope, member), await wrapScopeKey(key, recipients)] as const));
  return { recipient: key.recipient, files: new Map(wrapped) };
}

/** Member → recipients, for the named members of a roster. */
export function recipientsOf(roster: Roster, members: readonly string[]): Map<string, string[]> {
  return new Map(members.map((m) => [m, roster.members[m]?.recipients ?? []]));
}
