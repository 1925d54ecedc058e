import { describe, expect, test } from "@jest/globals";
import { randomBytes } from "node:crypto";
import { fingerprint } from "../../../src/crypto/seal.js";
import { cachedValue, fingerprintable, type KnownSecret, MIN_SECRET_BYTES, prefilterKey, SecretMatcher } from "../../../src/store/fingerprints.js";

const key = new Uint8Array(randomBytes(32));

function known(env: string, name: string, value: string): KnownSecret {
  const v = cachedValue(`${name}=x`, value, key, prefilterKey(key));
  if (v.pre === undefined || v.fp === undefined) throw new Error(`${name} is not fingerprinted`);
  return { env, key: name, len: v.len, pre: v.pre, fp: v.fp };
}

describe("which values are looked for", () => {
  test("values of fewer than 8 UTF-8 bytes never are: true, 8080, info", () => {
    expect(MIN_SECRET_BYTES).toBe(8);
    for (const v of ["true", "8080", "info", "", "1234567", "abc-def"]) expect(fingerprintable(v)).toBe(false);
  });

  test("a plain word or number is not looked for; anything mixed of 8 bytes or more is", () => {
    for (const v of ["production", "changeme", "20240101", "12345678"]) expect(fingerprintable(v)).toBe(false);
    for (const v of ["s3cr3t-pw", "postgres://u:p@h/db", "pässwörd", "abcd efgh"]) expect(fingerprintable(v)).toBe(true);
  });

  test("the cache entry holds no plaintext: a keyed hash, a length, a 32-bit tag", () => {
    const value = "sk_live_0123456789abcdef";
    const entry = cachedValue("API=ev1:…", value, key, prefilterKey(key));
    expect(JSON.stringify(entry)).not.toContain(value.slice(0, 6));
    expect(entry).toEqual({ line: expect.stringMatching(/^[0-9a-f]{16}$/), len: 24, pre: expect.any(Number), fp: fingerprint(key, value) });
  });
});

describe("finding known secrets in bytes", () => {
  const secrets = [known("development", "API_KEY", "s3cr3t-api-key-123"), known("production", "DB", "pässwörd-ü-42"), known("development", "SHORT_PREFIX", "s3cr3t-a")];
  const matcher = new SecretMatcher(key, secrets);

  test("finds a value at the start, in the middle and at the very end, with its offset", () => {
    const text = Buffer.from("s3cr3t-api-key-123\nconst x = 's3cr3t-api-key-123';\nend:s3cr3t-api-key-123");
    const hits = matcher.find(text).filter((h) => h.secrets[0]?.key === "API_KEY");
    expect(hits.map((h) => h.offset)).toEqual([0, 30, 55]);
  });

  test("finds a multi-byte UTF-8 value, and two values sharing their first 8 bytes", () => {
    const text = Buffer.from("x=pässwörd-ü-42 y=s3cr3t-a z=s3cr3t-api-key-123");
    const names = matcher.find(text).flatMap((h) => h.secrets.map((s) => s.key));
    expect(names.sort()).toEqual(["API_KEY", "DB", "SHORT_PREFIX", "SHORT_PREFIX"]);
  });

  test("a prefix, a truncation or a one-byte change of a value is not a match", () => {
    const text = Buffer.from("s3cr3t-api-key-12 / s3cr3t-api-key-124 / S3cr3t-api-key-123 / s3cr3t-");
    expect(matcher.find(text).filter((h) => h.secrets[0]?.key === "API_KEY")).toEqual([]);
  });

  test("another clone's key finds nothing: the cache is useless without this clone's key", () => {
    const other = new SecretMatcher(new Uint8Array(randomBytes(32)), secrets);
    expect(other.find(Buffer.from("s3cr3t-api-key-123"))).toEqual([]);
  });
});
