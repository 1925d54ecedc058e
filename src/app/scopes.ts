/**
 * The scopes of a vault and their keys: which there are, which one a name means, who holds a
 * key file for each, and new key pairs with their key files.
 */
import { UsageError } from "../errors.js";
import { newScopeKey, wrapScopeKey } from "../crypto/scopekey.js";
import { envNames } from "../model/config.js";
import { type EnvFile, scopeOf } from "../model/envfile.js";
import { parseScope } from "../model/names.js";
import { memberNames, type Roster } from "../model/roster.js";
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

/** Every scope of every environment, sorted. */
export async function allScopes(vault: Vault): Promise<string[]> {
  const out: string[] = [];
  for (const env of envNames(vault.config.data)) out.push(...(await vault.envFile(env)).scopes.keys());
  return out.sort();
}

/**
 * The environment file holding `scope`.
 *
 * @throws UsageError when the environment or the scope does not exist, listing the scopes there are.
 */
export async function requireScope(vault: Vault, scope: string): Promise<EnvFile> {
  const { env } = parseScope(scope);
  if (!Object.hasOwn(vault.config.data.environments, env)) {
    throw new UsageError(`unknown environment ${env} in scope ${scope}`, { hints: ["`vault env list` shows the environments"] });
  }
  const file = await vault.envFile(env);
  if (!file.scopes.has(scope)) {
    throw new UsageError(`environment ${env} has no scope ${scope}`, {
      data: { scope, env },
      hints: [`scopes of ${env}: ${[...file.scopes.keys()].join(", ")}`, `\`vault scope add ${scope}\` creates it`],
    });
  }
  return file;
}

/** Key names stored in a scope. */
export function keysIn(file: EnvFile, scope: string): string[] {
  return [...file.values.keys()].filter((k) => scopeOf(file, k) === scope).sort();
}

/** Who can read what, from the key files themselves. */
export interface KeyHolders {
  scopes: string[];
  /** The roster's members and anyone else holding a key file, sorted. */
  members: string[];
  /** Scope → the members holding a key file of it. */
  holders: Map<string, string[]>;
}

/** Every scope and the members holding a key file of it, as the key files say (not the roster). */
export async function keyHolders(vault: Vault): Promise<KeyHolders> {
  const scopes = await allScopes(vault);
  const holders = new Map(await Promise.all(scopes.map(async (s) => [s, await vault.keyHolders(s)] as const)));
  const members = [...new Set([...memberNames(vault.roster.data), ...[...holders.values()].flat()])].sort();
  return { scopes, members, holders };
}
