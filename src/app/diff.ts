/** `vault diff [REV [REV] | A..B]`: key-level changes between two versions of the vault (the work tree by default). */
import { UsageError } from "../errors.js";
import { diffEnvTexts, type EnvChange } from "../model/changes.js";
import { findRepo } from "../git/repo.js";
import { RevisionReader } from "../git/revision.js";
import { envTextsAt } from "../store/at.js";
import { envTexts, workTree } from "../store/source.js";
import type { Deps } from "./session.js";

/** The two versions compared, as named (`to` undefined: the work tree), and what changed between them. */
export interface VaultDiff {
  from: string;
  to?: string;
  changes: EnvChange[];
}

/** The revisions as given on the command line: none, `REV`, `REV REV` or `A..B`. */
export interface DiffInput {
  from?: string;
  to?: string;
}

const DOTS = "..";

/**
 * The two versions a command line names. `REV` compares REV with the work tree; `A B` and
 * `A..B` compare commit A with commit B, and either side of `..` left empty means HEAD (as
 * in git). Pure.
 */
export function diffSides(o: DiffInput): { from: string; to?: string } {
  const from = o.from ?? "HEAD";
  if (from.includes("...") || o.to?.includes("...") === true) {
    throw new UsageError("vault diff compares two versions; A...B (changes since the branches forked) is not one of its forms", {
      hints: ["compare the fork point with B: `vault diff $(git merge-base A B) B`"],
    });
  }
  const dots = from.indexOf(DOTS);
  if (o.to !== undefined) {
    if (dots >= 0 || o.to.includes(DOTS)) {
      throw new UsageError(`give the two revisions as A B or as A..B, not both (got ${JSON.stringify(from)} and ${JSON.stringify(o.to)})`, {
        hints: ["`vault diff v1 v3` and `vault diff v1..v3` mean the same"],
      });
    }
    return { from, to: o.to };
  }
  if (dots < 0) return { from };
  return { from: from.slice(0, dots) || "HEAD", to: from.slice(dots + DOTS.length) || "HEAD" };
}

/** Compares the two versions {@link diffSides} names; a revision that does not exist is a usage error naming it. */
export async function diffVault(deps: Deps, o: DiffInput): Promise<VaultDiff> {
  const { from, to } = diffSides(o);
  const repo = await findRepo(deps.cwd);
  const reader = new RevisionReader(repo);
  const texts = async (rev: string | undefined) => (rev === undefined ? envTexts(workTree(repo.top)) : envTextsAt(reader, await reader.resolve(rev)));
  const [before, after] = [await texts(from), await texts(to)];
  return { from, ...(to === undefined ? {} : { to }), changes: diffEnvTexts(before, after) };
}
