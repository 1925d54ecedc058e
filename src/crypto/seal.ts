/**
 * Value sealing, docs/FORMAT.md §3 "Values": ChaCha20-Poly1305 under a key derived from a
 * batch key, with the value's place (environment, scope, key name, timestamp) as
 * associated data, so a value moved anywhere else fails to open. node:crypto only: opening
 * a value costs a small fraction of an age file per value (docs/FORMAT.md §5).
 */

import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { Tampered, UsageError, VaultError } from "../errors.js";
import { decodeBase64Strict } from "./base64.js";

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const VALUE_KDF_INFO = "envvault/v1/value";
const AD_LABEL = "envvault/v1";

/** Strict: a value whose bytes are not UTF-8 was not written by envvault. */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Where a value lives; all of it is authenticated with the value. */
export interface ValuePlace {
  /** Environment name, e.g. `production`. */
  env: string;
  /** Scope of the value's batch: `<env>` or `<env>:<name>`. */
  scope: string;
  /** Variable name, e.g. `DATABASE_URL`. */
  key: string;
  /** Time of the value's last change, in Unix seconds, as written in its line. */
  t: number;
}

/** A fresh random 32-byte batch key. */
export function newBatchKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/** `VK = HKDF-SHA256(ikm = batchKey, salt = "", info = "envvault/v1/value", 32)`. */
export function deriveValueKey(batchKey: Uint8Array): Uint8Array {
  if (batchKey.length !== KEY_BYTES) {
    throw new VaultError("FAILURE", `a batch key has ${KEY_BYTES} bytes, not ${batchKey.length}`);
  }
  return new Uint8Array(hkdfSync("sha256", batchKey, new Uint8Array(0), VALUE_KDF_INFO, KEY_BYTES));
}

/**
 * The associated data of a value:
 * `"envvault/v1" 0x00 env 0x00 scope 0x00 key 0x00 decimal(t)`.
 *
 * @throws VaultError `FAILURE` when a field holds a NUL byte (the encoding would become
 *   ambiguous) or `t` is not a non-negative safe integer.
 */
export function associatedData(place: ValuePlace): Buffer {
  return Buffer.from(adPrefix(place) + adTail(place), "utf8");
}

/**
 * `"envvault/v1" 0x00 env 0x00 scope 0x00`, checked once per environment and scope: an
 * environment's values share it, so a read builds it once, not once per value.
 */
let lastPrefix: { env: string; scope: string; text: string } | undefined;
function adPrefix({ env, scope, key }: ValuePlace): string {
  if (lastPrefix !== undefined && lastPrefix.env === env && lastPrefix.scope === scope) return lastPrefix.text;
  if (env.includes("\0") || scope.includes("\0")) throw malformedPlace(env, scope, key);
  lastPrefix = { env, scope, text: `${AD_LABEL}\0${env}\0${scope}\0` };
  return lastPrefix.text;
}

/** `key 0x00 decimal(t)`. */
function adTail({ env, scope, key, t }: ValuePlace): string {
  if (key.includes("\0") || !Number.isSafeInteger(t) || t < 0) throw malformedPlace(env, scope, key);
  return `${key}\0${t}`;
}

function malformedPlace(env: string, scope: string, key: string): VaultError {
  return new VaultError("FAILURE", "a value's environment, scope, key or timestamp is malformed", { data: { env, scope, key } });
}

/**
 * Seals one value: `b64u(nonce || ciphertext || tag)`, with a random 12-byte nonce.
 *
 * @throws UsageError when the value is not well-formed Unicode (a lone surrogate, e.g. from
 *   a JSON `"\ud800"`), which UTF-8 cannot carry without changing it.
 */
export function sealValue(args: ValuePlace & { valueKey: Uint8Array; plaintext: string }): string {
  const { valueKey, plaintext } = args;
  if (/\p{Surrogate}/u.test(plaintext)) {
    throw new UsageError(`the value of ${args.key} is not valid Unicode text (it holds a lone surrogate)`, {
      data: { env: args.env, scope: args.scope, key: args.key },
    });
  }
  const ad = associatedData(args);
  const nonce = randomBytes(NONCE_BYTES);
  const message = Buffer.from(plaintext, "utf8");
  const cipher = createCipheriv("chacha20-poly1305", valueKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(ad, { plaintextLength: message.length });
  const sealed = Buffer.concat([nonce, cipher.update(message), cipher.final(), cipher.getAuthTag()]);
  message.fill(0);
  return sealed.toString("base64url");
}

/**
 * Opens one value sealed by {@link sealValue}.
 *
 * @throws Tampered (exit 4) naming the key and environment when the payload is malformed,
 *   fails authentication (modified, or moved to another key, scope, environment or
 *   timestamp, or sealed under another batch) or is not UTF-8.
 */
export function openValue(args: ValuePlace & { valueKey: Uint8Array; payload: string }): string {
  const { valueKey, payload, env, scope, key } = args;
  try {
    const ad = associatedData(args);
    const sealed = decodeBase64Strict(payload, "base64url");
    if (sealed === null || sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error("malformed payload");
    const end = sealed.length - TAG_BYTES;
    const decipher = createDecipheriv("chacha20-poly1305", valueKey, sealed.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(ad, { plaintextLength: end - NONCE_BYTES });
    decipher.setAuthTag(sealed.subarray(end));
    // A stream cipher: update() returns every byte, final() only checks the tag.
    const message = decipher.update(sealed.subarray(NONCE_BYTES, end));
    decipher.final();
    const value = utf8.decode(message);
    message.fill(0);
    return value;
  } catch (error) {
    throw new Tampered(
      `${key} in ${env} (scope ${scope}) failed its integrity check: the value was modified, ` +
        "or moved from another key, scope or environment",
      {
        data: { env, scope, key },
        cause: error,
        hints: [
          `see who changed it: git log -p -- .envvault/envs/${env}.env`,
          `restore a good version of that file, or set the value again with \`vault set ${key}\``,
        ],
      },
    );
  }
}

/** A batch's id: the first 12 lower-case hex digits of SHA-256 of its age file bytes. */
export function batchId(ageFile: Uint8Array): string {
  return createHash("sha256").update(ageFile).digest("hex").slice(0, 12);
}

/**
 * A keyed fingerprint of a value, `hex(HMAC-SHA256(key, UTF-8 value))`, for a local cache
 * that lets the pre-commit hook find secret values in staged files without decrypting.
 * Keyed, so the cache cannot be used to test guesses without the key.
 */
export function fingerprint(secretKeyMaterial: Uint8Array, value: string): string {
  return fingerprintHmac(secretKeyMaterial).update(value, "utf8").digest("hex");
}

/**
 * The first 16 bytes of {@link fingerprint} of any bytes: the pre-commit hook's table holds
 * one per spelling of each value (docs/FORMAT.md §12); 128 bits keep a match certain while
 * the table stays small enough to load on every commit.
 */
export function shortFingerprint(secretKeyMaterial: Uint8Array, bytes: Uint8Array): Buffer {
  return fingerprintHmac(secretKeyMaterial).update(bytes).digest().subarray(0, 16);
}

function fingerprintHmac(secretKeyMaterial: Uint8Array) {
  if (secretKeyMaterial.length < KEY_BYTES) {
    throw new VaultError("FAILURE", `a fingerprint key has at least ${KEY_BYTES} bytes`);
  }
  return createHmac("sha256", secretKeyMaterial);
}
