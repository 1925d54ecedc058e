/** `.envvault.local/state.json` and its key: this clone's environment in use and what it unlocked into each target. */
import { randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { InvalidFile } from "../errors.js";
import { writeFileAtomic, writeFileAtomicIfChanged } from "../io/atomic.js";
import { ensureLocalDir, readLocal, readLocalText } from "./local.js";
import { LOCAL, VAULT_DIR } from "../model/layout.js";
import { LOCAL_DIR } from "./root.js";

/** What this clone unlocked into a target: per key, a keyed hash of the value written. */
export interface TargetState {
  env: string;
  keys: Record<string, string>;
}

/** `.envvault.local/state.json`: choices and records of this clone only, never committed. */
export interface LocalState {
  version: 1;
  env?: string;
  targets: Record<string, TargetState>;
}

const STATE = "state.json";
const KEY = "state.key";

export async function loadState(root: string): Promise<LocalState> {
  const text = await readLocalText(root, STATE);
  if (text === undefined) return { version: 1, targets: {} };
  try {
    const s = JSON.parse(text) as LocalState;
    if (s.version !== 1 || typeof s.targets !== "object" || s.targets === null) throw new Error("shape");
    return s;
  } catch {
    throw new InvalidFile(`${LOCAL_DIR}/${STATE} is damaged`, {
      data: { file: `${LOCAL_DIR}/${STATE}` },
      hints: [`delete ${LOCAL_DIR}/${STATE}; the next \`vault unlock\` rebuilds it (local edits of targets are then kept as conflicts)`],
    });
  }
}

export async function saveState(root: string, state: LocalState): Promise<void> {
  await ensureLocalDir(root);
  await writeFileAtomicIfChanged(join(root, LOCAL_DIR, STATE), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

/**
 * Marks that the targets were just unlocked from the vault files as they are: the
 * reference-transaction hook starts vault only for a vault file newer than this mark. The
 * hook's own unlock also records HEAD, so that the post-checkout, post-merge or post-commit
 * hook of the same git command does not unlock a second time.
 */
export async function markUnlocked(root: string, head = ""): Promise<void> {
  await writeFileAtomic(join(await ensureLocalDir(root), LOCAL.unlocked), head, { mode: 0o600 });
}

/** The HEAD the reference-transaction hook's unlock recorded, if the last unlock was that one. */
export async function unlockedHead(root: string): Promise<string | undefined> {
  const text = (await readLocalText(root, LOCAL.unlocked))?.trim();
  return text === undefined || text === "" ? undefined : text;
}

/** Whether some file of the vault (`.envvault/`, dot files aside) is newer than the last unlock's mark. */
export async function vaultNewerThanUnlock(root: string): Promise<boolean> {
  const mark = await stat(join(root, LOCAL_DIR, LOCAL.unlocked)).then((s) => s.mtimeMs, () => undefined);
  if (mark === undefined) return true;
  const walk = async (dir: string): Promise<boolean> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.name.startsWith(".")) continue;
      const path = join(dir, e.name);
      if (e.isDirectory() ? await walk(path) : e.isFile() && (await stat(path)).mtimeMs > mark) return true;
    }
    return false;
  };
  return walk(join(root, VAULT_DIR));
}

/** A random key of this clone for hashing values, so no plaintext value rests in the state. */
export async function localKey(root: string): Promise<Uint8Array> {
  const found = await readLocal(root, KEY);
  if (found?.bytes.length === 32) return found.bytes;
  const k = randomBytes(32);
  await writeFileAtomic(join(await ensureLocalDir(root), KEY), k, { mode: 0o600 });
  return k;
}
