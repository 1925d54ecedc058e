/**
 * A multi-file change that a crash cannot leave half done (docs/FORMAT.md §6):
 * 1. every new file is written and fsynced as a temp file beside its target;
 * 2. the journal (`.envvault.local/journal.json`) records the renames and deletions;
 * 3. the renames and deletions run; 4. the journal is removed.
 * A crash before 2 leaves the old files (and stray temp files, which {@link recover} removes);
 * a crash after 2 is rolled forward by {@link recover}, which every vault load runs first. So
 * the vault is always read as entirely old or entirely new. The crash tests stop the process
 * between these steps through the seam of io/seams.ts.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { prepareWrites, removeDeadTemps, TEMP_NAME, writeFileAtomic } from "../io/atomic.js";
import { checkInside } from "../io/confine.js";
import { FS_CONCURRENCY, mapConcurrent } from "../io/concurrent.js";
import { syncDirectory } from "../io/files.js";
import { crashPoint } from "../io/seams.js";
import { normalizeInside } from "../model/paths.js";
import { ensureLocalDir, readLocalText, withRepoLock } from "./local.js";
import { LOCAL_DIR, VAULT_DIR } from "./root.js";

/** `.envvault.local/journal.json`; paths relative to the vault root. */
interface Journal {
  version: 1;
  renames: { temp: string; target: string }[];
  deletes: string[];
}

const journalPath = (root: string) => join(root, LOCAL_DIR, "journal.json");

export async function commitJournaled(root: string, writes: { path: string; data: string; mode: number }[], deletes: string[]): Promise<void> {
  if (writes.length === 0 && deletes.length === 0) return;
  const staged = await prepareWrites(writes);
  crashPoint();
  await ensureLocalDir(root);
  // Paths relative to the root: a repository moved or mounted elsewhere after a crash still rolls forward.
  const rel = (p: string) => relative(resolve(root), p);
  const journal: Journal = { version: 1, renames: staged.files.map((f) => ({ temp: rel(f.temp), target: rel(f.target) })), deletes: deletes.map(rel) };
  try {
    await writeFileAtomic(journalPath(root), JSON.stringify(journal), { mode: 0o600 });
  } catch (e) {
    await staged.abort();
    throw e;
  }
  crashPoint();
  await rollForward(root, journal);
}

async function rollForward(root: string, journal: Journal): Promise<void> {
  // The journal makes the set one step, so the order of its renames does not matter: they
  // run several at a time (a rotation renames hundreds of key files).
  const dirs = new Set<string>();
  const known = new Set<string>();
  await mapConcurrent(journal.renames, FS_CONCURRENCY, async ({ temp, target }) => {
    await checkInside(root, target, target, { known });
    if (existsSync(resolve(root, temp))) {
      await rename(resolve(root, temp), resolve(root, target));
      dirs.add(dirname(resolve(root, target)));
    }
    crashPoint();
  });
  await mapConcurrent(journal.deletes, FS_CONCURRENCY, async (d) => {
    const path = await checkInside(root, d, d, { known });
    await rm(path, { force: true });
    dirs.add(dirname(path));
    crashPoint();
  });
  await mapConcurrent([...dirs], FS_CONCURRENCY, (dir) => syncDirectory(dir).catch(() => undefined));
  await rm(journalPath(root), { force: true });
  crashPoint();
}

/**
 * Before reading: if a journal is present, wait for the repository lock (its writer may
 * still be running) and finish the commit, so a reader never sees half of one.
 */
export async function recoverBeforeRead(root: string): Promise<void> {
  if (!existsSync(journalPath(root))) return;
  await withRepoLock(root, () => recover(root));
}

/** Finishes a commit a crash interrupted, and clears what a crash before its journal left. Cheap when there is nothing to do; call under the lock. */
export async function recover(root: string): Promise<boolean> {
  const rolled = await rollForwardJournal(root);
  await removeStrayTemps(root);
  return rolled;
}

async function rollForwardJournal(root: string): Promise<boolean> {
  const path = journalPath(root);
  if (!existsSync(path)) return false;
  let journal: unknown;
  try {
    journal = JSON.parse((await readLocalText(root, "journal.json")) ?? "");
  } catch {
    journal = undefined;
  }
  if (!isJournal(journal)) {
    // Written atomically, so a journal that does not parse was never complete: nothing was
    // renamed yet. One naming files outside the vault was not written by envvault (a commit
    // can add .envvault.local/ by force): it is not followed either.
    await rm(path, { force: true });
    return false;
  }
  await rollForward(root, journal);
  return true;
}

function isJournal(j: unknown): j is Journal {
  const { renames, deletes } = (typeof j === "object" && j !== null ? j : {}) as Partial<Journal>;
  return (
    Array.isArray(renames) &&
    Array.isArray(deletes) &&
    deletes.every((d) => typeof d === "string" && journaled(d)) &&
    renames.every((r) => typeof r?.temp === "string" && typeof r.target === "string" && journaled(r.target) && isTempOf(r.temp, r.target))
  );
}

/** The files a journaled commit may touch: vault files, and the `.gitignore` `vault init` writes. */
function journaled(rel: string): boolean {
  const n = normalizeInside(rel);
  return "path" in n && n.path === rel && (rel.startsWith(`${VAULT_DIR}/`) || rel === ".gitignore");
}

/** A temp file that `prepareWrites` makes for `target`: beside it, named after it. */
function isTempOf(temp: string, target: string): boolean {
  const m = TEMP_NAME.exec(basename(temp));
  return dirname(temp) === dirname(target) && m?.[1] === basename(target).slice(0, 100);
}

/** Temp files of writers that died before writing their journal belong to no state. Call under the lock. */
async function removeStrayTemps(root: string): Promise<void> {
  for (const dir of [VAULT_DIR, LOCAL_DIR]) await removeDeadTemps(await checkInside(root, dir, dir, { file: false }), { recursive: true });
}

