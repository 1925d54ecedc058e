/** `vault access`: member × scope, as the key files say, and where roster.yaml disagrees. */
import { adminsOf, readersOf } from "../model/roster.js";
import { roleOf } from "./roles.js";
import { staleKeysOf } from "./mergecheck.js";
import { keyHolders } from "./scopes.js";
import { type Deps, openVault } from "./session.js";

/** One member's access to one scope. */
export interface AccessCell {
  /** `read` where the member holds a key file, else `write` (anyone can seal values write-only). */
  access: "read" | "write";
  /** The key files and roster.yaml disagree (`vault check` says how to fix it). */
  drift: boolean;
}

/** Every scope, and each member's access to each. */
export interface AccessMatrix {
  scopes: string[];
  members: { member: string; scopes: Record<string, AccessCell> }[];
  /** Who may change the roster, access, roles and vault.yaml. */
  admins: string[];
  /** Each member's role per scope, as roster.yaml gives it: `rw`, `r` (read-only), `w` (write-only) or `-`. */
  roles: Record<string, Record<string, "rw" | "r" | "w" | "-">>;
}

/** Every member (of the roster or holding a key file) against every scope. */
export async function accessMatrix(deps: Deps): Promise<AccessMatrix> {
  const vault = await openVault(deps);
  const { scopes, members, holders } = await keyHolders(vault);
  // A key file written for a key pair the scope no longer has opens nothing: not read access.
  const stale = new Set((await staleKeysOf(vault, scopes, holders)).map((k) => `${k.scope}\0${k.member}`));
  const cell = (m: string, s: string): AccessCell => {
    const reads = holders.get(s)?.includes(m) === true && !stale.has(`${s}\0${m}`);
    return { access: reads ? "read" : "write", drift: reads !== readersOf(vault.roster.data, s).includes(m) };
  };
  const r = vault.roster.data;
  return {
    scopes,
    members: members.map((m) => ({ member: m, scopes: Object.fromEntries(scopes.map((s) => [s, cell(m, s)])) })),
    admins: adminsOf(r),
    roles: Object.fromEntries(members.map((m) => [m, Object.fromEntries(scopes.map((s) => [s, roleOf(r, m, s)]))])),
  };
}
