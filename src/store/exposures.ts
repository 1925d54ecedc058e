/** How a write changes `.envvault/exposed.json`: records added by a loss of access, dropped once a value changes. */
import type { Exposure } from "../model/config.js";
import { EXPOSED_FILE, printExposures } from "../model/exposure.js";
import type { Vault } from "./vault.js";
import type { Changes } from "./transaction.js";

/**
 * Adds exposure records and drops those `keep` rejects, as a change to
 * `.envvault/exposed.json` (deleted when empty); nothing when the records stay the same.
 */
export async function updateExposures(vault: Vault, changes: Changes, add: readonly Exposure[], keep: (e: Exposure) => boolean = () => true): Promise<void> {
  const current = await vault.exposures();
  const next = [...current.filter(keep), ...add];
  if (add.length === 0 && next.length === current.length) return;
  changes.set(EXPOSED_FILE, next.length === 0 ? null : printExposures(next));
}

/**
 * Drops the records of values this environment has changed since (a newer change time `t`).
 * A key this branch removed, or a newer version from another branch's history, stays
 * exposed: the value may still be in use at its provider.
 */
export function stillExposed(values: ReadonlyMap<string, { t: number }>, env: string): (e: Exposure) => boolean {
  return (e) => {
    const now = values.get(e.key)?.t;
    return e.env !== env || now === undefined || now <= e.t;
  };
}
