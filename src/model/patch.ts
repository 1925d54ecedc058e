/** How `vault unlock` and `vault lock` change a target: which lines, and what is recorded. Pure. */
import { entries as docEntries, holdsAsWritten, lastAssignments, parse, print, remove as removeKey, set as setKey } from "./dotenv/index.js";

export type ConflictPolicy = "keep" | "overwrite";

/** What a target should become, and why. Pure: computed before anything is written. */
export interface Patch {
  before: string;
  after: string;
  added: string[];
  changed: string[];
  removed: string[];
  /** Keys whose local value differs from the vault and was kept. */
  kept: string[];
  /** Keys changed locally and left in place although the vault no longer has them. */
  orphaned: string[];
  /** Keyed hashes of the values envvault now owns in the target. */
  owned: Record<string, string>;
  warnings: string[];
}

export interface PatchInput {
  text: string;
  values: ReadonlyMap<string, string>;
  /** Hashes recorded by the previous unlock of this target (empty on the first). */
  previous: Readonly<Record<string, string>>;
  /** The keyed hash of a value this clone records (a fingerprint under its local key), never the value. */
  hash: (value: string) => string;
  /** Asked for each key whose local value differs from both the vault and the last unlock. */
  decide: (key: string) => ConflictPolicy;
}

/**
 * Plans an unlock: only the lines of keys whose value changes, or whose line a shell would
 * read otherwise, are touched (written shell-safe, see format `set`); keys the vault does
 * not own are never changed, and a value edited locally since the last unlock follows
 * `decide`.
 */
export function planUnlock(input: PatchInput): Patch {
  const { doc, warnings } = parse(input.text);
  const lines = lastAssignments(doc);
  const fp = input.hash;
  let next = doc;
  const patch: Patch = { before: input.text, after: input.text, added: [], changed: [], removed: [], kept: [], orphaned: [], owned: {}, warnings: warnings.map((w) => w.message) };
  for (const [key, value] of [...input.values].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const line = lines.get(key);
    const local = line?.value;
    if (line !== undefined && local === value) {
      // An earlier version, or a person, may have written the vault's value in a way a
      // shell sourcing the file reads otherwise; the line is the vault's now, so make it safe.
      if (!holdsAsWritten(doc, line)) {
        next = setKey(next, key, value);
        patch.warnings.push(`rewrote the line of ${key} (same value) so that a shell sourcing the file reads it exactly and runs nothing`);
      }
      patch.owned[key] = fp(value);
      continue;
    }
    const ours = local !== undefined && input.previous[key] !== undefined && fp(local) === input.previous[key];
    if (local !== undefined && !ours && input.decide(key) === "keep") {
      patch.kept.push(key);
      continue;
    }
    next = setKey(next, key, value);
    (local === undefined ? patch.added : patch.changed).push(key);
    patch.owned[key] = fp(value);
  }
  for (const [key, hash] of Object.entries(input.previous)) {
    if (input.values.has(key)) continue;
    const local = lines.get(key)?.value;
    if (local === undefined) continue;
    if (fp(local) === hash) {
      next = removeKey(next, key);
      patch.removed.push(key);
    } else {
      patch.orphaned.push(key);
    }
  }
  patch.after = print(next);
  return patch;
}

/** Plans a lock: removes the values envvault wrote and that were not changed since. */
export function planLock(text: string, previous: Readonly<Record<string, string>>, hash: (value: string) => string): { after: string; removed: string[]; kept: string[] } {
  const { doc } = parse(text);
  const current = docEntries(doc);
  let next = doc;
  const removed: string[] = [];
  const kept: string[] = [];
  for (const [key, recorded] of Object.entries(previous).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const local = current.get(key);
    if (local === undefined) continue;
    if (hash(local) === recorded) {
      next = removeKey(next, key);
      removed.push(key);
    } else {
      kept.push(key);
    }
  }
  return { after: print(next), removed, kept };
}
