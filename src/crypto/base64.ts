/**
 * Strict base64 decoding. Node's `Buffer.from(s, "base64")` skips characters it does not
 * know and accepts non-zero padding bits, so several strings would decode to the same
 * bytes; for the vault format exactly one spelling of each byte string is valid.
 *
 * The check is done on the text itself (alphabet, length, padding, and the unused low bits
 * of the last character), without encoding the bytes again: every value of an environment is
 * checked on every read.
 */

const PATTERN = {
  base64: /^[A-Za-z0-9+/]*={0,2}$/,
  base64url: /^[A-Za-z0-9_-]*$/,
  /** Standard alphabet without padding (the age header). */
  nopad: /^[A-Za-z0-9+/]*$/,
} as const;

/** The 6-bit value of each base64 and base64url character (both alphabets share the rest). */
const VALUE = new Int8Array(128).fill(-1);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].entries()) VALUE[c.charCodeAt(0)] = i;
VALUE["-".charCodeAt(0)] = 62;
VALUE["_".charCodeAt(0)] = 63;

/**
 * Whether `body` (alphabet already checked, no padding) is the canonical spelling of its
 * bytes: not 1 character past a group of 4 (6 bits make no byte), and the bits of the last
 * character that fall outside the bytes are zero.
 */
function canonicalTail(body: string): boolean {
  const rem = body.length % 4;
  if (rem === 0) return true;
  if (rem === 1) return false;
  const last = VALUE[body.charCodeAt(body.length - 1)]!;
  return (last & (rem === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decodes `text` as standard base64 with padding (RFC 4648 §4) or base64url without
 * padding (§5), or returns `null` when `text` is not the canonical encoding of any bytes.
 */
export function decodeBase64Strict(text: string, variant: "base64" | "base64url"): Buffer | null {
  if (!PATTERN[variant].test(text)) return null;
  if (variant === "base64url") return canonicalTail(text) ? Buffer.from(text, "base64url") : null;
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const body = text.slice(0, text.length - pad);
  if (pad > 0 && (body.length % 4) + pad !== 4) return null;
  return canonicalTail(body) ? Buffer.from(text, "base64") : null;
}

/** Canonical standard base64 without padding (what age's header uses), or null. */
export function decodeBase64NoPad(text: string): Buffer | null {
  return PATTERN.nopad.test(text) && canonicalTail(text) ? Buffer.from(text, "base64") : null;
}
