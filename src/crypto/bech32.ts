/**
 * Bech32 (BIP 173) decoding for age keys, so identities and recipients can be checked and
 * turned into raw bytes without loading age-encryption (slow to import) and without its errors,
 * whose messages may quote the input (a secret key).
 */

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) {
      if ((top >>> i) & 1) chk ^= GENERATOR[i]!;
    }
  }
  return chk;
}

/**
 * Decodes a Bech32 string whose human-readable part (compared case-insensitively) is
 * `hrp`, returning its data bytes, or `null` when the string is malformed, has the wrong
 * prefix, mixes case, fails its checksum, or has non-zero padding bits. Never throws, so
 * no caller can leak the input through an exception message.
 */
export function bech32Decode(text: string, hrp: string): Uint8Array | null {
  // BIP 173's 90-character limit is left out: callers check the decoded length instead.
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return null;
  const s = text.toLowerCase();
  const sep = s.lastIndexOf("1");
  if (sep < 1 || s.length - sep - 1 < 6 || s.slice(0, sep) !== hrp.toLowerCase()) return null;
  const prefix = s.slice(0, sep);
  const values: number[] = [];
  for (const c of prefix) values.push(c.charCodeAt(0) >>> 5);
  values.push(0);
  for (const c of prefix) values.push(c.charCodeAt(0) & 31);
  const words: number[] = [];
  for (const c of s.slice(sep + 1)) {
    const w = CHARSET.indexOf(c);
    if (w < 0) return null;
    words.push(w);
  }
  if (polymod([...values, ...words]) !== 1) return null;

  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words.slice(0, -6)) {
    acc = ((acc << 5) | w) & 0xfff; // keep only the bits not yet emitted
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return null;
  return Uint8Array.from(out);
}

/**
 * Encodes bytes as Bech32 (BIP 173) with the human-readable part `hrp`, in the case of
 * `hrp` (age writes recipients in lower case, identities in upper case).
 */
export function bech32Encode(hrp: string, data: Uint8Array): string {
  const lower = hrp.toLowerCase();
  const words: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of data) {
    acc = ((acc << 8) | b) & 0x1fff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >>> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  const values: number[] = [];
  for (const c of lower) values.push(c.charCodeAt(0) >>> 5);
  values.push(0);
  for (const c of lower) values.push(c.charCodeAt(0) & 31);
  const mod = polymod([...values, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  for (let i = 0; i < 6; i++) words.push((mod >>> (5 * (5 - i))) & 31);
  const out = `${lower}1${words.map((w) => CHARSET[w]).join("")}`;
  return hrp === lower ? out : out.toUpperCase();
}

/** Whether `text` is an age X25519 recipient: `age1…`, a valid checksum, a 32-byte key. */
export function isAgeRecipient(text: string): boolean {
  return text.startsWith("age1") && bech32Decode(text, "age")?.length === 32;
}
