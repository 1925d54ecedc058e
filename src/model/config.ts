/**
 * The data of `.envvault/vault.yaml` (schema/vault.schema.json) and the questions asked of
 * it: environments and what they inherit, variables and their kinds, targets, `env_file`
 * layers, contexts, rotation policies. Pure.
 */
import { InvalidFile, UsageError } from "../errors.js";
import { confinedPath } from "./paths.js";
import { VAULT_FILE } from "./layout.js";

export type Kind = "secret" | "config" | "generated";

/** Which side wins between the environment's values and its `env_file` layers. */
export type Priority = "files_win" | "vault_wins";

/** One plaintext `.env` file layered with the vault (`env_file` in vault.yaml). */
export interface EnvFileEntry {
  path: string;
  /** A missing file is an error (true, the default, as in docker compose) or skipped. */
  required?: boolean;
}

/** `env_file`: a path, an entry, or a list of them (later files win). */
export type EnvFileSpec = string | EnvFileEntry | (string | EnvFileEntry)[];

export interface EnvironmentDef {
  description?: string;
  extends?: string;
  rotate_every?: string;
  env_file?: EnvFileSpec;
  priority?: Priority;
  interpolate?: boolean;
  /** Named overrides of a few values (`docker`, `host`), plaintext, chosen with `--context`. */
  contexts?: Record<string, Record<string, string> | null>;
  /** Inherited variables this environment does not have. */
  unset?: string[];
}

export interface Burned {
  reason?: string;
  at: string;
}

export type ValueType = "string" | "url" | "int" | "bool" | "port" | "email" | "json";

export interface VariableDef {
  kind?: Kind;
  description?: string;
  rotate_every?: string;
  burned?: Burned;
  required?: boolean;
  required_in?: string[];
  pattern?: string;
  enum?: string[];
  type?: ValueType;
  /** `kind: generated`: how each machine makes the value (a generateValue spec; default 32). */
  generate?: string;
}

/** A value a removed member could read, recorded until it changes (its `t` moves on). */
export interface Exposure {
  env: string;
  key: string;
  to: string;
  since: string;
  t: number;
}

export interface TargetDef {
  path: string;
  env?: string;
  /** Only these variables: names, or patterns where `*` matches any run of characters. */
  keys?: string[];
  /** Only variables whose name starts with this. */
  prefix?: string;
  /** The context whose values this target gets (else the one given with --context). */
  context?: string;
}

/** `pre_commit` of vault.yaml: what the hook looks for besides the current values. */
export interface PreCommitDef {
  /** How many of the latest commits of every branch and remote-tracking ref the hook knows the values of. */
  history?: number;
}

/** The data of `.envvault/vault.yaml` (schema/vault.schema.json). */
export interface VaultConfig {
  version: 1;
  default_env?: string;
  environments: Record<string, EnvironmentDef | null>;
  variables?: Record<string, VariableDef | null>;
  targets?: TargetDef[];
  /** `env_file` of every environment that lists none of its own (nor inherits one). */
  env_file?: EnvFileSpec;
  /** The priority of every environment that sets none (nor inherits one); default files_win. */
  priority?: Priority;
  pre_commit?: PreCommitDef;
}

export { VAULT_FILE } from "./layout.js";
export const DEFAULT_TARGET = ".env";

/**
 * Commits of history whose values the pre-commit hook knows when vault.yaml says nothing.
 * Their values are decrypted once, by the cache rebuild; the hook itself only lists them
 * again after a ref moved (docs/FORMAT.md §12).
 */
export const DEFAULT_HISTORY = 50;

/** `pre_commit.history`, or {@link DEFAULT_HISTORY}. */
export function historyDepth(cfg: VaultConfig): number {
  return cfg.pre_commit?.history ?? DEFAULT_HISTORY;
}

export function envNames(cfg: VaultConfig): string[] {
  return Object.keys(cfg.environments).sort();
}

export function defaultEnv(cfg: VaultConfig): string {
  return cfg.default_env ?? (cfg.environments.development !== undefined ? "development" : envNames(cfg)[0] ?? "development");
}

export function requireEnv(cfg: VaultConfig, env: string): string {
  if (!Object.hasOwn(cfg.environments, env)) {
    throw new UsageError(`unknown environment ${JSON.stringify(env)}`, {
      data: { env },
      hints: [`environments in ${VAULT_FILE}: ${envNames(cfg).join(", ")}`, `create it with \`vault env add ${env}\``],
    });
  }
  return env;
}

export function kindOf(cfg: VaultConfig, key: string): Kind {
  const vars = cfg.variables ?? {};
  return (Object.hasOwn(vars, key) ? vars[key]?.kind : undefined) ?? "secret";
}

/** The environment and its ancestors, nearest first; a cycle or a missing base is an error. */
export function inheritanceChain(cfg: VaultConfig, env: string): string[] {
  const chain = [requireEnv(cfg, env)];
  let next = cfg.environments[env]?.extends;
  while (next !== undefined) {
    if (chain.includes(next)) {
      throw new InvalidFile(`${VAULT_FILE}: environments extend each other in a cycle: ${[...chain, next].join(" -> ")}`, {
        data: { file: VAULT_FILE, env },
        hints: ["remove one `extends` of the cycle"],
      });
    }
    if (!Object.hasOwn(cfg.environments, next)) {
      throw new InvalidFile(`${VAULT_FILE}: environment ${chain[chain.length - 1]} extends unknown environment ${next}`, {
        data: { file: VAULT_FILE, env },
        hints: [`add environment ${next}, or fix the \`extends\``],
      });
    }
    chain.push(next);
    next = cfg.environments[next]?.extends;
  }
  return chain;
}

/**
 * The targets `vault unlock` writes, each path checked to stay inside the repository and out
 * of `.git/`, `.envvault/` and `.envvault.local/` (a commit can name any path here).
 *
 * @throws UnsafePath naming the target's setting when a path is refused.
 */
export function targets(cfg: VaultConfig): TargetDef[] {
  return (cfg.targets ?? [{ path: DEFAULT_TARGET }]).map((t, i) => ({
    ...t,
    path: confinedPath(t.path, { what: "target", setting: `targets[${i}].path`, file: VAULT_FILE }),
  }));
}

/**
 * Every check a command makes of vault.yaml when it uses a part of it, made at once: each
 * environment's `extends` chain and env_file paths, and the targets. What an admin signs
 * must be a vault.yaml every command reads.
 *
 * @throws InvalidFile or UnsafePath naming the setting.
 */
export function checkConfig(cfg: VaultConfig): void {
  targets(cfg);
  for (const env of envNames(cfg)) {
    inheritanceChain(cfg, env);
    envFilesOf(cfg, env);
  }
}

export function variable(cfg: VaultConfig, key: string): VariableDef | undefined {
  const vars = cfg.variables ?? {};
  return Object.hasOwn(vars, key) ? (vars[key] ?? undefined) : undefined;
}

export function burnedOf(cfg: VaultConfig, key: string): Burned | undefined {
  return variable(cfg, key)?.burned;
}

const UNIT_SECONDS: Record<string, number> = { h: 3600, d: 86400, w: 7 * 86400 };

/** `90d` → seconds; the schema has already checked the spelling. */
export function durationSeconds(spec: string): number {
  return Number(spec.slice(0, -1)) * (UNIT_SECONDS[spec.slice(-1)] ?? 0);
}

/** The rotation policy of a key in an environment: the variable's own, else the environment's. */
export function rotateEvery(cfg: VaultConfig, env: string, key: string): string | undefined {
  const own = variable(cfg, key)?.rotate_every;
  // An environment's policy is about secrets; a config value rotates only when asked for itself.
  return own ?? (kindOf(cfg, key) === "config" ? undefined : cfg.environments[env]?.rotate_every);
}

/** The setting nearest to `env` along its inheritance chain (the environment's own first). */
function inherited<T>(cfg: VaultConfig, env: string, pick: (def: EnvironmentDef) => T | undefined): { value: T; from: string } | undefined {
  for (const e of inheritanceChain(cfg, env)) {
    const def = cfg.environments[e];
    const value = def == null ? undefined : pick(def);
    if (value !== undefined) return { value, from: e };
  }
  return undefined;
}

/** Whether env_file values override the environment's (files_win) or the other way round. */
export function priorityOf(cfg: VaultConfig, env: string): Priority {
  return inherited(cfg, env, (d) => d.priority)?.value ?? cfg.priority ?? "files_win";
}

/** Whether values of `env` are interpolated (`interpolate: true`, inherited through `extends`). */
export function interpolates(cfg: VaultConfig, env: string): boolean {
  return inherited(cfg, env, (d) => d.interpolate)?.value ?? false;
}

export interface EnvFileRef {
  /** Relative to the repository root, without a leading `./`. */
  path: string;
  required: boolean;
  /** Where vault.yaml lists it, for messages: `environments.test.env_file` or `env_file`. */
  setting: string;
}

/**
 * The `env_file` layers of an environment, lowest first: its own list, else the nearest
 * ancestor's, else the top-level one. A path must stay inside the repository and out of
 * `.git/`, `.envvault/` and `.envvault.local/` (UnsafePath otherwise).
 */
export function envFilesOf(cfg: VaultConfig, env: string): EnvFileRef[] {
  const own = inherited(cfg, env, (d) => d.env_file);
  const spec = own?.value ?? cfg.env_file;
  if (spec === undefined) return [];
  const setting = own === undefined ? "env_file" : `environments.${own.from}.env_file`;
  return (Array.isArray(spec) ? spec : [spec]).map((item) => {
    const entry = typeof item === "string" ? { path: item } : item;
    const path = confinedPath(entry.path, { what: "env_file", setting, file: VAULT_FILE });
    return { path, required: entry.required ?? true, setting };
  });
}

/** Names of the contexts an environment knows: its own and its ancestors'. */
export function contextNames(cfg: VaultConfig, env: string): string[] {
  return [...new Set(inheritanceChain(cfg, env).flatMap((e) => Object.keys(cfg.environments[e]?.contexts ?? {})))].sort();
}

/**
 * The values a context overrides in an environment, merged along the inheritance chain
 * (the nearest environment's value of a key wins). An unknown name is an error that lists
 * the known ones: a usage error for `--context`, an invalid file when `source` says the
 * name came from vault.yaml (a target).
 */
export function contextValues(cfg: VaultConfig, env: string, name: string, source?: string): Map<string, string> {
  const known = contextNames(cfg, env);
  if (!known.includes(name)) {
    const message = `unknown context ${JSON.stringify(name)} for environment ${env}${source === undefined ? "" : ` (${source})`}`;
    const options = {
      data: { env, context: name },
      hints: [
        known.length > 0 ? `contexts of ${env}: ${known.join(", ")}` : `${env} defines no contexts`,
        `define it in ${VAULT_FILE} under environments.${env}.contexts.${name}, e.g. \`NATS_URL: nats://nats:4222\``,
      ],
    };
    throw source === undefined ? new UsageError(message, options) : new InvalidFile(message, { ...options, data: { ...options.data, file: VAULT_FILE } });
  }
  const out = new Map<string, string>();
  for (const e of inheritanceChain(cfg, env).reverse()) {
    for (const [k, v] of Object.entries(cfg.environments[e]?.contexts?.[name] ?? {})) out.set(k, v);
  }
  return out;
}

/** Keys an environment drops from what it inherits, its ancestors' `unset` included. */
export function unsetIn(cfg: VaultConfig, env: string): Set<string> {
  return new Set(inheritanceChain(cfg, env).flatMap((e) => cfg.environments[e]?.unset ?? []));
}

/** Variables of `kind: generated`, with the spec each machine makes its value from. */
export function generatedSpecs(cfg: VaultConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, def] of Object.entries(cfg.variables ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (def?.kind === "generated") out.set(key, def.generate ?? "32");
  }
  return out;
}

/** Whether a target takes a variable: its `keys` (names or `*` patterns) and `prefix` both allow it. */
export function targetTakes(t: TargetDef, key: string): boolean {
  if (t.prefix !== undefined && !key.startsWith(t.prefix)) return false;
  if (t.keys === undefined) return true;
  return t.keys.some((k) => (k.includes("*") ? new RegExp(`^${k.replace(/\*/g, ".*")}$`).test(key) : k === key));
}
