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
import type { Deps } from "./app/session.js";

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
  processEnv?: Record<string, string | undefined>;
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
  const { deps, context } = depsOf(options);
  const { reading, resolved } = await readEnvironment(deps, { ...(context === undefined ? {} : { context }), saveGenerated: true, processLayer: true });
  const warn = options.onWarning ?? (() => undefined);
  for (const w of reading.warnings) warn(w);
  if (resolved.hidden.length > 0) warn(`${reading.env}: left out ${resolved.hidden.map((h) => `${h.key} (${h.scope})`).join(", ")}: you cannot read their scope`);
  if (resolved.burned.length > 0) warn(`${reading.env}: left out burned ${resolved.burned.join(", ")}`);
  for (const f of resolved.files) for (const w of f.warnings) warn(w);
  return Object.fromEntries([...resolved.resolution.values].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** An environment of the vault, as `vault env list` shows it. */
export interface EnvironmentInfo {
  name: string;
  /** The environment it inherits values from, or null. */
  extends: string | null;
  /** Variables its own file holds (inherited ones not counted). */
  variables: number;
  /** Whether the identity can open its own scope (false without an identity). */
  readable: boolean;
  /** The environment `load()` reads by default here (ENVVAULT_ENV, `vault use`, vault.yaml's default). */
  inUse: boolean;
}

/**
 * The vault's environments, sorted by name: for a build tool that renders one per target.
 * Needs no identity (then nothing is readable).
 *
 * @throws Unverified, InvalidFile, VaultError NOT_FOUND, as {@link load}.
 */
export async function listEnvironments(options: Omit<LoadOptions, "context"> = {}): Promise<EnvironmentInfo[]> {
  const { listEnvironments: list } = await import("./app/env-list.js");
  const r = await list(depsOf(options).deps);
  for (const w of r.warnings) options.onWarning?.(w);
  return r.environments.map((e) => ({ name: e.env, extends: e.extends, variables: e.variables, readable: e.readable, inUse: e.inUse }));
}

/** One layer that sets a variable, as `vault run --explain KEY` lists it (lowest priority first). */
export interface ExplainedLayer {
  /** `environment production`, `file .env.local`, `process environment`… */
  layer: string;
  kind: "generated" | "inherited" | "environment" | "context" | "file" | "process";
  /** Whether this layer's value is the one used. */
  won: boolean;
  /** Why a layer does not count (`unset by test`, `scope you cannot read`). */
  note?: string;
  /** The layer's value, for variables of kind `config` only. */
  value?: string;
}

/** Where a variable of the environment comes from. */
export interface Explained {
  key: string;
  env: string;
  context?: string;
  layers: ExplainedLayer[];
  interpolated: boolean;
  burned: boolean;
  /** The value used, for variables of kind `config` only (a secret is read with {@link load}). */
  value?: string;
}

/**
 * Every layer that sets `key` in the environment {@link load} would read, and which one wins:
 * what `vault run --explain KEY` prints. Values appear only for variables of kind `config`.
 *
 * @throws as {@link load}.
 */
export async function explain(key: string, options: LoadOptions = {}): Promise<Explained> {
  const [{ explainKey }, { kindOf }, { layerLabel }] = await Promise.all([import("./app/explain.js"), import("./model/config.js"), import("./model/layers.js")]);
  const { deps, context } = depsOf(options);
  const x = await explainKey(deps, { key, ...(context === undefined ? {} : { context }) });
  for (const w of x.reading.warnings) options.onWarning?.(w);
  const reveal = kindOf(x.cfg, key) === "config";
  const shown = (v: string | undefined) => (reveal && v !== undefined ? { value: v } : {});
  return {
    key,
    env: x.explanation.env,
    ...(x.explanation.context === undefined ? {} : { context: x.explanation.context }),
    layers: x.explanation.rows.map((r) => ({ layer: layerLabel(r), kind: r.kind, won: r.won, ...(r.note === undefined ? {} : { note: r.note }), ...shown(r.value) })),
    interpolated: x.explanation.interpolated,
    burned: x.explanation.burned,
    ...shown(x.explanation.value),
  };
}

/** What the app layer needs for one call, from the options and the process environment. */
function depsOf(options: LoadOptions): { deps: Deps; context: string | undefined } {
  const processEnv = options.processEnv ?? process.env;
  const env = options.env ?? nonEmpty(processEnv.ENVVAULT_ENV);
  const deps: Deps = {
    cwd: resolve(options.cwd ?? process.cwd()),
    processEnv: options.trustRoot === undefined ? processEnv : { ...processEnv, ENVVAULT_TRUST_ROOT: options.trustRoot },
    ...(options.allowUnverified === true ? { allowUnverified: true } : {}),
    ...(options.identityFile === undefined ? {} : { identityFile: resolve(options.identityFile) }),
    ...(env === undefined ? {} : { env }),
  };
  return { deps, context: options.context ?? nonEmpty(processEnv.ENVVAULT_CONTEXT) };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}
