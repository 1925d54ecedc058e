import { InvalidFile, UsageError } from "../errors.js";

export type Kind = "secret" | "config" | "generated";

export interface EnvironmentDef {
  description?: string;
  extends?: string;
  rotate_every?: string;
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
}

/** The data of `.envvault/vault.yaml` (schema/vault.schema.json). */
export interface VaultConfig {
  version: 1;
  default_env?: string;
  environments: Record<string, EnvironmentDef | null>;
  variables?: Record<string, VariableDef | null>;
  targets?: TargetDef[];
}

export const VAULT_FILE = ".envvault/vault.yaml";
export const DEFAULT_TARGET = ".env";

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

export function targets(cfg: VaultConfig): TargetDef[] {
  return cfg.targets ?? [{ path: DEFAULT_TARGET }];
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
