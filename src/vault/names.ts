import { UsageError } from "../errors.js";

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type NameKind = "environment" | "scope" | "member" | "team";

/** True for names of environments, scopes, members and teams. */
export function isName(name: string): boolean {
  return NAME.test(name);
}

/** True for POSIX environment variable names. */
export function isKey(key: string): boolean {
  return KEY.test(key);
}

export function assertName(kind: NameKind, name: string): string {
  if (!isName(name)) {
    throw new UsageError(`invalid ${kind} name ${JSON.stringify(name)}`, {
      hints: [`a ${kind} name is 1-64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit`],
    });
  }
  return name;
}

export function assertKey(key: string): string {
  if (!isKey(key)) {
    throw new UsageError(`invalid variable name ${JSON.stringify(key)}`, {
      data: { key },
      hints: ["a variable name matches [A-Za-z_][A-Za-z0-9_]* (POSIX), e.g. DATABASE_URL"],
    });
  }
  return key;
}

/** A scope is `<env>` (the environment's default scope) or `<env>:<name>`. */
export interface ScopeName {
  env: string;
  name?: string;
}

export function parseScope(scope: string): ScopeName {
  const [env, name, extra] = scope.split(":");
  if (env === undefined || !isName(env) || extra !== undefined || (name !== undefined && !isName(name))) {
    throw new UsageError(`invalid scope ${JSON.stringify(scope)}`, {
      hints: ["a scope is an environment (production) or an environment and a scope name (production:payments)"],
    });
  }
  return name === undefined ? { env } : { env, name };
}

export function scopeId(scope: ScopeName): string {
  return scope.name === undefined ? scope.env : `${scope.env}:${scope.name}`;
}

/** Directory under `.envvault/keys/` holding a scope's key files. */
export function scopeKeyDir(scope: string): string {
  const s = parseScope(scope);
  return s.name === undefined ? s.env : `${s.env}.${s.name}`;
}
