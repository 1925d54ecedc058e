import { describe, expect, test } from "@jest/globals";
import { createHash, createHmac } from "node:crypto";
import {
  associatedData,
  batchId,
  deriveValueKey,
  fingerprint,
  newBatchKey,
  openValue,
  sealValue,
} from "../../../src/crypto/seal.js";

const place = { env: "production", scope: "production:payments", key: "STRIPE_KEY", t: 1735732800 };

describe("value keys", () => {
  test("deriveValueKey is HKDF-SHA256 with an empty salt and info envvault/v1/value", () => {
    const batchKey = Buffer.alloc(32, 7);
    // RFC 5869 by hand: an empty salt is HashLen zero bytes; one expand block gives 32 bytes.
    const prk = createHmac("sha256", Buffer.alloc(32)).update(batchKey).digest();
    const okm = createHmac("sha256", prk).update(Buffer.concat([Buffer.from("envvault/v1/value"), Buffer.from([1])])).digest();
    expect(Buffer.from(deriveValueKey(batchKey)).toString("hex")).toBe(okm.toString("hex"));
  });

  test("deriveValueKey refuses a key that is not 32 bytes", () => {
    expect(() => deriveValueKey(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  test("newBatchKey draws 32 fresh random bytes", () => {
    const a = newBatchKey();
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(newBatchKey()))).toBe(false);
  });

  test("batchId is the first 12 hex digits of SHA-256 of the age file", () => {
    const file = Buffer.from("age-encryption.org/v1\n…");
    expect(batchId(file)).toBe(createHash("sha256").update(file).digest("hex").slice(0, 12));
    expect(batchId(file)).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("associated data", () => {
  test("is the label, env, scope, key and decimal timestamp joined by NUL bytes", () => {
    expect(associatedData(place).toString("latin1")).toBe(
      "envvault/v1\0production\0production:payments\0STRIPE_KEY\x001735732800",
    );
    expect(associatedData({ ...place, t: 0 }).toString().endsWith("\x000")).toBe(true);
  });

  test("refuses fields that would make it ambiguous", () => {
    expect(() => associatedData({ ...place, key: "A\0B" })).toThrow();
    expect(() => associatedData({ ...place, t: -1 })).toThrow();
    expect(() => associatedData({ ...place, t: 1.5 })).toThrow();
    expect(() => associatedData({ ...place, t: 2 ** 53 })).toThrow();
  });
});

describe("sealValue and openValue", () => {
  const valueKey = deriveValueKey(newBatchKey());

  test.each([
    ["ascii", "postgres://u:p@h/db"],
    ["empty", ""],
    ["unicode", "héllo ✓ 🔑 日本語"],
    ["newlines and CRLF", "a\nb\r\nc\n"],
    ["a leading BOM", "\uFEFFbom"],
    ["a NUL byte", "a\0b"],
    ["100 kB", "x".repeat(100_000)],
  ])("a value with %s round-trips exactly", (_name, plaintext) => {
    const payload = sealValue({ ...place, valueKey, plaintext });
    expect(payload).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(payload, "base64url")).toHaveLength(12 + Buffer.byteLength(plaintext) + 16);
    expect(openValue({ ...place, valueKey, payload })).toBe(plaintext);
  });

  test("sealing the same value twice gives different payloads (random nonce)", () => {
    const a = sealValue({ ...place, valueKey, plaintext: "same" });
    const b = sealValue({ ...place, valueKey, plaintext: "same" });
    expect(a).not.toBe(b);
  });

  test("sealValue refuses a lone surrogate instead of changing the value", () => {
    expect(() => sealValue({ ...place, valueKey, plaintext: "a\ud800b" })).toThrow(
      expect.objectContaining({ code: "USAGE" }),
    );
    expect(sealValue({ ...place, valueKey, plaintext: "\ud83d\udd11" })).toBeTruthy();
  });

  test.each([
    ["another key", { key: "OTHER" }],
    ["another environment", { env: "staging" }],
    ["another scope", { scope: "production" }],
    ["another timestamp", { t: place.t + 1 }],
    ["another value key", { valueKey: deriveValueKey(newBatchKey()) }],
  ])("a value opened as %s is tampered (exit 4) and named", (_name, change) => {
    const payload = sealValue({ ...place, valueKey, plaintext: "s3cret" });
    const args = { ...place, valueKey, payload, ...change };
    expect(() => openValue(args)).toThrow(
      expect.objectContaining({
        code: "TAMPERED",
        exitCode: 4,
        data: { env: args.env, scope: args.scope, key: args.key },
      }),
    );
    expect(() => openValue(args)).toThrow(new RegExp(`^${args.key} in ${args.env} \\(scope ${args.scope}\\)`));
  });
});

describe("fingerprint", () => {
  test("is hex HMAC-SHA256 of the UTF-8 value under the given key", () => {
    const key = Buffer.alloc(32, 1);
    expect(fingerprint(key, "héllo")).toBe(createHmac("sha256", key).update(Buffer.from("héllo", "utf8")).digest("hex"));
  });

  test("depends on the key, and needs a key of at least 32 bytes", () => {
    expect(fingerprint(Buffer.alloc(32, 1), "v")).not.toBe(fingerprint(Buffer.alloc(32, 2), "v"));
    expect(() => fingerprint(Buffer.alloc(16), "v")).toThrow(/32 bytes/);
  });
});
