/** A merge's conflicts settled by `vault set` on exactly the keys it sets. */
import { UsageError } from "../errors.js";
import type { EnvFile } from "../model/envfile.js";
import { Vault } from "../store/vault.js";
import { hasConflictMarkers, parseConflicted } from "../model/conflicts.js";
import { resolveConflict, sideUsable } from "../model/merge.js";

/**
 * The environment file `vault set KEY…` writes into. When a merge left conflicts on exactly
 * those keys, `set` settles them: the conflicting line is replaced by a side that can still
 * be opened (so the key keeps its scope), and `set` then seals the new value over it. Any
 * other conflict in the file must be settled first, so that `set` never drops one unseen.
 */
export async function envFileForSet(vault: Vault, env: string, keys: readonly string[]): Promise<EnvFile> {
  const path = Vault.envPath(env);
  const text = await vault.source.read(path);
  if (text === undefined || !hasConflictMarkers(text)) return vault.envFile(env);
  let cf = parseConflicted(text, path, env);
  const others = cf.conflicts.filter((c) => c.kind === "scope" || !keys.includes(c.name));
  if (others.length > 0) {
    const names = others.map((c) => (c.kind === "scope" ? `scope ${c.name}` : c.name)).join(", ");
    throw new UsageError(`${path} has unresolved merge conflicts on ${names}`, {
      data: { file: path, env },
      hints: ["`vault status` explains them; settle them with `vault resolve NAME --ours|--theirs` (or include them in this `vault set`)"],
    });
  }
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
  return cf.file;
}
