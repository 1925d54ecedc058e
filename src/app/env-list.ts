/** `vault env list`: the environments of the vault, which one is in use, and which the reader can open. */
import { envNames } from "../model/config.js";
import { loadState } from "../store/state.js";
import { chooseEnv, type Deps, openVault, optionalKeyring } from "./session.js";

export interface EnvironmentRow {
  env: string;
  extends: string | null;
  /** Variables its own file holds (inherited ones not counted). */
  variables: number;
  /** The reader can open its own scope; false without an identity (write-only). */
  readable: boolean;
  /** The environment commands work on here (app/session.ts chooseEnv). */
  inUse: boolean;
}

/** Lists every environment, sorted by name; an identity is not needed. */
export async function listEnvironments(deps: Deps): Promise<{ environments: EnvironmentRow[]; warnings: string[] }> {
  const vault = await openVault(deps);
  const cfg = vault.config.data;
  const choice = chooseEnv(cfg, deps.env, await loadState(vault.root));
  const keyring = await optionalKeyring(vault, deps);
  const environments: EnvironmentRow[] = [];
  for (const name of envNames(cfg)) {
    const file = await vault.envFile(name);
    environments.push({
      env: name,
      extends: cfg.environments[name]?.extends ?? null,
      variables: file.values.size,
      readable: keyring === undefined ? false : await keyring.canRead(file, name),
      inUse: choice.env === name,
    });
  }
  return { environments, warnings: choice.stale === undefined ? [] : [choice.stale] };
}
