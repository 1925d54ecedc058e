/**
 * HalfSipHash-2-4 with a 32-bit output (Aumasson and Bernstein, reference implementation
 * `halfsiphash.c`, key of 8 bytes), for the pre-commit prefilter (docs/FORMAT.md
 * "Local fingerprint cache"). It is a keyed PRF built from 32-bit additions, rotations and
 * XORs, so in JavaScript it costs about a hundredth of one HMAC-SHA256 through node:crypto:
 * the hook computes it at every byte of every staged file.
 */

const C2 = 0x6c796765;
const C3 = 0x74656462;

/** The two 32-bit little-endian words of an 8-byte key. */
export type HalfSipKey = readonly [number, number];

export function halfSipKey(key: Uint8Array): HalfSipKey {
  if (key.length !== 8) throw new Error("a HalfSipHash key has 8 bytes");
  const v = new DataView(key.buffer, key.byteOffset, 8);
  return [v.getUint32(0, true), v.getUint32(4, true)];
}

/** HalfSipHash-2-4 of any message, 32-bit output as an unsigned number (the LE bytes of the tag). */
export function halfSipHash32(key: HalfSipKey, msg: Uint8Array): number {
  let v0 = key[0] | 0;
  let v1 = key[1] | 0;
  let v2 = C2 ^ key[0];
  let v3 = C3 ^ key[1];
  const round = () => {
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  };
  const full = msg.length - (msg.length % 4);
  for (let i = 0; i < full; i += 4) {
    const m = msg[i]! | (msg[i + 1]! << 8) | (msg[i + 2]! << 16) | (msg[i + 3]! << 24);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let b = (msg.length & 0xff) << 24;
  for (let i = full; i < msg.length; i++) b |= msg[i]! << (8 * (i - full));
  v3 ^= b;
  round();
  round();
  v0 ^= b;
  v2 ^= 0xff;
  round();
  round();
  round();
  round();
  return (v1 ^ v3) >>> 0;
}

/**
 * Calls `hit(position, tag)` for every position of `bytes` whose 8-byte window hashes (with
 * {@link halfSipHash32}) to a tag whose bit is set in `filter`, a bitmap over the low bits of
 * the tag (its length a power of two: 8,192 bytes cover 16 bits). The two message words roll
 * forward one byte per position, and the rounds are written out: this loop is the hook's hot
 * path.
 */
export function scanWindows(key: HalfSipKey, bytes: Uint8Array, filter: Uint8Array, hit: (position: number, tag: number) => void): void {
  const n = bytes.length;
  if (n < 8) return;
  const mask = filter.length * 8 - 1;
  const k0 = key[0] | 0;
  const k1 = key[1] | 0;
  const k2 = C2 ^ k0;
  const k3 = C3 ^ k1;
  const fin = 8 << 24;
  let m0 = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  let m1 = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  for (let i = 0; ; ) {
    let v0 = k0;
    let v1 = k1;
    let v2 = k2;
    let v3 = k3 ^ m0;
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m0;
    v3 ^= m1;
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= m1;
    v3 ^= fin;
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    v0 ^= fin;
    v2 ^= 0xff;
    for (let r = 0; r < 4; r++) {
      v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
      v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
      v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    }
    const tag = v1 ^ v3;
    if ((filter[(tag & mask) >>> 3]! & (1 << (tag & 7))) !== 0) hit(i, tag >>> 0);
    if (++i + 8 > n) return;
    m0 = (m0 >>> 8) | (bytes[i + 3]! << 24);
    m1 = (m1 >>> 8) | (bytes[i + 7]! << 24);
  }
}
