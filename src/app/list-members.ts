/** `vault member list`: every member of roster.yaml and the scopes whose key files they hold. */
import { memberNames } from "../model/roster.js";
import { type Deps, openVault } from "./session.js";
import { keyHolders } from "./scopes.js";

/** One member as `vault member list` shows them. */
export interface MemberRow {
  member: string;
  kind: "person" | "machine";
  teams: string[];
  recipients: string[];
  /** Scopes they hold a key file of (what they can read, whatever the roster says). */
  reads: string[];
}

/** The members in name order, each with what the key files let them read. */
export async function listMembers(deps: Deps): Promise<MemberRow[]> {
  const vault = await openVault(deps);
  const roster = vault.roster.data;
  const { scopes, holders } = await keyHolders(vault);
  return memberNames(roster).map((m) => ({
    member: m,
    kind: roster.members[m]?.kind ?? "person",
    teams: roster.members[m]?.teams ?? [],
    recipients: roster.members[m]?.recipients ?? [],
    reads: scopes.filter((s) => holders.get(s)?.includes(m)),
  }));
}
