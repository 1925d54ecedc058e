/**
 * Roles in the roster (docs/FORMAT.md §4, §9): who may write a scope without reading it, who
 * reads without writing, who the admins are, and each member's signing keys. Every change is
 * the roster's, so only an admin makes it (the chain of trust refuses anyone else's).
 */
import { UsageError } from "../errors.js";
import { isSigningKey } from "../crypto/sign.js";
import { adminsOf, type Grantees, readersOf, requireMember, resolveWho, ROSTER_FILE, type Who, writersOf } from "../model/roster.js";
import { setAccess, setAdmins, setSigningKeys } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { transaction } from "../store/transaction.js";
import { requireScope } from "./scopes.js";
import { type Deps, signingFor } from "./session.js";

const add = (g: Grantees, who: Who): Grantees => (who.kind === "team" ? { ...g, teams: [...(g.teams ?? []), who.name] } : { ...g, members: [...(g.members ?? []), who.name] });
const drop = (g: Grantees, who: Who): Grantees => (who.kind === "team" ? { ...g, teams: (g.teams ?? []).filter((t) => t !== who.name) } : { ...g, members: (g.members ?? []).filter((m) => m !== who.name) });
const named = (g: Grantees | undefined, who: Who) => (who.kind === "team" ? g?.teams : g?.members)?.includes(who.name) === true;

/**
 * `vault grant WHO SCOPE --write-only`: WHO may set the scope's values without reading them (a CI
 * job that stores a token). The scope's writers become explicit, so everyone who wrote before
 * still does.
 */
export async function grantWrite(deps: Deps, o: { who: string; scope: string }): Promise<{ scope: string; who: string }> {
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    await requireScope(vault, o.scope);
    const who = resolveWho(vault.roster.data, o.who);
    const access = vault.roster.data.access?.[o.scope] ?? {};
    const writers: Grantees = access.write ?? { ...(access.teams === undefined ? {} : { teams: access.teams }), ...(access.members === undefined ? {} : { members: access.members }) };
    if (named(writers, who)) throw new UsageError(`${o.who} can already write ${o.scope}`, { hints: ["`vault access` shows who reads and writes what"] });
    const roster = setAccess(vault.roster, o.scope, (a) => ({ ...a, write: add(writers, who) }));
    return { changes: new Map([[ROSTER_FILE, String(roster.doc)]]), result: { scope: o.scope, who: o.who } };
  });
}

/**
 * `vault revoke WHO SCOPE --write`: WHO keeps reading the scope but may no longer write it. The
 * lines they wrote stay valid: the admin making the change endorses them (store/signing.ts).
 */
export async function revokeWrite(deps: Deps, o: { who: string; scope: string }): Promise<{ scope: string; who: string }> {
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    await requireScope(vault, o.scope);
    const r = vault.roster.data;
    const who = resolveWho(r, o.who);
    const access = r.access?.[o.scope] ?? {};
    const writers: Grantees = access.write ?? { ...(access.teams === undefined ? {} : { teams: access.teams }), ...(access.members === undefined ? {} : { members: access.members }) };
    if (!named(writers, who)) {
      throw new UsageError(`${o.who} has no write access of its own to ${o.scope}`, { hints: [who.kind === "member" && writersOf(r, o.scope).includes(who.name) ? "they write it through a team: revoke the team's write access" : "`vault access` shows who reads and writes what"] });
    }
    const roster = setAccess(vault.roster, o.scope, (a) => ({ ...a, write: drop(writers, who) }));
    return { changes: new Map([[ROSTER_FILE, String(roster.doc)]]), result: { scope: o.scope, who: o.who } };
  });
}

/** `vault admin add|remove NAME`. The last admin cannot be removed: nobody could change the roster again. */
export async function setAdmin(deps: Deps, o: { member: string; admin: boolean }): Promise<{ admins: string[] }> {
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    requireMember(vault.roster.data, o.member);
    const now = adminsOf(vault.roster.data);
    if (o.admin === now.includes(o.member)) throw new UsageError(`${o.member} is ${o.admin ? "already" : "not"} an admin`, { hints: [`admins: ${now.join(", ") || "none"}`] });
    const next = o.admin ? [...now, o.member] : now.filter((a) => a !== o.member);
    if (next.length === 0) throw new UsageError(`${o.member} is the last admin: add another admin first (\`vault admin add NAME\`)`);
    const roster = setAdmins(vault.roster, next);
    return { changes: new Map([[ROSTER_FILE, String(roster.doc)]]), result: { admins: next } };
  });
}

/** `vault member keys NAME --signing-key K…`: the member's signing keys (from their `vault whoami`). */
export async function setMemberSigningKeys(deps: Deps, o: { member: string; keys: readonly string[] }): Promise<{ member: string; keys: string[] }> {
  const keys = [...new Set(o.keys)];
  if (keys.length === 0) throw new UsageError("give at least one --signing-key ed25519:… (the member's `vault whoami` prints it)");
  for (const k of keys) if (!isSigningKey(k)) throw new UsageError(`${k.slice(0, 20)}… is not a signing key: it is \`ed25519:\` and 43 base64url characters, as \`vault whoami\` prints it`);
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    requireMember(vault.roster.data, o.member);
    const roster = setSigningKeys(vault.roster, o.member, keys);
    return { changes: new Map([[ROSTER_FILE, String(roster.doc)]]), result: { member: o.member, keys } };
  });
}

/** A member's role on a scope, as `vault access` shows it: `rw`, `r`, `w` or `-`. */
export function roleOf(r: Parameters<typeof readersOf>[0], member: string, scope: string): "rw" | "r" | "w" | "-" {
  const reads = readersOf(r, scope).includes(member);
  const writes = writersOf(r, scope).includes(member);
  return reads && writes ? "rw" : reads ? "r" : writes ? "w" : "-";
}
