/** `vault rotate KEY…`: new values for variables, sealed in the environment in use or, for generated ones, made again on this clone. */
import { UsageError } from "../errors.js";
import { generateValue } from "../crypto/generate.js";
import { nowSeconds } from "../io/seams.js";
import { generatedSpecs, kindOf, VAULT_FILE } from "../model/config.js";
import { printEnvFile } from "../model/envfile.js";
import { stillExposed, updateExposures } from "../store/exposures.js";
import { regenerate } from "../store/generated.js";
import { loadState } from "../store/state.js";
import { type Changes, transaction } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import { chooseEnv, type Deps, keyringFor, openVault, whoAmI, signingFor } from "./session.js";
import { applyUpdates } from "./write.js";

/** The KEYs of `vault rotate KEY…` and where their new values come from. */
export interface RotateValuesInput {
  keys: readonly string[];
  /** `--generate [SPEC]`: new values made from SPEC ("" for the default). */
  generate?: string;
  /** `--stdin`: the new value of the one KEY comes from standard input. */
  stdin: boolean;
  /**
   * The new value of a stored KEY when none is generated: read from standard input or asked
   * for. Called before the vault is locked, once per key; it may throw to say there is none.
   */
  newValue: (key: string) => Promise<string>;
}

/** What got a new value, and where. */
export interface RotatedValues {
  env: string;
  /** Stored keys given a value that differs from the old one. */
  rotated: string[];
  /** Stored keys given the value they had. */
  unchanged: string[];
  /** Generated keys made again in this clone's local state (the next unlock writes them). */
  generated: string[];
  warnings: string[];
}

/**
 * A `kind: generated` variable the environment does not store (the usual case) lives in this
 * clone's local state only: it gets a new value there from its vault.yaml spec, and the next
 * unlock writes it into the targets. Every other key must be stored in the environment; all
 * new values are had before the one transaction that seals them.
 */
export async function rotateValues(deps: Deps, o: RotateValuesInput): Promise<RotatedValues> {
  const me = await whoAmI(deps);
  const before = await openVault(deps);
  const cfg = before.config.data;
  const choice = chooseEnv(cfg, deps.env, await loadState(before.root));
  const env = choice.env;
  const stored = (await before.envFile(env)).values;
  const local = o.keys.filter((k) => kindOf(cfg, k) === "generated" && !stored.has(k));
  const sealed = o.keys.filter((k) => !local.includes(k));
  const specs = generatedSpecs(cfg);
  for (const key of local) {
    if (o.stdin) throw new UsageError(`${key} is generated on each machine; it takes no value from --stdin`, { data: { key }, hints: [`\`vault rotate ${key}\` makes a new one`] });
    if (o.generate !== undefined && o.generate !== "" && o.generate !== specs.get(key)) {
      throw new UsageError(`${key} is generated from its spec in ${VAULT_FILE} (${specs.get(key) ?? "32"}), not from --generate ${o.generate}`, {
        data: { key },
        hints: [`change \`generate:\` of ${key} in ${VAULT_FILE} to make values another way`],
      });
    }
  }
  if (o.stdin && sealed.length !== 1) throw new UsageError("--stdin gives the new value of exactly one KEY");
  const values = new Map<string, string>();
  for (const key of sealed) values.set(key, o.generate !== undefined ? generateValue(o.generate === "" ? undefined : o.generate) : await o.newValue(key));
  const written =
    sealed.length === 0
      ? { rotated: [], unchanged: [] }
      : await transaction(before.root, await signingFor(deps), async (vault) => {
          const file = await vault.envFile(env);
          for (const key of sealed) {
            if (!file.values.has(key)) throw new UsageError(`${env} has no variable ${key} to rotate`, { data: { key, env }, hints: ["`vault set KEY` adds one"] });
          }
          const w = await applyUpdates(keyringFor(vault, me), file, sealed.map((key) => ({ key, value: values.get(key) ?? "" })), [], nowSeconds(deps.processEnv));
          const changes: Changes = new Map([[Vault.envPath(env), printEnvFile(w.file)]]);
          await updateExposures(vault, changes, [], stillExposed(w.file.values, env));
          return { changes, result: { rotated: [...w.changed], unchanged: w.unchanged } };
        });
  if (local.length > 0) await regenerate(before.root, cfg, local);
  return { env, ...written, generated: local, warnings: choice.stale === undefined ? [] : [choice.stale] };
}
