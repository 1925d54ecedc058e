/**
 * The age layer: the only module that imports `age-encryption` (typage, pinned to 0.3.1).
 * It is imported lazily on first use, because loading it is a large part of a command's
 * start-up (docs/FORMAT.md §5), which commands without crypto should not pay. typage's errors are plain `Error`s whose messages are not
 * a contract (and some quote their input), so they are mapped to {@link VaultError}s here,
 * in one place, and never copied into a message.
 */

import { createHash } from "node:crypto";
import type { Decrypter } from "age-encryption";
import { type ErrorData, NotARecipient, Tampered, UsageError, VaultError } from "../errors.js";
import { bech32Decode, isAgeRecipient } from "./bech32.js";

type AgeModule = typeof import("age-encryption");

let ageModule: Promise<AgeModule> | undefined;

function loadAge(): Promise<AgeModule> {
  ageModule ??= import("age-encryption");
  return ageModule;
}

/** The only typage failure recognisable by its message: none of our identities fits. */
const NO_MATCH = "no identity matched any of the file's recipients";
const AGE_MAGIC = Buffer.from("age-encryption.org/v1\n");
const ARMOR_BEGIN = Buffer.from("-----BEGIN AGE ENCRYPTED FILE-----");

/**
 * RFC 8410 PKCS #8 wrapping of a raw X25519 private key (the 32 key bytes follow). WebCrypto
 * imports X25519 private keys only as PKCS #8 or as a JWK, and a JWK also needs the public key.
 */
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** Whether `text` is an age X25519 recipient: `age1…`, valid checksum, a 32-byte key. */
export const isRecipient = isAgeRecipient;

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
 * Generates a new X25519 identity (`AGE-SECRET-KEY-1…`). X25519 is asked for explicitly:
 * typage's `generateIdentity` may switch to post-quantum keys, which the reference `age`
 * 1.1 CLI cannot read.
 */
export async function generateIdentity(): Promise<string> {
  return (await loadAge()).generateX25519Identity();
}

/**
 * The recipient (`age1…`) of an X25519 identity. Derived by preparing the identity (the
 * result is cached), so a reader that asks for its recipient and then decrypts with the same
 * key imports it into WebCrypto once, not twice.
 *
 * @throws VaultError `BAD_IDENTITY` when `identity` is not a valid X25519 identity.
 */
export async function identityToRecipient(identity: string): Promise<string> {
  if (!isIdentity(identity)) throw badIdentity(undefined);
  return (await prepareIdentity(identity)).recipients[0]!;
}

/**
 * One or more identities, decoded once and imported into WebCrypto as non-extractable
 * X25519 keys, for repeated decryption (about a third of the cost per file of key strings,
 * which typage re-imports for every file; measured in docs/FORMAT.md §5). Build with {@link prepareIdentity}.
 */
export class PreparedIdentity {
  /** The recipient (`age1…`) of each identity, in the order given. */
  readonly recipients: readonly string[];

  /** @internal Use {@link prepareIdentity}. */
  constructor(recipients: readonly string[]) {
    this.recipients = recipients;
  }
}

/** The typage decrypter of each prepared identity; kept off the object so it never prints. */
const decrypters = new WeakMap<PreparedIdentity, Decrypter>();

/**
 * Prepared identities by a hash of their keys, so that callers holding key strings (a
 * keyring opening one key file per scope, then that scope's batches) pay the WebCrypto
 * import once per identity, not once per file. The hash keeps the map from holding the
 * secret strings; the map is bounded, oldest entry dropped first.
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
  const age = await loadAge();
  const decrypter = new age.Decrypter();
  const recipients: string[] = [];
  for (const [index, text] of keys.entries()) {
    const bytes = identityKeyBytes(text);
    if (bytes === null) throw badIdentity(source, keys.length === 1 ? undefined : index + 1);
    const pkcs8 = Buffer.concat([PKCS8_X25519_PREFIX, bytes]);
    const key = await globalThis.crypto.subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, false, [
      "deriveBits",
    ]);
    pkcs8.fill(0);
    bytes.fill(0);
    recipients.push(await age.identityToRecipient(key));
    decrypter.addIdentity(key);
  }
  const prepared = new PreparedIdentity(recipients);
  decrypters.set(prepared, decrypter);
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
  const age = await loadAge();
  const encrypter = new age.Encrypter();
  for (const recipient of recipients) encrypter.addRecipient(recipient);
  const file = await encrypter.encrypt(data);
  return options.armor === true ? age.armor.encode(file) : file;
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
  const decrypter = decrypters.get(prepared);
  if (decrypter === undefined) throw new TypeError("PreparedIdentity must come from prepareIdentity()");
  const age = await loadAge();
  const data: ErrorData = { what: context.what, ...context.data };

  let binary: Uint8Array;
  try {
    binary = dearmor(age, file);
  } catch (error) {
    throw tampered(context.what, "its ASCII armor is malformed", data, error);
  }
  // Checked here rather than left to typage, whose error would quote the first line.
  if (!startsWith(binary, AGE_MAGIC)) throw tampered(context.what, "it is not an age file", data);

  try {
    // Given a stream, typage returns one; draining it ourselves avoids its `new Response()`
    // reader, which loads Node's fetch implementation, a start-up cost of its own.
    const input = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(binary);
        controller.close();
      },
    });
    return await drain((await decrypter.decrypt(input)) as unknown as ReadableStream<Uint8Array>);
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

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    chunks.push(value);
  }
}

function tampered(what: string, why: string, data: ErrorData, cause?: unknown): Tampered {
  return new Tampered(`${what}: integrity check failed: ${why}`, {
    data,
    cause,
    hints: ["compare it with a good version in git history (`git log -p`) and restore that version"],
  });
}

function dearmor(age: AgeModule, file: Uint8Array | string): Uint8Array {
  // latin1 keeps every byte as one character, so stray non-ASCII bytes fail the armor check.
  const text = typeof file === "string" ? file : startsWith(file, ARMOR_BEGIN) ? Buffer.from(file).toString("latin1") : undefined;
  if (text === undefined) return file as Uint8Array;
  const bytes = age.armor.decode(text);
  // The decoder ignores the unused low bits of a last base64 character, so two texts could
  // armor one file: only the canonical one is accepted, as for every encoding in the vault.
  const body = text.trim().replaceAll("\r\n", "\n").split("\n").slice(1, -1).join("");
  if (Buffer.from(bytes).toString("base64") !== body) throw new Error("non-canonical base64 in the armor");
  return bytes;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && Buffer.from(bytes.buffer, bytes.byteOffset, prefix.length).equals(prefix);
}
