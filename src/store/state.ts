/** `.envvault.local/state.json` and its key: this clone's environment in use and what it unlocked into each target. */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { InvalidFile } from "../errors.js";
import { writeFileAtomic, writeFileAtomicIfChanged } from "../io/atomic.js";
import { ensureLocalDir, readLocal, readLocalText } from "./local.js";
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

/** A random key of this clone for hashing values, so no plaintext value rests in the state. */
export async function localKey(root: string): Promise<Uint8Array> {
  const found = await readLocal(root, KEY);
  if (found?.bytes.length === 32) return found.bytes;
  const k = randomBytes(32);
  await writeFileAtomic(join(await ensureLocalDir(root), KEY), k, { mode: 0o600 });
  return k;
}
