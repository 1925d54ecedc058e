import { describe, expect, test } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { halfSipHash32, halfSipKey, scanWindows } from "../../../src/crypto/halfsiphash.js";

/**
 * HalfSipHash-2-4, 32-bit tags, from the reference implementation's vectors.h
 * (github.com/veorq/SipHash): key 00 01 … 07, message 00 01 … (n-1) for n = 0…63; each tag
 * is written as its 4 bytes in order.
 */
const VECTORS = [
  "a9359f5b 27475ab8 fa62a603 8afee704 2a6e4689 c5fab669 5863fc23 8bcf63c5",
  "d0b8848f f806e779 94b07934 08083050 57f0872f 77e663ff d6fff87c 74fe2b97",
  "d9b5ac84 c474645b 465b8d9b 7befe387 e34d1045 613f62b3 70f367fe e6adb8bd",
  "27400c63 26787875 4f567b5f 3ab0e669 b0644000 ff670fb4 509e338b 5d589f1a",
  "fee72112 33753259 6a434f8c fe28b729 e75cc6ec 697e8d54 63688b0f 650b62b4",
  "b6bc1840 5d074505 2442fd2e 7bb7863a 7705d548 d75208b1 b6d499c8 0892202e",
  "69e12ce3 8db580e5 369764c6 016e0204 3b85f3d4 fedb66be 1e692a3a c68984c0",
  "a5c5b940 9be9e88c 7dbc8140 7c078ec5 d4e76c73 428fcbb9 bd83997a 59ea4a74",
]
  .join(" ")
  .split(" ");

const key = halfSipKey(Uint8Array.from({ length: 8 }, (_, i) => i));
const leHex = (n: number) => Buffer.from(new Uint32Array([n]).buffer).toString("hex");

describe("HalfSipHash-2-4 (32-bit)", () => {
  test("matches the 64 reference vectors", () => {
    const got = VECTORS.map((_, n) => leHex(halfSipHash32(key, Uint8Array.from({ length: n }, (_, i) => i))));
    expect(got).toEqual(VECTORS);
  });

  test("the rolling scanner gives, at every position, the tag of that 8-byte window", () => {
    const k = halfSipKey(randomBytes(8));
    const bytes = randomBytes(300);
    const all = new Uint8Array(8192).fill(0xff);
    const seen: [number, number][] = [];
    scanWindows(k, bytes, all, (at, tag) => seen.push([at, tag]));
    expect(seen).toEqual(Array.from({ length: 293 }, (_, i) => [i, halfSipHash32(k, bytes.subarray(i, i + 8))]));
  });

  test("the scanner reports only tags whose low 16 bits are in the filter, and nothing for fewer than 8 bytes", () => {
    const bytes = randomBytes(64);
    const target = halfSipHash32(key, bytes.subarray(20, 28));
    const filter = new Uint8Array(8192);
    const at = (target & 0xffff) >>> 3;
    filter[at] = (filter[at] ?? 0) | (1 << (target & 7));
    const hits: number[] = [];
    scanWindows(key, bytes, filter, (at) => hits.push(at));
    expect(hits).toContain(20);
    const none: number[] = [];
    scanWindows(key, bytes.subarray(0, 7), new Uint8Array(8192).fill(0xff), (at) => none.push(at));
    expect(none).toEqual([]);
  });
});
