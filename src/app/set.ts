/** `vault set`: values the person gives, sealed into the environment in use (settling a merge's conflicts on exactly those keys). */
import { nowSeconds } from "../io/seams.js";
import { burnedOf, type Kind, kindOf } from "../model/config.js";
import { findVaultRoot } from "../store/root.js";
import { loadState } from "../store/state.js";
import { committedSources } from "../store/at.js";
import { committedLeaves, writerFor } from "../store/signing.js";
import { type Changes, transaction } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import { refreshAfterWrite } from "./fingerprints.js";
import { chooseEnv, type Deps, optionalKeyring, signingFor } from "./session.js";
import { envFileForSet, signSettledSet } from "./settle.js";
import { applyUpdates, writtenChanges } from "./write.js";

export interface SetInput {
  /** The values, each key once; asked for only once the vault is found, so that nobody types a secret for nothing. */
  values: () => Promise<readonly { key: string; value: string }[]>;
  /** `--scope`: a scope of the environment (`payments`), or one named in full (`production:payments`). */
  scope?: string;
  /** `--kind`: recorded in vault.yaml for every key given. */
  kind?: Kind;
}

export interface SetResult {
  env: string;
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Keys given that are burned: stored, but unlock and run keep leaving them out. */
  burned: string[];
  /** Keys given whose kind is secret (`kind` counted), so a caller can warn where they came from. */
  secrets: string[];
  /** A stale `vault use` choice; a fingerprint cache left as it was. */
  warnings: string[];
}

/**
 * Seals the values under the repository lock; a member without an identity seals them
 * write-only. The pre-commit hook's fingerprint cache learns them from here, since such a
 * member could not open them again.
 */
export async function setValues(deps: Deps, o: SetInput): Promise<SetResult> {
  const root = findVaultRoot(deps.cwd);
  const values = await o.values();
  const keys = values.map((v) => v.key);
  const signing = await signingFor(deps);
  const result = await transaction(root, signing, async (vault) => {
    const cfg = vault.config.data;
    const choice = chooseEnv(cfg, deps.env, await loadState(root));
    const env = choice.env;
    const keyring = await optionalKeyring(vault, deps);
    const base = await envFileForSet(vault, env, keys);
    // --scope payments means the payments scope of this environment.
    const scope = o.scope === undefined || o.scope.includes(":") ? o.scope : `${env}:${o.scope}`;
    const now = nowSeconds(deps.processEnv);
    const written = await applyUpdates(keyring, base.file, values.map((v) => ({ ...v, ...(scope === undefined ? {} : { scope }) })), [], now);
    const changes = await writtenChanges(vault, written);
    const signed: Changes = new Map();
    if (base.settled.length > 0) {
      const path = Vault.envPath(env);
      const writer = writerFor(vault.roster.data, signing.identities, signing.recipients);
      const committed = await committedLeaves(await committedSources(root), path, env);
      signed.set(path, signSettledSet(base, written.file, vault.roster.data, writer, now, committed));
      changes.delete(path);
    }
    const config = o.kind === undefined ? undefined : withKind(vault, keys, o.kind);
    if (config !== undefined) changes.set(vault.config.file, config);
    return {
      changes,
      signed,
      result: {
        env,
        added: written.added,
        changed: written.changed,
        unchanged: written.unchanged,
        burned: keys.filter((k) => burnedOf(cfg, k) !== undefined),
        secrets: keys.filter((k) => (o.kind ?? kindOf(cfg, k)) === "secret"),
        warnings: choice.stale === undefined ? [] : [choice.stale],
      },
    };
  });
  const known = new Map([[result.env, new Map(values.map((v) => [v.key, v.value]))]]);
  result.warnings.push(...(await refreshAfterWrite(root, deps, known)));
  return result;
}

/** vault.yaml with `kind` recorded for `keys`, keeping its comments; undefined when it already says so. */
function withKind(vault: Vault, keys: readonly string[], kind: Kind): string | undefined {
  const doc = vault.config.doc;
  let changed = false;
  for (const key of keys) {
    if (kindOf(vault.config.data, key) === kind && vault.config.data.variables?.[key]?.kind !== undefined) continue;
    if (!doc.hasIn(["variables"]) || doc.getIn(["variables"]) === null) doc.setIn(["variables"], doc.createNode({}));
    if (doc.getIn(["variables", key]) == null) doc.setIn(["variables", key], doc.createNode({}));
    doc.setIn(["variables", key, "kind"], kind);
    changed = true;
  }
  return changed ? String(doc) : undefined;
}
