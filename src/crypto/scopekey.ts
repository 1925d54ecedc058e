/**
 * Scope keys and batch keys, docs/FORMAT.md §2 and §3 "Batches": a scope's private key is
 * an age file per member with read access; a batch key is an age file to the scope's
 * recipient. Both are checked against what the environment file says they must be.
 */

import { NotARecipient, Tampered } from "../errors.js";
import { PreparedIdentity, decrypt, encrypt, generateIdentity, identityToRecipient, prepareIdentity } from "./age.js";
import { decodeBase64Strict } from "./base64.js";
import { parseIdentityFile } from "./identity.js";
import { batchId } from "./seal.js";

const BATCH_KEY_BYTES = 32;

/** Strict: a key file whose plaintext is not UTF-8 was not written by envvault. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A scope's X25519 key pair. */
export interface ScopeKey {
  /** `<env>` or `<env>:<name>`. */
  scope: string;
  /** `AGE-SECRET-KEY-1…`. */
  identity: string;
  /** `age1…`, written in the `#@scope` line. */
  recipient: string;
}

/** Draws a new key pair for a scope (on creation and on rotation). */
export async function newScopeKey(scope: string): Promise<ScopeKey> {
  const identity = await generateIdentity();
  return { scope, identity, recipient: await identityToRecipient(identity) };
}

/**
 * A scope key file for one member: an armored age file to all of the member's recipients,
 * whose plaintext is
 * `# envvault scope key: <scope>\n# public key: <recipient>\n<identity>\n`
 * (age-keygen's layout, so `age -d -i` prints an identity the `age` CLI accepts).
 *
 * @throws UsageError when a member recipient is invalid (named by position).
 */
export async function wrapScopeKey(key: ScopeKey, memberRecipients: readonly string[]): Promise<string> {
  const text = `# envvault scope key: ${key.scope}\n# public key: ${key.recipient}\n${key.identity}\n`;
  const plaintext = Buffer.from(text, "utf8");
  try {
    return await encrypt(plaintext, memberRecipients, { armor: true, what: `the key of scope ${key.scope}` });
  } finally {
    plaintext.fill(0);
  }
}

/** Where a scope key file belongs, to check it and to name it in errors. */
export interface ScopeKeyContext {
  scope: string;
  /** The scope's recipient from the environment file's `#@scope` line. */
  expectedRecipient: string;
  /** The key file's path, e.g. `.envvault/keys/production/alice.age`. */
  file: string;
}

/**
 * Opens a scope key file and returns the scope's identity (`AGE-SECRET-KEY-1…`).
 *
 * @throws NotARecipient (exit 3) when none of `myIdentities` can open the file.
 * @throws Tampered (exit 4) when the file is damaged, does not hold exactly one identity,
 *   or holds the key of another scope (its public key is not `expectedRecipient`).
 */
export async function unwrapScopeKey(
  armored: string | Uint8Array,
  myIdentities: readonly string[] | PreparedIdentity,
  context: ScopeKeyContext,
): Promise<string> {
  const { scope, expectedRecipient, file } = context;
  const data = { file, scope };
  const plaintext = await decrypt(armored, myIdentities, { what: file, data });
  let identity: string | undefined;
  // The comment is not checked (docs/FORMAT.md §2); it only tells an older key of this scope from another scope's.
  let named: string | undefined;
  try {
    const text = utf8.decode(plaintext);
    named = /^# envvault scope key: (\S+)\r?$/m.exec(text)?.[1];
    const identities = parseIdentityFile(text, file);
    if (identities.length === 1) identity = identities[0];
  } catch {
    // Mapped below; the parse error would name a line of a secret-bearing file for nothing.
  } finally {
    plaintext.fill(0);
  }
  if (identity === undefined) {
    throw new Tampered(`${file}: integrity check failed: it does not hold one scope key`, {
      data,
      hints: ["restore the key file from git history, or ask a member who can read the scope to re-grant you"],
    });
  }
  const recipient = (await prepareIdentity(identity, file)).recipients[0];
  if (recipient !== expectedRecipient && named === scope) {
    throw new Tampered(`${file}: it holds a key scope ${scope} no longer has (its public key is not the #@scope line's): it was written before the scope was rotated, and merged with that rotation`, {
      data,
      hints: [`a member who reads ${scope} runs \`vault rotate --scope ${scope}\`, which wraps the current key for every reader again`, "`vault check` lists every key file in this state"],
    });
  }
  if (recipient !== expectedRecipient) {
    throw new Tampered(
      `${file}: integrity check failed: it holds the key of another scope than ${scope} ` +
        "(its public key differs from the #@scope line of the environment file)",
      {
        data,
        hints: ["a key file or a #@scope line was swapped or edited; restore both from git history"],
      },
    );
  }
  return identity;
}

/** A batch as stored in a `#@batch` line. */
export interface WrappedBatchKey {
  /** First 12 hex digits of SHA-256 of the age file. */
  id: string;
  /** Standard base64 (with padding) of the binary age file. */
  b64: string;
}

/** Encrypts a batch key to the scope's recipient only (a binary age file). */
export async function wrapBatchKey(batchKey: Uint8Array, scopeRecipient: string): Promise<WrappedBatchKey> {
  const file = await encrypt(batchKey, [scopeRecipient], { what: "a batch key" });
  return { id: batchId(file), b64: Buffer.from(file).toString("base64") };
}

/**
 * Opens a batch with its scope's identity and returns the 32-byte batch key.
 *
 * @param scopeIdentity - the scope identity from {@link unwrapScopeKey}, or prepared once
 *   with `prepareIdentity` when opening many batches.
 * @throws Tampered (exit 4) when the base64 is not canonical, the id does not match the
 *   bytes, the file is damaged, it is not encrypted to this scope (a batch moved from
 *   another scope: the reader holds the scope key, so this is not an access problem), or
 *   it does not hold exactly 32 bytes.
 */
export async function unwrapBatchKey(
  b64: string,
  id: string,
  scopeIdentity: string | PreparedIdentity,
  context: { env: string; scope: string },
): Promise<Uint8Array> {
  const { env, scope } = context;
  const what = `batch ${id} of scope ${scope} in ${env}`;
  const data = { env, scope, batch: id };
  const fail = (why: string, cause?: unknown) =>
    new Tampered(`${what}: integrity check failed: ${why}`, {
      data,
      cause,
      hints: [`see who changed it: git log -p -- .envvault/envs/${env}.env; restore a good version of that file`],
    });

  const file = decodeBase64Strict(b64, "base64");
  if (file === null) throw fail("it is not valid base64");
  if (batchId(file) !== id) throw fail("its id does not match its content");
  let batchKey: Uint8Array;
  try {
    batchKey = await decrypt(file, typeof scopeIdentity === "string" ? [scopeIdentity] : scopeIdentity, { what, data });
  } catch (error) {
    if (error instanceof NotARecipient) throw fail("it is not encrypted to this scope's key", error);
    throw error;
  }
  if (batchKey.length !== BATCH_KEY_BYTES) {
    batchKey.fill(0);
    throw fail(`it holds ${batchKey.length} bytes, not ${BATCH_KEY_BYTES}`);
  }
  return batchKey;
}
