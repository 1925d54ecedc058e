/** What a name may be: environments, scopes, members and teams become file names under `.envvault/`; keys are variable names. */
import { UsageError } from "../errors.js";

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Device names Windows reserves in every directory, in any case and with any extension
 * (`nul.age` is the null device too). Environment, scope and member names become file and
 * directory names under .envvault/ (`envs/<env>.env`, `keys/<scope>/<member>.age`), so a
 * checkout there would fail or write to a device; one rule for every kind of name keeps it
 * simple. Names are lower case and hold no dot, so the bare lower-case names are all there is
 * to refuse. COM0 and LPT0 are not reserved in practice (golang/go#67245); the superscript
 * digits and `$` (CLOCK$, CONIN$) cannot occur in a name. schema/*.schema.json say the same
 * (definitions/name).
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/;

const DEVICE_HINT = "Windows reserves con, prn, aux, nul, com1-com9 and lpt1-lpt9 as device names, so no file there can have them; choose another name";

export type NameKind = "environment" | "scope" | "member" | "team";

/** True for a device name Windows reserves (`nul`, `com1`), which no name may be. */
export function isWindowsDevice(name: string): boolean {
  return WINDOWS_DEVICE.test(name);
}

/** True for names of environments, scopes, members and teams. */
export function isName(name: string): boolean {
  return NAME.test(name) && !isWindowsDevice(name);
}

/** True for POSIX environment variable names. */
export function isKey(key: string): boolean {
  return KEY.test(key);
}

export function assertName(kind: NameKind, name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`invalid ${kind} name ${JSON.stringify(name)}`, {
      hints: [`a ${kind} name is 1-64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit`],
    });
  }
  if (isWindowsDevice(name)) {
    throw new UsageError(`invalid ${kind} name ${JSON.stringify(name)}: it is a device name on Windows`, { hints: [DEVICE_HINT] });
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
  if (env === undefined || !NAME.test(env) || extra !== undefined || (name !== undefined && !NAME.test(name))) {
    throw new UsageError(`invalid scope ${JSON.stringify(scope)}`, {
      hints: ["a scope is an environment (production) or an environment and a scope name (production:payments)"],
    });
  }
  const device = [env, name].find((part) => part !== undefined && isWindowsDevice(part));
  if (device !== undefined) {
    throw new UsageError(`invalid scope ${JSON.stringify(scope)}: ${device} is a device name on Windows`, { hints: [DEVICE_HINT] });
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
