/** `vault import`: the variables of a dotenv, JSON or YAML text, sealed into the environment in use. */
import { InvalidFile } from "../errors.js";
import { nowSeconds } from "../io/seams.js";
import { formatFromName, type ImportFormat, importFrom } from "../model/formats.js";
import { findVaultRoot } from "../store/root.js";
import { loadState } from "../store/state.js";
import { transaction } from "../store/transaction.js";
import { refreshAfterWrite } from "./fingerprints.js";
import { chooseEnv, type Deps, optionalKeyring, signingFor } from "./session.js";
import { applyUpdates, writtenChanges } from "./write.js";

export interface ImportInput {
  text: string;
  /** Where the text came from (`<stdin>`, the file as named), for messages and the default format. */
  name: string;
  format?: ImportFormat;
}

export interface Imported {
  env: string;
  /** How many variables the text holds. */
  count: number;
  added: string[];
  changed: string[];
  unchanged: string[];
  /** A stale `vault use` choice; a fingerprint cache left as it was. */
  warnings: string[];
}

/**
 * Reads every variable of the text before anything is written, then seals them as `vault set`
 * does (write-only without an identity) and tells the fingerprint cache their values.
 *
 * @throws InvalidFile when the text does not parse or a value holds a NUL byte (naming the key).
 */
export async function importValues(deps: Deps, o: ImportInput): Promise<Imported> {
  const values = importFrom(o.format ?? formatFromName(o.name), o.text, o.name);
  for (const [key, value] of values) {
    if (value.includes("\0")) throw new InvalidFile(`${o.name}: the value of ${key} contains a NUL byte`, { data: { file: o.name, key } });
  }
  const root = findVaultRoot(deps.cwd);
  const result = await transaction(root, await signingFor(deps), async (vault) => {
    const choice = chooseEnv(vault.config.data, deps.env, await loadState(root));
    const env = choice.env;
    const keyring = await optionalKeyring(vault, deps);
    const written = await applyUpdates(keyring, await vault.envFile(env), [...values].map(([key, value]) => ({ key, value })), [], nowSeconds(deps.processEnv));
    return {
      changes: await writtenChanges(vault, written),
      result: { env, count: values.size, added: written.added, changed: written.changed, unchanged: written.unchanged, warnings: choice.stale === undefined ? [] : [choice.stale] },
    };
  });
  result.warnings.push(...(await refreshAfterWrite(root, deps, new Map([[result.env, values]]))));
  return result;
}
