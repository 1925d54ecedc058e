/** `vault get`: one value of the environment in use, as stored. */
import { VaultError } from "../errors.js";
import { readEnv } from "./read.js";
import { type Deps, openReading } from "./session.js";

export interface Got {
  env: string;
  key: string;
  value: string;
  scope: string;
  /** The environment that holds it (an ancestor when inherited). */
  from: string;
  /** A stale `vault use` choice. */
  warnings: string[];
}

/**
 * Opens `key` as the environment sees it, inherited values included.
 *
 * @throws VaultError NOT_FOUND when the environment has no such variable.
 */
export async function getValue(deps: Deps, o: { key: string }): Promise<Got> {
  const reading = await openReading(deps);
  const { env } = reading;
  const found = (await readEnv(reading.keyring, env, [o.key])).get(o.key);
  if (found === undefined) {
    throw new VaultError("NOT_FOUND", `${env} has no variable ${o.key}`, {
      data: { key: o.key, env },
      hints: ["`vault list` shows the variables of an environment", `\`vault set ${o.key}\` adds it`],
    });
  }
  return { env, key: o.key, value: found.value, scope: found.scope, from: found.env, warnings: reading.warnings };
}
