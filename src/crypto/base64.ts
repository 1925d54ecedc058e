/**
 * Strict base64 decoding. Node's `Buffer.from(s, "base64")` skips characters it does not
 * know and accepts non-zero padding bits, so several strings would decode to the same
 * bytes; for the vault format exactly one spelling of each byte string is valid.
 */

const PATTERN = {
  base64: /^[A-Za-z0-9+/]*={0,2}$/,
  base64url: /^[A-Za-z0-9_-]*$/,
} as const;

/**
 * Decodes `text` as standard base64 with padding (RFC 4648 §4) or base64url without
 * padding (§5), or returns `null` when `text` is not the canonical encoding of any bytes.
 */
export function decodeBase64Strict(text: string, variant: "base64" | "base64url"): Buffer | null {
  if (!PATTERN[variant].test(text)) return null;
  const bytes = Buffer.from(text, variant);
  return bytes.toString(variant) === text ? bytes : null;
}
