/** `vault revoke WHO SCOPE`: a member's or team's read access to a scope taken away, and the scope re-keyed at once. */
import { UsageError } from "../errors.js";
import type { Exposure } from "../model/config.js";
import { namedIn, readersOf, resolveWho } from "../model/roster.js";
import { removeFromAccess } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { transaction } from "../store/transaction.js";
import { recordedNow } from "./clock.js";
import { type EarlierValue, rotateAway } from "./rotation.js";
import { requireScope } from "./scopes.js";
import { type Deps, keyringFor, whoAmI, signingFor } from "./session.js";

/** Who lost access to a scope, and what they could read of it. */
export interface Revoked {
  scope: string;
  /** The members who can no longer read the scope. */
  removed: string[];
  /** The values they could read: each must be changed at its provider. */
  exposed: Exposure[];
  /** What else they could read of the scope at some commit of history. */
  earlier: EarlierValue[];
}

/**
 * Revokes the access `who` has of its own: a grant in roster.yaml, or (a member) a key file.
 * A member who would still read the scope through a team is refused, not quietly kept.
 */
export async function revoke(deps: Deps, o: { who: string; scope: string }): Promise<Revoked> {
  const me = await whoAmI(deps);
  const since = recordedNow(deps.processEnv);
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    await requireScope(vault, o.scope);
    const who = resolveWho(vault.roster.data, o.who);
    const holders = await vault.keyHolders(o.scope);
    if (!namedIn(vault.roster.data, o.scope, who) && !(who.kind === "member" && holders.includes(who.name))) {
      throw new UsageError(`${o.who} has no access of its own to ${o.scope}`, {
        hints: ["`vault access` shows who can read what, and through which team"],
      });
    }
    const roster = removeFromAccess(vault.roster, o.scope, who);
    const staying = readersOf(roster.data, o.scope);
    const losing = [...new Set([...readersOf(vault.roster.data, o.scope), ...holders])].filter((m) => !staying.includes(m));
    if (who.kind === "member" && !losing.includes(who.name)) {
      throw new UsageError(`${who.name} would still read ${o.scope} through a team`, {
        hints: ["revoke the team's access, or remove the member from the team in roster.yaml"],
      });
    }
    const { changes, exposed, earlier } = await rotateAway(vault, keyringFor(vault, me), roster, [o.scope], losing, since);
    return { changes, result: { scope: o.scope, removed: losing, exposed, earlier } };
  });
}
