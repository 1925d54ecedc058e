/** A merge's conflicts settled by `vault set` on exactly the keys it sets, signed as the setter's choice. */
import { findRepo } from "../git/repo.js";
import { replayingOntoHead } from "../git/sides.js";
import { UsageError } from "../errors.js";
import { verifySignature } from "../crypto/sign.js";
import { type EnvFile, printEnvFile } from "../model/envfile.js";
import { Vault } from "../store/vault.js";
import { type ConflictedFile, hasConflictMarkers, parseConflicted } from "../model/conflicts.js";
import { parentLeaves, resolveConflict, type SettledConflict, sideLeaves, signSettled, sideUsable } from "../model/merge.js";
import { signEnvChange, type Writer } from "../model/signing.js";
import type { Roster } from "../model/roster.js";

/** The file `set` writes into and, when it settles conflicts, what it settled. */
export interface SetBase {
  file: EnvFile;
  /** The conflicts settled, with their sides' leaves: the lines `set` writes must follow one of them. */
  settled: SettledConflict[];
}

/**
 * The environment file `vault set KEY…` writes into. When a merge left conflicts on exactly
 * those keys, `set` settles them: the conflicting line is replaced by a side that can still
 * be opened (so the key keeps its scope), and `set` then seals the new value over it. Any
 * other conflict in the file must be settled first, so that `set` never drops one unseen.
 */
export async function envFileForSet(vault: Vault, env: string, keys: readonly string[]): Promise<SetBase> {
  const path = Vault.envPath(env);
  const text = await vault.source.read(path);
  if (text === undefined || !hasConflictMarkers(text)) return { file: await vault.envFile(env), settled: [] };
  let cf: ConflictedFile = parseConflicted(text, path, env);
  const others = cf.conflicts.filter((c) => c.kind === "scope" || !keys.includes(c.name));
  if (others.length > 0) {
    const names = others.map((c) => (c.kind === "scope" ? `scope ${c.name}` : c.name)).join(", ");
    throw new UsageError(`${path} has unresolved merge conflicts on ${names}`, {
      data: { file: path, env },
      hints: ["`vault status` explains them; settle them with `vault resolve NAME --ours|--theirs` (or include them in this `vault set`)"],
    });
  }
  const oneParent = replayingOntoHead(await findRepo(vault.root));
  const settled = cf.conflicts.map((c) => ({ conflict: c, sides: sideLeaves(cf, c), parents: parentLeaves(cf, c, oneParent) }));
  for (const c of [...cf.conflicts]) {
    const side = (["ours", "theirs"] as const).find((s) => c[s].line !== undefined && sideUsable(cf, c, s));
    if (side !== undefined) {
      cf = resolveConflict(cf, c, side, path);
    } else {
      const values = new Map(cf.file.values);
      values.delete(c.name);
      cf = { file: { ...cf.file, values }, conflicts: cf.conflicts.filter((x) => x !== c) };
    }
  }
  return { file: cf.file, settled };
}

/**
 * The signed text of a file `set` wrote over settled conflicts (`committed`: the leaves of the
 * last commit and the merge's other side, as store/signing.ts takes them): signed as any write, then
 * each settled key made to follow a side's line (the sign pass of store/signing.ts compares
 * with the work tree's file, which holds the conflict blocks, not the sides).
 */
export function signSettledSet(base: SetBase, written: EnvFile, roster: Roster, writer: Writer, now: number, committed?: ReadonlySet<string>): string {
  const path = Vault.envPath(written.env);
  return printEnvFile(signSettled(signEnvChange(base.file, written, roster, writer, now, committed), base.settled, roster, writer, verifySignature, path, now));
}
