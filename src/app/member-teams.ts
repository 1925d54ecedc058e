/**
 * `vault member teams NAME --team T…`: a member's teams replaced. Teams carry read access, so
 * the change is an access change: each scope the new teams open gets a key file for the
 * member (as `vault grant`), and each scope only the old teams gave is re-keyed at once, with
 * what the member could read recorded as exposed (as `vault revoke`).
 */
import { UsageError } from "../errors.js";
import type { Exposure } from "../model/config.js";
import { assertName } from "../model/names.js";
import { readersOf, requireMember, ROSTER_FILE } from "../model/roster.js";
import { setTeams } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { type Changes, transaction } from "../store/transaction.js";
import { recordedNow } from "./clock.js";
import { type EarlierValue, readableBy, rotateAway, wrapForReaders } from "./rotation.js";
import { allScopes } from "./scopes.js";
import { type Deps, keyringFor, signingFor, whoAmI } from "./session.js";

/** What changing a member's teams did. */
export interface TeamsChanged {
  member: string;
  teams: string[];
  /** Scopes the member reads now and got a key file for. */
  gained: string[];
  /** Scopes the new teams open that the one changing them cannot read, so no key file yet. */
  pending: string[];
  /** Scopes the member no longer reads: re-keyed. */
  lost: string[];
  exposed: Exposure[];
  earlier: EarlierValue[];
}

export async function setMemberTeams(deps: Deps, o: { member: string; teams: readonly string[] }): Promise<TeamsChanged> {
  const teams = [...new Set(o.teams)].map((t) => assertName("team", t)).sort();
  const me = await whoAmI(deps);
  const since = recordedNow(deps.processEnv);
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    requireMember(vault.roster.data, o.member);
    const current = [...(vault.roster.data.members[o.member]?.teams ?? [])].sort();
    if (current.join("\0") === teams.join("\0")) {
      throw new UsageError(`${o.member}'s teams are already ${teams.join(", ") || "none"}`, { hints: ["`vault member list` shows every member's teams"] });
    }
    const roster = setTeams(vault.roster, o.member, teams);
    const before = await readableBy(vault, o.member);
    const gained: string[] = [];
    const lost: string[] = [];
    for (const scope of await allScopes(vault)) {
      const after = readersOf(roster.data, scope).includes(o.member);
      if (after && !before.includes(scope)) gained.push(scope);
      if (!after && before.includes(scope)) lost.push(scope);
    }
    const keyring = keyringFor(vault, me);
    const changes: Changes = new Map();
    let exposed: Exposure[] = [];
    let earlier: EarlierValue[] = [];
    if (lost.length > 0) {
      const away = await rotateAway(vault, keyring, roster, lost, [o.member], since);
      for (const [p, t] of away.changes) changes.set(p, t);
      ({ exposed, earlier } = away);
    }
    const granted: string[] = [];
    const pending: string[] = [];
    for (const scope of gained) {
      const file = await vault.envFile(scope.split(":")[0] ?? scope);
      if (!(await keyring.canRead(file, scope))) {
        pending.push(scope);
        continue;
      }
      for (const [p, t] of (await wrapForReaders(vault, keyring, roster.data, scope)).changes) changes.set(p, t);
      granted.push(scope);
    }
    changes.set(ROSTER_FILE, String(roster.doc));
    return { changes, result: { member: o.member, teams, gained: granted, pending, lost, exposed, earlier } };
  });
}
