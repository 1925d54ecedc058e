/**
 * age files (age-encryption.org/v1) with node:crypto alone: X25519 recipients, binary or
 * ASCII-armored. The read path of every command (`export`, `run`, `unlock`, `get`) opens a
 * scope key file and a few batch keys, and writers wrap a key per member; doing that here
 * instead of in typage saves importing and compiling age-encryption and @noble (≈ 20 ms per
 * command) and the web streams it works through, and each X25519 operation runs in OpenSSL
 * (typage imports every ephemeral key into WebCrypto: ≈ 1 ms per recipient).
 *
 * Reading mirrors typage 0.3.1 (what it accepts, what it rejects, which failure is "no
 * identity matched"), so that swapping the implementation changes no error a user sees;
 * writing produces what typage produces (one X25519 stanza per recipient, in order, no
 * grease). test/unit/crypto/agefile.test.ts checks both directions against typage, and
 * interop.test.ts against the reference `age` CLI.
 *
 * Every failure is a plain `Error` with a fixed message that quotes nothing from the file;
 * age.ts maps them to Tampered / NotARecipient.
 */

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { decodeBase64NoPad, decodeBase64Strict } from "./base64.js";

/** RFC 8410 PKCS #8 of a raw X25519 private key (the 32 key bytes follow). */
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
/** RFC 8410 SubjectPublicKeyInfo of a raw X25519 public key (the 32 key bytes follow). */
const SPKI_X25519_PREFIX = Buffer.from("302a300506032b656e032100", "hex");

export { decodeBase64NoPad };

const VERSION_LINE = "age-encryption.org/v1";
const X25519_LABEL = "age-encryption.org/v1/X25519";
const CHUNK = 64 * 1024;
const TAG = 16;
const ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const ARMOR_END = "-----END AGE ENCRYPTED FILE-----";

/** The message of the one failure callers tell apart: none of the identities fits. */
export const NO_MATCH = "no identity matched any of the file's recipients";

/** An X25519 identity ready for decryption: OpenSSL's key and its public key bytes. */
export interface X25519Key {
  readonly privateKey: KeyObject;
  readonly publicKey: Buffer;
}

/** Imports 32 raw private key bytes (the caller wipes its copy). */
export function importX25519(secret: Uint8Array): X25519Key {
  const der = Buffer.concat([PKCS8_X25519_PREFIX, secret]);
  try {
    const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    return { privateKey, publicKey: Buffer.from(spki.subarray(spki.length - 32)) };
  } finally {
    der.fill(0);
  }
}

/** ASCII armor (a strict subset of PEM), decoded exactly as typage's `armor.decode`. */
export function dearmor(text: string): Uint8Array {
  const lines = text.trim().replaceAll("\r\n", "\n").split("\n");
  if (lines.shift() !== ARMOR_BEGIN) throw new Error("invalid armor header");
  if (lines.pop() !== ARMOR_END) throw new Error("invalid armor footer");
  for (const [i, l] of lines.entries()) {
    const ok = i === lines.length - 1 ? l.length > 0 && l.length <= 64 && l.length % 4 === 0 : l.length === 64;
    if (!ok) throw new Error("invalid armor line length");
  }
  const bytes = decodeBase64Strict(lines.join(""), "base64");
  if (bytes === null) throw new Error("invalid armor base64");
  return bytes;
}

interface Stanza {
  args: string[];
  body: Buffer;
}

interface Header {
  stanzas: Stanza[];
  /** The header up to and including `---`, which the MAC covers. */
  headerNoMac: Uint8Array;
  mac: Buffer;
  /** Where the payload (its 16-byte nonce first) starts. */
  end: number;
}

/** One header line (without its LF) from `at`; printable ASCII only, as typage requires. */
function readLine(file: Uint8Array, at: number): { line: string; next: number } {
  const eol = file.indexOf(0x0a, at);
  if (eol < 0) throw new Error("invalid header: unterminated line");
  for (let i = at; i < eol; i++) {
    const b = file[i]!;
    if (b < 32 || b > 126) throw new Error("invalid header: non-ASCII byte");
  }
  return { line: Buffer.from(file.buffer, file.byteOffset + at, eol - at).toString("latin1"), next: eol + 1 };
}

export function parseHeader(file: Uint8Array): Header {
  let { line, next } = readLine(file, 0);
  if (line !== VERSION_LINE) throw new Error("invalid version line");
  const stanzas: Stanza[] = [];
  for (;;) {
    const lineStart = next;
    ({ line, next } = readLine(file, next));
    const args = line.split(" ");
    if (args.length < 2 || args[0] !== "->") {
      if (!line.startsWith("--- ")) throw new Error("invalid header");
      const mac = decodeBase64NoPad(line.slice(4));
      if (mac === null) throw new Error("invalid header MAC encoding");
      return { stanzas, headerNoMac: file.subarray(0, lineStart + 3), mac, end: next };
    }
    args.shift();
    if (args.some((a) => a.length === 0)) throw new Error("invalid stanza");
    const body: Buffer[] = [];
    for (;;) {
      ({ line, next } = readLine(file, next));
      const chunk = decodeBase64NoPad(line);
      if (chunk === null || chunk.length > 48) throw new Error("invalid stanza");
      body.push(chunk);
      if (chunk.length < 48) break;
    }
    stanzas.push({ args, body: Buffer.concat(body) });
  }
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string): Buffer => Buffer.from(hkdfSync("sha256", ikm, salt, info, 32));

/** ChaCha20-Poly1305 opening; null when authentication fails. */
function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < TAG) return null;
  const end = sealed.length - TAG;
  const d = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(end));
  const out = d.update(sealed.subarray(0, end));
  try {
    d.final();
  } catch {
    out.fill(0);
    return null;
  }
  return out;
}

/** The file key, or null when none of `keys` is a recipient (typage's order: identity, then stanza). */
function unwrapFileKey(stanzas: readonly Stanza[], keys: readonly X25519Key[]): Buffer | null {
  for (const key of keys) {
    for (const s of stanzas) {
      if (s.args[0] !== "X25519") continue;
      if (s.args.length !== 2) throw new Error("invalid X25519 stanza");
      const share = decodeBase64NoPad(s.args[1]!);
      if (share === null || share.length !== 32) throw new Error("invalid X25519 stanza");
      const peer = createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, share]), format: "der", type: "spki" });
      // OpenSSL refuses an all-zero shared secret (a low-order share): an error, as in typage.
      const shared = diffieHellman({ privateKey: key.privateKey, publicKey: peer });
      const wrapKey = hkdf(shared, Buffer.concat([share, key.publicKey]), X25519_LABEL);
      shared.fill(0);
      if (s.body.length !== 32) throw new Error("invalid stanza");
      const fileKey = open(wrapKey, new Uint8Array(12), s.body);
      wrapKey.fill(0);
      if (fileKey !== null) return fileKey;
    }
  }
  return null;
}

/** The STREAM payload: 64 KiB chunks, the last one flagged; an empty last chunk only alone. */
function decryptPayload(fileKey: Uint8Array, file: Uint8Array, at: number): Uint8Array {
  if (file.length - at < 16) throw new Error("payload nonce truncated");
  const key = hkdf(fileKey, file.subarray(at, at + 16), "payload");
  const data = file.subarray(at + 16);
  const sealedChunk = CHUNK + TAG;
  const count = Math.max(1, Math.ceil(data.length / sealedChunk));
  const nonce = Buffer.alloc(12);
  const out: Buffer[] = [];
  try {
    for (let i = 0; i < count; i++) {
      nonce.writeUIntBE(i, 5, 6); // an 11-byte big-endian counter; 48 bits are plenty here
      const last = i === count - 1;
      nonce[11] = last ? 1 : 0;
      const plain = open(key, nonce, data.subarray(i * sealedChunk, Math.min(data.length, (i + 1) * sealedChunk)));
      if (plain === null) throw new Error("payload authentication failed");
      if (last && i > 0 && plain.length === 0) throw new Error("final chunk is empty");
      out.push(plain);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  } catch (e) {
    for (const b of out) b.fill(0);
    throw e;
  } finally {
    key.fill(0);
  }
}

/**
 * Decrypts a binary age file with X25519 identities. Throws `Error(NO_MATCH)` when none fits,
 * any other Error when the file is malformed or fails authentication.
 */
export function decryptAgeFile(file: Uint8Array, keys: readonly X25519Key[]): Uint8Array {
  const header = parseHeader(file);
  const fileKey = unwrapFileKey(header.stanzas, keys);
  if (fileKey === null) throw new Error(NO_MATCH);
  try {
    const macKey = hkdf(fileKey, new Uint8Array(0), "header");
    const mac = createHmac("sha256", macKey).update(header.headerNoMac).digest();
    macKey.fill(0);
    if (mac.length !== header.mac.length || !timingSafeEqual(mac, header.mac)) throw new Error("invalid header HMAC");
    return decryptPayload(fileKey, file, header.end);
  } finally {
    fileKey.fill(0);
  }
}

/** The 32 raw bytes of an X25519 public key object. */
function rawPublic(key: KeyObject): Buffer {
  const spki = key.export({ format: "der", type: "spki" });
  return Buffer.from(spki.subarray(spki.length - 32));
}

/** ChaCha20-Poly1305 sealing: ciphertext then tag. */
function seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Buffer {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG });
  const out = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return out;
}

const b64nopad = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64").replace(/=+$/, "");

/** One X25519 stanza wrapping `fileKey` to a recipient's 32-byte public key. */
function wrapFileKey(fileKey: Uint8Array, recipient: Uint8Array): string {
  const peer = createPublicKey({ key: Buffer.concat([SPKI_X25519_PREFIX, recipient]), format: "der", type: "spki" });
  const ephemeral = generateKeyPairSync("x25519");
  const share = rawPublic(ephemeral.publicKey);
  // OpenSSL refuses an all-zero shared secret (a low-order recipient), as typage does.
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: peer });
  const wrapKey = hkdf(shared, Buffer.concat([share, recipient]), X25519_LABEL);
  shared.fill(0);
  const body = seal(wrapKey, new Uint8Array(12), fileKey);
  wrapKey.fill(0);
  // The body is 32 bytes: one base64 line shorter than 64 columns ends it.
  return `-> X25519 ${b64nopad(share)}\n${b64nopad(body)}\n`;
}

/** Encrypts `plaintext` to X25519 recipients (32-byte public keys): a binary age file. */
export function encryptAgeFile(plaintext: Uint8Array, recipients: readonly Uint8Array[]): Uint8Array {
  if (recipients.length === 0) throw new Error("no recipients");
  const fileKey = randomBytes(16);
  try {
    const headerNoMac = Buffer.from(`${VERSION_LINE}\n${recipients.map((r) => wrapFileKey(fileKey, r)).join("")}---`, "latin1");
    const macKey = hkdf(fileKey, new Uint8Array(0), "header");
    const mac = createHmac("sha256", macKey).update(headerNoMac).digest();
    macKey.fill(0);
    const nonce = randomBytes(16);
    const key = hkdf(fileKey, nonce, "payload");
    const parts: Buffer[] = [headerNoMac, Buffer.from(` ${b64nopad(mac)}\n`, "latin1"), nonce];
    const count = Math.max(1, Math.ceil(plaintext.length / CHUNK));
    const chunkNonce = Buffer.alloc(12);
    for (let i = 0; i < count; i++) {
      chunkNonce.writeUIntBE(i, 5, 6);
      chunkNonce[11] = i === count - 1 ? 1 : 0;
      parts.push(seal(key, chunkNonce, plaintext.subarray(i * CHUNK, Math.min(plaintext.length, (i + 1) * CHUNK))));
    }
    key.fill(0);
    return Buffer.concat(parts);
  } finally {
    fileKey.fill(0);
  }
}

/** ASCII armor, as typage's `armor.encode` writes it: 64-column lines, a final newline. */
export function armor(file: Uint8Array): string {
  const lines = [ARMOR_BEGIN];
  const b64 = Buffer.from(file.buffer, file.byteOffset, file.length).toString("base64");
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(ARMOR_END, "");
  return lines.join("\n");
}
