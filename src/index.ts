/**
 * envvault as a library: read the environment a vault holds for this repository.
 *
 * ```ts
 * import { load } from "envvault";
 * const env = await load({ env: "production" });
 * ```
 *
 * To fill `process.env` before an application starts, as `dotenv/config` does, preload
 * `envvault/config`: `node --import envvault/config app.js` (or `node -r envvault/config`).
 */
import { resolve } from "node:path";
import { readEnvironment } from "./app/environment.js";

export { VaultError, NotARecipient, Tampered, InvalidFile, UsageError, ValidationFailed, Blocked, ExitCode } from "./errors.js";

export interface LoadOptions {
  /** Directory inside the repository (default: process.cwd()). */
  cwd?: string;
  /** Environment to read (default: ENVVAULT_ENV, then `vault use`, then vault.yaml's default). */
  env?: string;
  /** Context of the environment (vault.yaml `contexts`) whose values apply (default: ENVVAULT_CONTEXT, else none). */
  context?: string;
  /** Identity file (default: the lookup order of `vault`: ENVVAULT_IDENTITY, ENVVAULT_IDENTITY_FILE, ~/.config/envvault/identity.txt). */
  identityFile?: string;
  /**
   * Read a vault that fails verification (docs/FORMAT.md §6), for recovery; each problem is
   * reported through `onWarning`. Default false: an unverified vault throws Unverified.
   */
  allowUnverified?: boolean;
  /** The trust root the vault must have (default: ENVVAULT_TRUST_ROOT, else the one this clone pinned). */
  trustRoot?: string;
  /**
   * Process environment: where ENVVAULT_* settings come from, the top layer (its value wins
   * for every variable it sets) and what `${NAME}` references fall back to (default: process.env).
   */
  processEnv?: NodeJS.ProcessEnv;
  /** Told about variables left out (a scope you cannot read, burned) and unreadable lines of env_file files. */
  onWarning?: (message: string) => void;
}

/**
 * The environment as `vault run` injects it: the vault's values (inherited ones included),
 * the context's overrides, the `env_file` files of vault.yaml, this clone's generated values,
 * interpolation where the environment turns it on, and the process environment on top for
 * the variables those layers set. Other variables of the process environment are not in the
 * result.
 *
 * @throws Unverified when the vault, or a change in its history, is not signed by a member
 *   allowed to make it; NotARecipient when the identity cannot read the environment; Tampered when a
 *   vault file was modified; InvalidFile when vault.yaml or roster.yaml is invalid;
 *   UsageError for an unknown environment or context; VaultError NOT_FOUND for a missing
 *   required env_file; ValidationFailed for an interpolation cycle.
 */
export async function load(options: LoadOptions = {}): Promise<Record<string, string>> {
  const processEnv = options.processEnv ?? process.env;
  const env = options.env ?? nonEmpty(processEnv.ENVVAULT_ENV);
  const context = options.context ?? nonEmpty(processEnv.ENVVAULT_CONTEXT);
  const deps = {
    cwd: resolve(options.cwd ?? process.cwd()),
    processEnv: options.trustRoot === undefined ? processEnv : { ...processEnv, ENVVAULT_TRUST_ROOT: options.trustRoot },
    ...(options.allowUnverified === true ? { allowUnverified: true } : {}),
    ...(options.identityFile === undefined ? {} : { identityFile: resolve(options.identityFile) }),
    ...(env === undefined ? {} : { env }),
  };
  const { reading, resolved } = await readEnvironment(deps, { ...(context === undefined ? {} : { context }), saveGenerated: true, processLayer: true });
  const warn = options.onWarning ?? (() => undefined);
  for (const w of reading.warnings) warn(w);
  if (resolved.hidden.length > 0) warn(`${reading.env}: left out ${resolved.hidden.map((h) => `${h.key} (${h.scope})`).join(", ")}: you cannot read their scope`);
  if (resolved.burned.length > 0) warn(`${reading.env}: left out burned ${resolved.burned.join(", ")}`);
  for (const f of resolved.files) for (const w of f.warnings) warn(w);
  return Object.fromEntries([...resolved.resolution.values].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}
