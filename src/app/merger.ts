/**
 * The member settling a merge's conflicts (docs/FORMAT.md §11): the side kept is signed again
 * by them, under the work tree's roster, so the merge commit holds a signed choice where both
 * branches changed a key (§6, history rule 3).
 */
import { NotAllowed, Tampered } from "../errors.js";
import { verifySignature } from "../crypto/sign.js";
import type { Conflict, ConflictedFile, Side } from "../model/conflicts.js";
import { conflictScope, parentLeaves, resolveConflict, type SettledConflict, sideLeaves, signSettled } from "../model/merge.js";
import { findRepo } from "../git/repo.js";
import { replayingOntoHead } from "../git/sides.js";
import { maySign, type Roster } from "../model/roster.js";
import type { Writer } from "../model/signing.js";
import { writerFor } from "../store/signing.js";
import type { Vault } from "../store/vault.js";
import { type Deps, signingFor } from "./session.js";

export interface Merger {
  roster: Roster;
  writer: Writer;
  /** Unix seconds: the time a removal the merger signs is stamped with. */
  now: number;
  /** The settling commit will have HEAD as its only parent (a rebase, cherry-pick or revert). */
  oneParent: boolean;
}

/**
 * The merger: the member of `vault`'s roster whose identity this is.
 *
 * @throws NotAllowed when the identity is no member or its signing key is not in the roster.
 */
export async function mergerFor(deps: Deps, vault: Vault): Promise<Merger> {
  const signing = await signingFor(deps);
  const oneParent = replayingOntoHead(await findRepo(vault.root));
  return { roster: vault.roster.data, writer: writerFor(vault.roster.data, signing.identities, signing.recipients), now: signing.now, oneParent };
}

/** Whether the merger may sign the line settling a conflict (a writer of its scope; for a scope, a reader and writer). */
export function maySettle(m: Merger, cf: ConflictedFile, c: Conflict): boolean {
  const scope = conflictScope(cf, c);
  return scope !== undefined && maySign(m.roster, m.writer.member, scope, c.kind === "scope" ? "rotation" : "value");
}

/** The side leaves of every conflict, and those the settling commit's parents hold, before settling changes the file they are computed in. */
export function sidesOf(cf: ConflictedFile, oneParent: boolean): Map<Conflict, { sides: string[]; parents: string[] }> {
  return new Map(cf.conflicts.map((c) => [c, { sides: sideLeaves(cf, c), parents: parentLeaves(cf, c, oneParent) }]));
}

/** Signs the lines of the conflicts settled in `cf` as the merger's choice. */
export function signChoices(m: Merger, cf: ConflictedFile, settled: readonly SettledConflict[], path: string): ConflictedFile {
  return { file: signSettled(cf.file, settled, m.roster, m.writer, verifySignature, path, m.now), conflicts: cf.conflicts };
}

/**
 * Settles one conflict with one side and signs the choice, or leaves the file as it is when
 * the merger may not (the side's line is not validly signed, or the scope is not theirs to
 * write): someone who may settles it later.
 */
export function settleSigned(m: Merger, cf: ConflictedFile, c: Conflict, side: Side, path: string): ConflictedFile | undefined {
  const sides = sidesOf(cf, m.oneParent);
  try {
    const next = resolveConflict(cf, c, side, path);
    const settled = cf.conflicts.filter((x) => !next.conflicts.includes(x)).map((x) => ({ conflict: x, sides: sides.get(x)?.sides ?? [], parents: sides.get(x)?.parents ?? [] }));
    return signChoices(m, next, settled, path);
  } catch (e) {
    if (e instanceof NotAllowed || e instanceof Tampered) return undefined;
    throw e;
  }
}
