/** `vault grant WHO SCOPE`: a member or team given read access to a scope, with a key file for each new reader. */
import { UsageError } from "../errors.js";
import { namedIn, resolveWho, ROSTER_FILE, writersOf } from "../model/roster.js";
import { addToAccess, setAccess } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { transaction } from "../store/transaction.js";
import { wrapForReaders } from "./rotation.js";
import { requireScope } from "./scopes.js";
import { type Deps, keyringFor, whoAmI, signingFor } from "./session.js";

/** The grant made, as `vault grant` reports it. */
export interface Granted {
  scope: string;
  /** `alice` or `team dev`. */
  who: string;
  /** Members who got a key file now. */
  readers: string[];
}

/**
 * Grants `who` (a member, a team, or `team:NAME`) read access to `scope`. Granting again is
 * how missing key files get made (say, after `member add` by someone who could not read the
 * scope); it is refused only when there is nothing to do.
 */
export async function grant(deps: Deps, o: { who: string; scope: string; readOnly?: boolean }): Promise<Granted> {
  const me = await whoAmI(deps);
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    await requireScope(vault, o.scope);
    const who = resolveWho(vault.roster.data, o.who);
    const listed = namedIn(vault.roster.data, o.scope, who);
    let roster = addToAccess(vault.roster, o.scope, who);
    const explicit = vault.roster.data.access?.[o.scope]?.write;
    if (o.readOnly !== true && explicit !== undefined) {
      // A plain grant reads and writes: with the writers written out, the new reader joins them.
      roster = setAccess(roster, o.scope, (a) => ({ ...a, write: who.kind === "team" ? { ...explicit, teams: [...(explicit.teams ?? []), who.name] } : { ...explicit, members: [...(explicit.members ?? []), who.name] } }));
    }
    if (o.readOnly === true) {
      // Reading without writing needs the writers written out, without the new reader.
      const writers = writersOf(vault.roster.data, o.scope).filter((m) => !(who.kind === "member" && m === who.name));
      const access = vault.roster.data.access?.[o.scope];
      roster = setAccess(roster, o.scope, (a) => ({ ...a, write: access?.write ?? { members: writers } }));
    }
    const { changes, added } = await wrapForReaders(vault, keyringFor(vault, me), roster.data, o.scope);
    if (listed && added.length === 0) throw new UsageError(`${o.who} can already read ${o.scope}`, { hints: ["`vault access` shows who can read what"] });
    changes.set(ROSTER_FILE, String(roster.doc));
    return { changes, result: { scope: o.scope, who: `${who.kind === "team" ? "team " : ""}${who.name}`, readers: added } };
  });
}
