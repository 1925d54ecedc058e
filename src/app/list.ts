/** `vault list`: the variables of the environment in use, with kind, scope and last change. */
import { burnedOf, type Kind, kindOf } from "../model/config.js";
import { loadState } from "../store/state.js";
import { entries, readEnv } from "./read.js";
import { chooseEnv, type Deps, keyringFor, openVault, whoAmI } from "./session.js";

export interface Variable {
  key: string;
  kind: Kind;
  burned: boolean;
  scope: string;
  /** The environment that holds it (an ancestor when inherited). */
  from: string;
  /** When its value last changed, ISO 8601 to the second. */
  changed: string;
  /** Only when revealed, or for a config variable the reader can open. */
  value: string | undefined;
}

export interface Listing {
  env: string;
  /** Sorted by key. */
  variables: Variable[];
  /** A stale `vault use` choice. */
  warnings: string[];
}

/**
 * Lists what the environment sees. Nothing is decrypted unless `reveal` asks for every value
 * or a config variable is listed (config values are shown as they are); only then is an
 * identity needed. Without read access config values stay masked like the rest, while
 * `reveal` fails.
 */
export async function listVariables(deps: Deps, o: { reveal: boolean }): Promise<Listing> {
  const vault = await openVault(deps);
  const choice = chooseEnv(vault.config.data, deps.env, await loadState(vault.root));
  const env = choice.env;
  const all = await entries(vault, env);
  const cfg = vault.config.data;
  const showConfig = [...all.keys()].some((k) => kindOf(cfg, k) === "config");
  let values = new Map<string, string>();
  if (o.reveal || showConfig) {
    const keyring = keyringFor(vault, await whoAmI(deps));
    const keys = o.reveal ? undefined : [...all.keys()].filter((k) => kindOf(cfg, k) === "config");
    try {
      values = new Map([...(await readEnv(keyring, env, keys))].map(([k, r]) => [k, r.value]));
    } catch (e) {
      if (o.reveal) throw e;
    }
  }
  const variables = [...all.values()]
    .map(({ entry }) => ({
      key: entry.key,
      kind: kindOf(cfg, entry.key),
      burned: burnedOf(cfg, entry.key) !== undefined,
      scope: entry.scope,
      from: entry.env,
      changed: new Date(entry.t * 1000).toISOString().replace(/\.000Z$/, "Z"),
      value: values.get(entry.key),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  return { env, variables, warnings: choice.stale === undefined ? [] : [choice.stale] };
}
