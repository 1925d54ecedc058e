/**
 * Values of `kind: generated`: they must only exist and match on one machine (an
 * `X_API_KEY` two local services share), so they never enter the vault. Each clone makes
 * its own on first use, from the variable's `generate` spec, and keeps it in
 * `.envvault.local/generated.json` (mode 0600, git-ignored): every target of the clone gets
 * the same value, every unlock the same one, another clone its own.
 */
import { join } from "node:path";
import { InvalidFile, UsageError } from "../errors.js";
import { generateValue } from "../crypto/generate.js";
import { writeFileAtomic } from "../io/atomic.js";
import { generatedSpecs, type VaultConfig } from "../model/config.js";
import { ensureLocalDir, readLocalText, withRepoLock } from "./local.js";
import { LOCAL_DIR } from "./root.js";

const NAME = "generated.json";
export const GENERATED_FILE = `${LOCAL_DIR}/${NAME}`;

interface Generated {
  spec: string;
  value: string;
  at: string;
}

interface GeneratedState {
  version: 1;
  values: Record<string, Generated>;
}

async function load(root: string): Promise<GeneratedState> {
  const text = await readLocalText(root, NAME);
  if (text === undefined) return { version: 1, values: {} };
  try {
    const s = JSON.parse(text) as GeneratedState;
    if (s.version !== 1 || typeof s.values !== "object" || s.values === null) throw new Error("shape");
    for (const g of Object.values(s.values)) if (typeof g?.value !== "string" || typeof g.spec !== "string") throw new Error("shape");
    return s;
  } catch {
    throw new InvalidFile(`${GENERATED_FILE} is damaged`, {
      data: { file: GENERATED_FILE },
      hints: [`delete ${GENERATED_FILE}; the next \`vault unlock\` makes new generated values (services that share them need restarting)`],
    });
  }
}

async function save(root: string, state: GeneratedState): Promise<void> {
  await writeFileAtomic(join(await ensureLocalDir(root), NAME), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

const fresh = (spec: string): Generated => ({ spec, value: generateValue(spec), at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") });

/** The generated values this clone has made so far, by key; nothing is made or written. */
export async function storedGenerated(root: string): Promise<Map<string, string>> {
  return new Map(Object.entries((await load(root)).values).map(([k, g]) => [k, g.value]));
}

export interface GeneratedOptions {
  /** Keep values made now (false for a dry run: they are made, used and forgotten). */
  save: boolean;
  /** The caller already holds the repository lock (`unlock`, the git hooks). */
  locked: boolean;
}

/**
 * This clone's value of every generated variable of vault.yaml, made on first use. A value
 * whose spec changed in vault.yaml is made again. Values are made under the repository
 * lock, so two processes starting at once (two services) never make two different ones.
 */
export async function generatedValues(root: string, cfg: VaultConfig, o: GeneratedOptions): Promise<Map<string, string>> {
  const specs = generatedSpecs(cfg);
  const stale = (s: GeneratedState) => [...specs].filter(([k, spec]) => s.values[k]?.spec !== spec);
  let state = await load(root);
  if (stale(state).length > 0 && o.save) {
    const fill = async () => {
      const s = await load(root);
      for (const [key, spec] of stale(s)) s.values[key] = fresh(spec);
      await save(root, s);
      return s;
    };
    state = o.locked ? await fill() : await withRepoLock(root, fill);
  }
  return new Map([...specs].map(([key, spec]) => [key, state.values[key]?.spec === spec ? state.values[key].value : fresh(spec).value]));
}

/** Makes new values for generated variables of this clone (`vault rotate KEY`). */
export async function regenerate(root: string, cfg: VaultConfig, keys: readonly string[]): Promise<void> {
  const specs = generatedSpecs(cfg);
  for (const key of keys) {
    if (!specs.has(key)) throw new UsageError(`${key} is not a generated variable`, { data: { key } });
  }
  await withRepoLock(root, async () => {
    const s = await load(root);
    for (const key of keys) s.values[key] = fresh(specs.get(key) ?? "32");
    await save(root, s);
  });
}
