/** The one way vault files are changed: under the repository lock, computed in memory, written through the journal. */
import { dirname, join } from "node:path";
import { FS_CONCURRENCY, mapConcurrent } from "../io/concurrent.js";
import { mkdirInside, readInside } from "../io/confine.js";
import { withRepoLock } from "./local.js";
import { cacheWrittenYaml, Vault, workTree } from "./vault.js";
import { ROSTER_FILE } from "../model/roster.js";
import { VAULT_FILE } from "../model/config.js";
import { commitJournaled, recover } from "./journal.js";
import { type Changes, signChanges, writerFor } from "./signing.js";
import { trustVault } from "./verified.js";
import { committedSources } from "./at.js";

export type { Changes } from "./signing.js";

/** Who writes, for the signatures of a write (docs/FORMAT.md §4), and when. */
export interface Signing {
  identities: readonly string[];
  recipients: readonly string[];
  /** Unix seconds: the time removal lines are stamped with. */
  now: number;
  /** `ENVVAULT_TRUST_ROOT`. */
  pin?: string;
}

/**
 * Loads the vault under the repository lock, verifies it (nothing is sealed into a vault a
 * pusher may have forged), lets `fn` compute every new file in memory, signs the changes as
 * the writer (all but those `fn` returns as `signed`), then writes only the files whose bytes differ. Nothing is written when `fn`
 * throws or the writer may not make a change. The YAML documents of vault.yaml and
 * roster.yaml are loaded (not only their cached data), so `fn` can edit them keeping
 * comments and layout.
 */
export async function transaction<T>(root: string, signing: Signing, fn: (vault: Vault) => Promise<{ changes: Changes; signed?: Changes; result: T }>): Promise<T> {
  return withRepoLock(root, async () => {
    await recover(root);
    // Already under the lock and recovered: load the work tree as it is.
    const vault = await Vault.load(root, workTree(root), { docs: true });
    await trustVault(vault, { identities: signing.identities, ...(signing.pin === undefined ? {} : { pin: signing.pin }) });
    const rosterBefore = structuredClone(vault.roster.data);
    const writer = writerFor(rosterBefore, signing.identities, signing.recipients);
    const { changes: unsigned, signed, result } = await fn(vault);
    const committed = await committedSources(root);
    const changes = await signChanges({ source: vault.source, roster: rosterBefore, ...(committed === undefined ? {} : { committed }) }, unsigned, writer, signing.now);
    // Environment files `fn` signed itself: a merge's conflicts settled by `vault set`, whose
    // lines follow the conflict's sides, which the work tree's file cannot tell the sign pass.
    for (const [path, text] of signed ?? []) changes.set(path, text);
    await applyChanges(root, changes);
    const vaultText = changes.get(VAULT_FILE);
    const rosterText = changes.get(ROSTER_FILE);
    if (typeof vaultText === "string" || typeof rosterText === "string") {
      await cacheWrittenYaml(root, { ...(typeof vaultText === "string" ? { vault: vaultText } : {}), ...(typeof rosterText === "string" ? { roster: rosterText } : {}) }, signing.identities[0]);
    }
    return result;
  });
}

export async function applyChanges(root: string, changes: Changes): Promise<string[]> {
  const writes: { path: string; data: string; mode: number }[] = [];
  const deletes: string[] = [];
  const dirs = new Set<string>();
  const sorted = [...changes].sort(([a], [b]) => (a < b ? -1 : 1));
  // Read concurrently: a rotation compares hundreds of key files with their new text. Every
  // path is reached without passing a symlink: a commit may have planted one in .envvault/.
  const known = new Set<string>();
  const current = await mapConcurrent(sorted, FS_CONCURRENCY, async ([rel]) => (await readInside(root, rel, rel, known))?.bytes.toString("utf8"));
  for (const [i, [rel, data]] of sorted.entries()) {
    const path = join(root, rel);
    if (data === null) {
      if (current[i] !== undefined) deletes.push(path);
    } else if (current[i] !== data) {
      writes.push({ path, data, mode: 0o644 });
      dirs.add(dirname(rel));
    }
  }
  for (const dir of dirs) if (dir !== ".") await mkdirInside(root, dir);
  await commitJournaled(root, writes, deletes);
  return [...writes.map((w) => w.path), ...deletes];
}

