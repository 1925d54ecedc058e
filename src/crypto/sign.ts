/**
 * Signatures of writers, docs/FORMAT.md §4: an Ed25519 key pair derived from each age
 * identity (so a member keeps one secret), node:crypto's Ed25519 for signing and verifying,
 * and the keyed MACs of this clone's trust caches. No key material leaves this module but
 * the public key text.
 */
import { createHmac, createPrivateKey, createPublicKey, createHash, hkdfSync, type KeyObject, sign, verify } from "node:crypto";
import { VaultError } from "../errors.js";
import { decodeBase64Strict } from "./base64.js";
import { bech32Decode } from "./bech32.js";

const SIGNING_INFO = "envvault/v2/signing-key";
/** Prefix of a signing key's text: `ed25519:` + base64url of the 32 public bytes. */
export const SIGNING_KEY_PREFIX = "ed25519:";

/**
 * RFC 8410 DER prefixes: node:crypto imports a raw Ed25519 seed only as PKCS #8, a raw public
 * key only as SPKI.
 */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

/** The 32 secret bytes of an X25519 age identity. */
function identityBytes(identity: string): Uint8Array {
  const bytes = identity.startsWith("AGE-SECRET-KEY-1") ? bech32Decode(identity, "AGE-SECRET-KEY-") : null;
  if (bytes?.length !== 32) throw new VaultError("BAD_IDENTITY", "not an age X25519 identity", { hints: ["use the AGE-SECRET-KEY-1… line `vault keygen` or `age-keygen` wrote"] });
  return bytes;
}

/** A 32-byte key derived from an identity for one purpose (`info`), never stored. */
export function deriveFromIdentity(identity: string, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", identityBytes(identity), new Uint8Array(0), info, 32));
}

/** A member's signing key, derived from one identity. `publicKey` is its `ed25519:…` text. */
export interface Signer {
  readonly publicKey: string;
  sign(message: Uint8Array): Uint8Array;
}

const signers = new Map<string, Signer>();

/** The signing key of an identity (cached per identity for the process). */
export function signerFor(identity: string): Signer {
  let s = signers.get(identity);
  if (s === undefined) {
    const seed = deriveFromIdentity(identity, SIGNING_INFO);
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
    seed.fill(0);
    const raw = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_ED25519.length);
    const publicKey = SIGNING_KEY_PREFIX + Buffer.from(raw).toString("base64url");
    s = { publicKey, sign: (message) => new Uint8Array(sign(null, message, key)) };
    signers.set(identity, s);
  }
  return s;
}

/** Whether `text` is a signing key: `ed25519:` and 43 canonical base64url characters (32 bytes). */
export function isSigningKey(text: string): boolean {
  return publicBytes(text) !== null;
}

function publicBytes(text: string): Uint8Array | null {
  if (!text.startsWith(SIGNING_KEY_PREFIX)) return null;
  const bytes = decodeBase64Strict(text.slice(SIGNING_KEY_PREFIX.length), "base64url");
  return bytes?.length === 32 ? bytes : null;
}

const publicKeys = new Map<string, KeyObject | null>();

function publicKeyObject(text: string): KeyObject | null {
  let k = publicKeys.get(text);
  if (k === undefined) {
    const raw = publicBytes(text);
    try {
      k = raw === null ? null : createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: "der", type: "spki" });
    } catch {
      k = null; // not a point on the curve
    }
    publicKeys.set(text, k);
  }
  return k;
}

/** Whether `signature` is `publicKey`'s over `message`; false for a malformed key or signature. */
export function verifySignature(publicKey: string, message: Uint8Array, signature: Uint8Array): boolean {
  const key = publicKeyObject(publicKey);
  if (key === null || signature.length !== 64) return false;
  return verify(null, message, key, signature);
}

/** Hex SHA-256, for the hashes of files, links and records the trust cache remembers. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Hex HMAC-SHA256 of `text` under a key from {@link deriveFromIdentity}. */
export function macHex(key: Uint8Array, text: string): string {
  return createHmac("sha256", key).update(text, "utf8").digest("hex");
}
