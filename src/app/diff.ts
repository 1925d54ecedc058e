/** `vault diff [REV[..REV]]`: key-level changes between two versions of the vault (the work tree by default). */
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

/**
 * `REV` compares REV with the work tree, `A..B` commit A with commit B; either side of `..`
 * left empty means HEAD (as in git).
 */
export async function diffVault(deps: Deps, o: { range?: string }): Promise<VaultDiff> {
  const repo = await findRepo(deps.cwd);
  const reader = new RevisionReader(repo);
  const range = o.range ?? "HEAD";
  const dots = range.indexOf("..");
  const [from, to] = dots < 0 ? [range, undefined] : [range.slice(0, dots) || "HEAD", range.slice(dots + 2) || "HEAD"];
  const texts = async (rev: string | undefined) => (rev === undefined ? envTexts(workTree(repo.top)) : envTextsAt(reader, await reader.resolve(rev)));
  const [before, after] = [await texts(from), await texts(to)];
  return { from, ...(to === undefined ? {} : { to }), changes: diffEnvTexts(before, after) };
}
