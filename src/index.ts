/**
 * envvault as a library: read the environment a vault holds for this repository.
 *
 * ```ts
 * import { load } from "envvault";
 * const env = await load({ env: "production" });
 * ```
 */
import { resolve } from "node:path";
import { requireEnv, defaultEnv } from "./vault/config.js";
import { loadState } from "./store/state.js";
import { readVisible } from "./ops/read.js";
import { keyringFor, openVault, whoAmI } from "./ops/session.js";

export { VaultError, NotARecipient, Tampered, InvalidFile, UsageError, ValidationFailed, Blocked, ExitCode } from "./errors.js";

export interface LoadOptions {
  /** Directory inside the repository (default: process.cwd()). */
  cwd?: string;
  /** Environment to read (default: ENVVAULT_ENV, then `vault use`, then vault.yaml's default). */
  env?: string;
  /** Identity file (default: the lookup order of `vault`: ENVVAULT_IDENTITY, ENVVAULT_IDENTITY_FILE, ~/.config/envvault/identity.txt). */
  identityFile?: string;
  /** Process environment to take ENVVAULT_* settings from (default: process.env). */
  processEnv?: NodeJS.ProcessEnv;
}

/**
 * Decrypts the variables of one environment, inherited ones included.
 *
 * @throws NotARecipient when the identity cannot read the environment; Tampered when a
 *   vault file was modified; InvalidFile when vault.yaml or roster.yaml is invalid.
 */
export async function load(options: LoadOptions = {}): Promise<Record<string, string>> {
  const processEnv = options.processEnv ?? process.env;
  const where = {
    cwd: resolve(options.cwd ?? process.cwd()),
    processEnv,
    ...(options.identityFile === undefined ? {} : { identityFile: resolve(options.identityFile) }),
  };
  const vault = await openVault(where);
  const chosen = options.env ?? processEnv.ENVVAULT_ENV ?? (await loadState(vault.root)).env ?? defaultEnv(vault.config.data);
  const env = requireEnv(vault.config.data, chosen);
  const { values } = await readVisible(await keyringFor(vault, await whoAmI(where)), env);
  return Object.fromEntries([...values].map(([k, r]) => [k, r.value]));
}
