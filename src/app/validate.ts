/** `vault validate`: every environment (or the one asked for) against the variable definitions of vault.yaml. */
import { NotARecipient } from "../errors.js";
import { contextNames, contextValues, envNames, generatedSpecs, requireEnv, unsetIn, variable, type VaultConfig } from "../model/config.js";
import { checkValue, requiredIn } from "../model/rules.js";
import { entries, readEnv } from "./read.js";
import { type Deps, openVault, optionalKeyring } from "./session.js";

/** A variable of an environment that breaks its definition. */
export interface Violation {
  env: string;
  key: string;
  problem: string;
}

/** What `vault validate` found. */
export interface Validation {
  violations: Violation[];
  /** Environments whose values could not be read, so only presence was checked. */
  unreadable: string[];
}

const definitions = (cfg: VaultConfig) => Object.entries(cfg.variables ?? {}).filter(([, d]) => d != null).sort(([a], [b]) => (a < b ? -1 : 1));

/**
 * Checks every environment (or one) against the variable definitions of vault.yaml:
 * required variables present, values of the right type, enum and pattern. Presence needs
 * no key (names are visible); a generated variable is present wherever it is not unset
 * (each machine makes its own). Value rules are checked where the reader can decrypt, and
 * on the plaintext values of every context. Every environment is checked unless one is asked
 * for (`--env`): this clone's `vault use` choice does not narrow a check of the whole vault.
 */
export async function validate(deps: Deps): Promise<Validation> {
  const vault = await openVault(deps);
  const cfg = vault.config.data;
  const only = deps.env === undefined ? undefined : requireEnv(cfg, deps.env);
  const keyring = await optionalKeyring(vault, deps);
  const out: Validation = { violations: [], unreadable: [] };
  for (const env of only === undefined ? envNames(cfg) : [only]) {
    const present = await entries(vault, env);
    const unset = unsetIn(cfg, env);
    const generated = [...generatedSpecs(cfg).keys()].filter((k) => !unset.has(k));
    for (const [key, def] of definitions(cfg)) {
      if (!def || !requiredIn(def, env)) continue;
      if (def.burned !== undefined) out.violations.push({ env, key, problem: "is burned but still required; drop `required` from its definition" });
      else if (!present.has(key) && !generated.includes(key)) out.violations.push({ env, key, problem: unset.has(key) ? "is required but unset (vault.yaml `unset`)" : "is required but not set" });
    }
    for (const context of contextNames(cfg, env)) {
      for (const [key, value] of contextValues(cfg, env, context)) {
        const def = variable(cfg, key);
        const why = def === undefined ? undefined : checkValue(def, value);
        if (why !== undefined) out.violations.push({ env, key, problem: `${why} in context ${context}` });
      }
    }
    const ruled = definitions(cfg).filter(([k, d]) => present.has(k) && d && (d.enum !== undefined || d.type !== undefined || d.pattern !== undefined));
    if (ruled.length === 0) continue;
    let values;
    try {
      if (keyring === undefined) throw new NotARecipient("no identity");
      values = await readEnv(keyring, env, ruled.map(([k]) => k));
    } catch (e) {
      if (!(e instanceof NotARecipient)) throw e;
      out.unreadable.push(env);
      continue;
    }
    for (const [key, def] of ruled) {
      const value = values.get(key)?.value;
      const why = value === undefined || !def ? undefined : checkValue(def, value);
      if (why !== undefined) out.violations.push({ env, key, problem: why });
    }
  }
  return out;
}
