/**
 * Keys that change hands: key files for new readers, new key pairs for scopes whose readers
 * changed (every value sealed again), and the record of what a member who lost access saw.
 */
import { NotARecipient, UsageError } from "../errors.js";
import { deriveValueKey, newBatchKey, openValue, sealValue } from "../crypto/seal.js";
import { wrapBatchKey, wrapScopeKey } from "../crypto/scopekey.js";
import { type Exposure, kindOf } from "../model/config.js";
import { type EnvFile, printEnvFile, pruneBatches } from "../model/envfile.js";
import { parseScope } from "../model/names.js";
import { readersOf, type Roster, ROSTER_FILE } from "../model/roster.js";
import type { YamlFile } from "../model/yamlfile.js";
import { updateExposures } from "../store/exposures.js";
import { type SeenValue, valuesSeenBy } from "../store/exposure-history.js";
import { findGitRoot } from "../store/root.js";
import type { Keyring } from "../store/keyring.js";
import type { Changes } from "../store/transaction.js";
import { Vault } from "../store/vault.js";
import { allScopes, createScopeKey, keysIn, recipientsOf, requireScope } from "./scopes.js";

async function mustRead(keyring: Keyring, file: EnvFile, scope: string, why: string): Promise<string> {
  try {
    return await keyring.scopeIdentity(file, scope);
  } catch (e) {
    if (!(e instanceof NotARecipient)) throw e;
    throw new NotARecipient(`you cannot read scope ${scope}, so you cannot ${why}`, {
      data: { scope },
      hints: [`ask a member who can read ${scope} to do it (\`vault access\` shows who)`],
      cause: e,
    });
  }
}

/**
 * Key files for members the roster lets read `scope` but who hold none yet. Needs read
 * access to the scope: its private key is wrapped again for them.
 */
export async function wrapForReaders(vault: Vault, keyring: Keyring, roster: Roster, scope: string): Promise<{ changes: Changes; added: string[] }> {
  const file = await requireScope(vault, scope);
  const holders = new Set(await vault.keyHolders(scope));
  const missing = readersOf(roster, scope).filter((m) => !holders.has(m));
  const changes: Changes = new Map();
  if (missing.length === 0) return { changes, added: [] };
  const identity = await mustRead(keyring, file, scope, "give others access to it");
  const recipient = file.scopes.get(scope) ?? "";
  for (const m of missing) {
    changes.set(Vault.keyPath(scope, m), await wrapScopeKey({ scope, identity, recipient }, roster.members[m]?.recipients ?? []));
  }
  return { changes, added: missing };
}

/**
 * New key pairs for `scopes`: every value of those scopes is opened with the old key and
 * sealed under a batch of the new one (its change time kept), the new private key is wrapped
 * for exactly the readers `roster` names, and every other key file of the scope is deleted.
 * All of it is returned as one set of changes, to be committed at once.
 */
export async function rotateScopes(vault: Vault, keyring: Keyring, roster: Roster, scopes: readonly string[]): Promise<Changes> {
  const changes: Changes = new Map();
  const byEnv = new Map<string, string[]>();
  for (const scope of [...new Set(scopes)].sort()) {
    await requireScope(vault, scope);
    const readers = readersOf(roster, scope);
    if (readers.length === 0) {
      throw new UsageError(`nobody would be able to read scope ${scope} any more`, {
        data: { scope },
        hints: [`grant it to someone who stays first: \`vault grant MEMBER ${scope}\``],
      });
    }
    const env = parseScope(scope).env;
    byEnv.set(env, [...(byEnv.get(env) ?? []), scope]);
  }
  for (const [env, envScopes] of byEnv) {
    const file = await vault.envFile(env);
    const values = new Map(file.values);
    const batches = new Map(file.batches);
    const recipients = new Map(file.scopes);
    for (const scope of envScopes) {
      await mustRead(keyring, file, scope, "rotate it");
      const inScope = keysIn(file, scope);
      const plain = new Map<string, string>();
      for (const key of inScope) {
        const v = file.values.get(key)!;
        const vk = await keyring.valueKey(file, v.batch, key);
        plain.set(key, openValue({ valueKey: vk, env, scope, key, t: v.t, payload: v.payload }));
      }
      const readers = readersOf(roster, scope);
      const fresh = await createScopeKey(scope, recipientsOf(roster, readers));
      recipients.set(scope, fresh.recipient);
      for (const [id, b] of file.batches) if (b.scope === scope) batches.delete(id);
      if (inScope.length > 0) {
        const batchKey = newBatchKey();
        const wrapped = await wrapBatchKey(batchKey, fresh.recipient);
        batches.set(wrapped.id, { scope, age: wrapped.b64 });
        const valueKey = deriveValueKey(batchKey);
        for (const key of inScope) {
          const t = file.values.get(key)!.t;
          values.set(key, { batch: wrapped.id, t, payload: sealValue({ valueKey, env, scope, key, t, plaintext: plain.get(key)! }) });
        }
      }
      for (const [path, text] of fresh.files) changes.set(path, text);
      for (const holder of await vault.keyHolders(scope)) {
        if (!readers.includes(holder)) changes.set(Vault.keyPath(scope, holder), null);
      }
    }
    changes.set(Vault.envPath(env), printEnvFile(pruneBatches({ ...file, scopes: recipients, values, batches })));
  }
  return changes;
}

/** Scopes a member can read: by the roster, or by a key file they hold. */
export async function readableBy(vault: Vault, member: string): Promise<string[]> {
  const out: string[] = [];
  for (const scope of await allScopes(vault)) {
    if (readersOf(vault.roster.data, scope).includes(member) || (await vault.keyHolders(scope)).includes(member)) out.push(scope);
  }
  return out;
}

/**
 * Exposure records: every secret of `scopes` as it is now, seen by `member`. `config` values
 * are not secrets, so there is nothing to change at a provider for them.
 */
async function exposures(vault: Vault, member: string, scopes: readonly string[], since: string): Promise<Exposure[]> {
  const out: Exposure[] = [];
  for (const scope of scopes) {
    const env = parseScope(scope).env;
    const file = await vault.envFile(env);
    for (const key of keysIn(file, scope)) {
      if (kindOf(vault.config.data, key) !== "config") out.push({ env, key, to: member, since, t: file.values.get(key)!.t });
    }
  }
  return out;
}

/**
 * Takes access away: the new `roster` is written, `scopes` get new keys for the readers it
 * leaves, and what each of `losing` could read is recorded in exposed.json (`vault check`
 * reports it until the value changes). Offboarding and `vault revoke` both end here.
 */
export async function rotateAway(
  vault: Vault,
  keyring: Keyring,
  roster: YamlFile<Roster>,
  scopes: readonly string[],
  losing: readonly string[],
  since: string,
): Promise<{ changes: Changes; exposed: Exposure[]; earlier: EarlierValue[] }> {
  const changes = await rotateScopes(vault, keyring, roster.data, scopes);
  const exposed = (await Promise.all(losing.map((m) => exposures(vault, m, scopes, since)))).flat();
  const earlier = (await Promise.all(losing.map((m) => earlierValues(vault, m, exposed)))).flat().filter((e) => scopes.includes(e.scope));
  // Recorded until changed: what this branch has not changed since (a removed key, another branch's version).
  const recorded = await Promise.all(earlier.map(async (e) => ((await vault.envFile(e.env).catch(() => undefined))?.values.get(e.key)?.t ?? -1) <= e.t));
  const fromHistory = earlier.filter((_, i) => recorded[i]).map((e): Exposure => ({ env: e.env, key: e.key, to: e.to, since, t: e.t }));
  await updateExposures(vault, changes, [...exposed, ...fromHistory]);
  changes.set(ROSTER_FILE, String(roster.doc));
  return { changes, exposed, earlier };
}

/** A value a member who loses access could read at some commit of history, other than the current ones. */
export interface EarlierValue extends SeenValue {
  to: string;
}

/**
 * What `member` could read anywhere in history (store/exposure-history.ts) beyond the values
 * of `current`: older versions, keys removed since, other branches' keys. Secrets only.
 */
async function earlierValues(vault: Vault, member: string, current: readonly Exposure[]): Promise<EarlierValue[]> {
  const top = findGitRoot(vault.root);
  if (top === undefined || top !== vault.root) return [];
  const now = new Set(current.filter((e) => e.to === member).map((e) => `${e.env}\0${e.key}\0${e.t}`));
  return (await valuesSeenBy(top, member))
    .filter((s) => kindOf(vault.config.data, s.key) !== "config" && !now.has(`${s.env}\0${s.key}\0${s.t}`))
    .map((s) => ({ ...s, to: member }));
}
