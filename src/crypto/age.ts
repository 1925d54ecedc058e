/**
 * The age layer: X25519 identities and recipients, encryption and decryption of age files,
 * all on node:crypto (./agefile.ts; typage, age-encryption 0.3.1, which it replaced, serves
 * the tests as the reference to agree with, with the `age` CLI). Failures are plain `Error`s
 * whose messages are not a contract, so they are mapped to {@link VaultError}s here, in one
 * place, and never copied into a message.
 */

import { createHash, randomBytes } from "node:crypto";
import { type ErrorData, NotARecipient, Tampered, UsageError, VaultError } from "../errors.js";
import { armor, decryptAgeFile, dearmor as dearmorText, encryptAgeFile, importX25519, NO_MATCH, type X25519Key } from "./agefile.js";
import { bech32Decode, bech32Encode } from "./bech32.js";

const AGE_MAGIC = Buffer.from("age-encryption.org/v1\n");
const ARMOR_BEGIN = Buffer.from("-----BEGIN AGE ENCRYPTED FILE-----");

/** Whether `text` is an age X25519 recipient: `age1…`, valid checksum, a 32-byte key. */
export function isRecipient(text: string): boolean {
  return text.startsWith("age1") && bech32Decode(text, "age")?.length === 32;
}

/** Whether `text` is an age X25519 identity: `AGE-SECRET-KEY-1…`, valid checksum, 32 bytes. */
export function isIdentity(text: string): boolean {
  return identityKeyBytes(text) !== null;
}

function identityKeyBytes(text: string): Uint8Array | null {
  if (!text.startsWith("AGE-SECRET-KEY-1")) return null;
  const bytes = bech32Decode(text, "AGE-SECRET-KEY-");
  return bytes?.length === 32 ? bytes : null;
}

/**
 * Generates a new X25519 identity (`AGE-SECRET-KEY-1…`): 32 random bytes, as age-keygen and
 * typage make them. Always X25519: post-quantum identities cannot be read by the reference
 * `age` 1.1 CLI.
 */
export async function generateIdentity(): Promise<string> {
  const scalar = randomBytes(32);
  try {
    return bech32Encode("AGE-SECRET-KEY-", scalar);
  } finally {
    scalar.fill(0);
  }
}

/**
 * The recipient (`age1…`) of an X25519 identity.
 *
 * @throws VaultError `BAD_IDENTITY` when `identity` is not a valid X25519 identity.
 */
export async function identityToRecipient(identity: string): Promise<string> {
  const bytes = identityKeyBytes(identity);
  if (bytes === null) throw badIdentity(undefined);
  try {
    return bech32Encode("age", importX25519(bytes).publicKey);
  } finally {
    bytes.fill(0);
  }
}

/**
 * One or more identities, decoded once and imported into OpenSSL as X25519 keys, for
 * repeated decryption (docs/FORMAT.md §5). Build with {@link prepareIdentity}.
 */
export class PreparedIdentity {
  /** The recipient (`age1…`) of each identity, in the order given. */
  readonly recipients: readonly string[];

  /** @internal Use {@link prepareIdentity}. */
  constructor(recipients: readonly string[]) {
    this.recipients = recipients;
  }
}

/** The keys of each prepared identity; kept off the object so they never print. */
const preparedKeys = new WeakMap<PreparedIdentity, readonly X25519Key[]>();

/**
 * Prepared identities by a hash of their keys, so that callers holding key strings (a
 * keyring opening one key file per scope, then that scope's batches) pay the key import
 * once per identity, not once per file. The hash keeps the map from holding the secret
 * strings; the map is bounded, oldest entry dropped first.
 */
const preparedCache = new Map<string, Promise<PreparedIdentity>>();
const PREPARED_CACHE_SIZE = 64;

/**
 * Prepares identities for {@link decrypt}; the same keys give the same (cached) result.
 *
 * @param secretKeys - `AGE-SECRET-KEY-1…` strings, tried in order.
 * @param source - where they came from (an identity file, `ENVVAULT_IDENTITY`), for errors.
 * @throws VaultError `BAD_IDENTITY` naming the position of an invalid key (never its text).
 */
export function prepareIdentity(secretKeys: string | readonly string[], source = "identity"): Promise<PreparedIdentity> {
  const keys = typeof secretKeys === "string" ? [secretKeys] : secretKeys;
  const id = createHash("sha256").update(keys.join("\n")).digest("base64");
  let prepared = preparedCache.get(id);
  if (prepared === undefined) {
    prepared = importIdentities(keys, source);
    // A failure (an invalid key) must not be remembered as the answer.
    prepared.catch(() => preparedCache.delete(id));
    preparedCache.set(id, prepared);
    if (preparedCache.size > PREPARED_CACHE_SIZE) {
      preparedCache.delete(preparedCache.keys().next().value as string);
    }
  }
  return prepared;
}

async function importIdentities(keys: readonly string[], source: string): Promise<PreparedIdentity> {
  if (keys.length === 0) {
    throw new VaultError("BAD_IDENTITY", `${source}: holds no identity`, { data: { source } });
  }
  const imported: X25519Key[] = [];
  const recipients: string[] = [];
  for (const [index, text] of keys.entries()) {
    const bytes = identityKeyBytes(text);
    if (bytes === null) throw badIdentity(source, keys.length === 1 ? undefined : index + 1);
    const key = importX25519(bytes);
    bytes.fill(0);
    imported.push(key);
    recipients.push(bech32Encode("age", key.publicKey));
  }
  const prepared = new PreparedIdentity(recipients);
  preparedKeys.set(prepared, imported);
  return prepared;
}

/** An invalid identity, named by where it came from and its position, never by its text. */
function badIdentity(source: string | undefined, position?: number): VaultError {
  const subject = [source, position === undefined ? undefined : `identity number ${position}`]
    .filter((part) => part !== undefined)
    .join(": ");
  return new VaultError(
    "BAD_IDENTITY",
    `${subject === "" ? "" : `${subject}: `}not a valid age X25519 identity (AGE-SECRET-KEY-1…)`,
    {
      data: { ...(source === undefined ? {} : { source }), ...(position === undefined ? {} : { position }) },
      hints: ["an identity is the AGE-SECRET-KEY-1… line that `vault keygen` or `age-keygen` writes"],
    },
  );
}

/** Options of {@link encrypt}. */
export interface EncryptOptions {
  /** ASCII armor (`-----BEGIN AGE ENCRYPTED FILE-----`) instead of binary. */
  armor?: boolean;
  /** What is being encrypted, for error messages (e.g. "the key of production for alice"). */
  what?: string;
}

/**
 * Encrypts `data` to every recipient as one age file.
 *
 * @throws UsageError when there is no recipient or one is not a valid X25519 recipient
 *   (named by its position, never quoted: a secret key pasted by mistake must not print).
 */
export async function encrypt(
  data: Uint8Array,
  recipients: readonly string[],
  options: EncryptOptions & { armor: true },
): Promise<string>;
export async function encrypt(
  data: Uint8Array,
  recipients: readonly string[],
  options?: EncryptOptions & { armor?: false },
): Promise<Uint8Array>;
export async function encrypt(
  data: Uint8Array,
  recipients: readonly string[],
  options: EncryptOptions = {},
): Promise<Uint8Array | string> {
  const forWhat = options.what === undefined ? "" : ` for ${options.what}`;
  if (recipients.length === 0) throw new UsageError(`no recipient to encrypt${forWhat} to`);
  for (const [index, recipient] of recipients.entries()) {
    if (!isRecipient(recipient)) {
      throw new UsageError(
        `recipient ${index + 1} of ${recipients.length}${forWhat} is not a valid age X25519 recipient (age1…)`,
        {
          data: { position: index + 1 },
          hints: ["a recipient is the age1… public key that `vault whoami` or `age-keygen -y` prints"],
        },
      );
    }
  }
  const file = encryptAgeFile(data, recipients.map((r) => bech32Decode(r, "age")!));
  return options.armor === true ? armor(file) : file;
}

/** What a file being decrypted is, for error messages and error data. */
export interface DecryptContext {
  /** A description used in messages: a file path, "batch 1a2b… of production", … */
  what: string;
  /** Non-secret facts (file, env, scope, key) copied into the error's data. */
  data?: ErrorData;
}

/**
 * Decrypts an age file: a binary file, or an armored one (a string, or bytes that start
 * with the armor line, as the `age` CLI detects it).
 *
 * @throws NotARecipient (exit 3) when no identity is a recipient of the file.
 * @throws Tampered (exit 4) on any other failure — not an age file, bad armor, bad header,
 *   header MAC or payload authentication failure, truncation — with typage's error as cause.
 * @throws VaultError `BAD_IDENTITY` when an identity string is invalid.
 */
export async function decrypt(
  file: Uint8Array | string,
  identities: readonly string[] | PreparedIdentity,
  context: DecryptContext,
): Promise<Uint8Array> {
  const prepared = identities instanceof PreparedIdentity ? identities : await prepareIdentity(identities);
  const keys = preparedKeys.get(prepared);
  if (keys === undefined) throw new TypeError("PreparedIdentity must come from prepareIdentity()");
  const data: ErrorData = { what: context.what, ...context.data };

  let binary: Uint8Array;
  try {
    binary = dearmor(file);
  } catch (error) {
    throw tampered(context.what, "its ASCII armor is malformed", data, error);
  }
  // Checked here rather than by the parser, so the message never depends on the first line.
  if (!startsWith(binary, AGE_MAGIC)) throw tampered(context.what, "it is not an age file", data);

  try {
    return decryptAgeFile(binary, keys);
  } catch (error) {
    if (error instanceof Error && error.message === NO_MATCH) {
      throw new NotARecipient(`${context.what}: none of your identities is a recipient of this file`, {
        data,
        hints: [
          `your identity's recipient${prepared.recipients.length > 1 ? "s" : ""}: ${prepared.recipients.join(", ")}`,
          "ask a member who can read it to give you access (`vault grant`), or use another identity (`--identity FILE`)",
        ],
      });
    }
    throw tampered(context.what, "it is corrupt or was modified", data, error);
  }
}

function tampered(what: string, why: string, data: ErrorData, cause?: unknown): Tampered {
  return new Tampered(`${what}: integrity check failed: ${why}`, {
    data,
    cause,
    hints: ["compare it with a good version in git history (`git log -p`) and restore that version"],
  });
}

function dearmor(file: Uint8Array | string): Uint8Array {
  if (typeof file === "string") return dearmorText(file);
  // latin1 keeps every byte as one character, so stray non-ASCII bytes fail the armor check.
  if (startsWith(file, ARMOR_BEGIN)) return dearmorText(Buffer.from(file).toString("latin1"));
  return file;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && Buffer.from(bytes.buffer, bytes.byteOffset, prefix.length).equals(prefix);
}
