/** `vault member remove` and `vault rotate --remove`: offboarding, so a member out of roster.yaml and every scope they could read re-keyed. */
import type { Exposure } from "../model/config.js";
import { UsageError } from "../errors.js";
import { adminsOf, requireMember } from "../model/roster.js";
import { dropMember } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { transaction } from "../store/transaction.js";
import { recordedNow } from "./clock.js";
import { type EarlierValue, readableBy, rotateAway } from "./rotation.js";
import { type Deps, keyringFor, whoAmI, signingFor } from "./session.js";

/** Who was removed, which scopes got new keys, and what the member could read. */
export interface RemovedMember {
  removed: string;
  /** The scopes they could read (by the roster or a key file), all re-keyed. */
  scopes: string[];
  /** The values they could read: each must be changed at its provider. */
  exposed: Exposure[];
  /** What else they could read at some commit of history: older versions, removed keys, other branches' keys. */
  earlier: EarlierValue[];
}

/** Removes `name` from the roster and re-keys what they could read, in one transaction. */
export async function removeMember(deps: Deps, o: { name: string }): Promise<RemovedMember> {
  const me = await whoAmI(deps);
  const root = findVaultRoot(deps.cwd);
  const since = recordedNow(deps.processEnv);
  return transaction(root, await signingFor(deps), async (vault) => {
    requireMember(vault.roster.data, o.name);
    const readable = await readableBy(vault, o.name);
    const roster = dropMember(vault.roster, o.name);
    const { changes, exposed, earlier } = await rotateAway(vault, keyringFor(vault, me), roster, readable, [o.name], since);
    // Without an admin nobody could change the roster again.
    if (adminsOf(roster.data).length === 0) throw new UsageError(`${o.name} is the last admin: add another admin first (\`vault admin add NAME\`)`, { data: { member: o.name } });
    return { changes, result: { removed: o.name, scopes: readable, exposed, earlier } };
  });
}
