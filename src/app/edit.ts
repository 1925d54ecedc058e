/** `vault edit`: the environment's own values handed to an editor, and only the keys changed there sealed back. */
import { nowSeconds } from "../io/seams.js";
import { type ChangeSummary, summarizeChanges } from "../model/diff.js";
import { transaction } from "../store/transaction.js";
import { readVisible } from "./read.js";
import { type Deps, keyringFor, openReading, signingFor } from "./session.js";
import { applyUpdates, writtenChanges } from "./write.js";

/** An edit given up (a signal while the editor ran): nothing is written. */
export interface Cancelled {
  cancelledBy: NodeJS.Signals;
}

/** Lets the person change the values of `env`; resolves to the values they want, or to why there are none. */
export type Editor = (env: string, values: ReadonlyMap<string, string>) => Promise<ReadonlyMap<string, string> | Cancelled>;

export interface Edited {
  env: string;
  /** What was sealed, or why nothing was. */
  change: ChangeSummary | Cancelled;
  /** A stale `vault use` choice. */
  warnings: string[];
}

/**
 * Reads the values the environment holds itself in scopes the reader can open (others are
 * not shown, so they cannot be deleted by mistake either), lets `edit` change them, then
 * seals the keys added or changed and drops the keys deleted.
 */
export async function editValues(deps: Deps, edit: Editor): Promise<Edited> {
  const reading = await openReading(deps);
  const { env, me } = reading;
  const own = new Map([...(await readVisible(reading.keyring, env)).values].filter(([, r]) => r.env === env).map(([k, r]) => [k, r.value]));
  // The editor runs outside the repository lock: others may set other keys meanwhile, and
  // only the keys changed here are written afterwards.
  const edited = await edit(env, own);
  if ("cancelledBy" in edited) return { env, change: edited, warnings: reading.warnings };
  const change = summarizeChanges(own, edited);
  const updates = [...change.added, ...change.changed].map((key) => ({ key, value: edited.get(key) ?? "" }));
  if (updates.length > 0 || change.removed.length > 0) {
    await transaction(reading.vault.root, await signingFor(deps), async (latest) => {
      const file = await latest.envFile(env);
      const removals = change.removed.filter((k) => file.values.has(k));
      const written = await applyUpdates(keyringFor(latest, me), file, updates, removals, nowSeconds(deps.processEnv));
      return { changes: await writtenChanges(latest, written), result: undefined };
    });
  }
  return { env, change, warnings: reading.warnings };
}
