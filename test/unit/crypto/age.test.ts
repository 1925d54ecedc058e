import { describe, expect, test } from "@jest/globals";
import { inspect } from "node:util";
import {
  PreparedIdentity,
  decrypt,
  encrypt,
  generateIdentity,
  identityToRecipient,
  isIdentity,
  isRecipient,
  prepareIdentity,
} from "../../../src/crypto/age.js";
import { bech32Decode } from "../../../src/crypto/bech32.js";

const text = (s: string) => new TextEncoder().encode(s);
const ctx = { what: "test.age" };

describe("bech32", () => {
  test("decodes the BIP 173 valid strings", () => {
    expect(bech32Decode("A12UEL5L", "a")).toEqual(new Uint8Array(0));
    expect(bech32Decode("a12uel5l", "A")).toEqual(new Uint8Array(0));
    expect(bech32Decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef")).toHaveLength(20);
  });

  test("rejects mixed case, a bad checksum, a wrong prefix and non-zero padding", () => {
    expect(bech32Decode("A12Uel5l", "a")).toBeNull();
    expect(bech32Decode("a12uel5m", "a")).toBeNull();
    expect(bech32Decode("A12UEL5L", "b")).toBeNull();
    expect(bech32Decode("a1", "a")).toBeNull();
    expect(bech32Decode("a1b2uel5l", "a")).toBeNull(); // "b" is not in the charset
  });
});

describe("identities and recipients", () => {
  test("generateIdentity makes an X25519 identity whose recipient is an age1 key", async () => {
    const identity = await generateIdentity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(isIdentity(identity)).toBe(true);
    const recipient = await identityToRecipient(identity);
    expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
    expect(isRecipient(recipient)).toBe(true);
  });

  test("isIdentity and isRecipient reject near misses", async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    // The character at i replaced by another Bech32 character of the same case.
    const swap = (s: string, i: number) => {
      const c = s[i]!;
      const other = c.toLowerCase() === "q" ? "p" : "q";
      return s.slice(0, i) + (c === c.toLowerCase() ? other : other.toUpperCase()) + s.slice(i + 1);
    };
    expect(isIdentity(identity.toLowerCase())).toBe(false);
    expect(isIdentity(swap(identity, 30))).toBe(false);
    expect(isIdentity(identity.slice(0, -1))).toBe(false);
    expect(isIdentity(recipient)).toBe(false);
    expect(isRecipient(swap(recipient, 20))).toBe(false);
    expect(isRecipient(recipient.toUpperCase())).toBe(false);
    expect(isRecipient(identity)).toBe(false);
    expect(isRecipient("age1pq1")).toBe(false);
  });

  test("prepareIdentity derives every recipient and returns the same object for the same keys", async () => {
    const a = await generateIdentity();
    const b = await generateIdentity();
    const prepared = await prepareIdentity([a, b]);
    expect(prepared).toBeInstanceOf(PreparedIdentity);
    expect(prepared.recipients).toEqual([await identityToRecipient(a), await identityToRecipient(b)]);
    expect(await prepareIdentity([a, b])).toBe(prepared);
  });

  test("a prepared identity does not show its key when printed", async () => {
    const identity = await generateIdentity();
    const prepared = await prepareIdentity(identity);
    expect(JSON.stringify(prepared)).not.toContain("AGE-SECRET-KEY");
    expect(inspect(prepared, { depth: 10, showHidden: true })).not.toContain("AGE-SECRET-KEY");
  });
});

describe("encrypt and decrypt", () => {
  test("a binary file round-trips with key strings and with a prepared identity", async () => {
    const identity = await generateIdentity();
    const file = await encrypt(text("hello"), [await identityToRecipient(identity)]);
    expect(Buffer.from(file.subarray(0, 22)).toString()).toBe("age-encryption.org/v1\n");
    expect(new TextDecoder().decode(await decrypt(file, [identity], ctx))).toBe("hello");
    expect(new TextDecoder().decode(await decrypt(file, await prepareIdentity(identity), ctx))).toBe("hello");
  });

  test("an armored file decrypts from a string and from its bytes", async () => {
    const identity = await generateIdentity();
    const armored = await encrypt(text("armored"), [await identityToRecipient(identity)], { armor: true });
    expect(armored).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]*-----END AGE ENCRYPTED FILE-----\n$/);
    expect(new TextDecoder().decode(await decrypt(armored, [identity], ctx))).toBe("armored");
    expect(new TextDecoder().decode(await decrypt(text(armored), [identity], ctx))).toBe("armored");
  });

  test("an armor whose last base64 character only changes unused bits is refused as damaged, not read as the same file", async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let tried = 0;
    for (let n = 0; tried < 3; n++) {
      const lines = (await encrypt(text("x".repeat(n)), [recipient], { armor: true })).split("\n");
      const last = lines[lines.length - 3]!;
      const pad = last.indexOf("=");
      if (pad < 1) continue;
      tried++;
      const c = alphabet.indexOf(last[pad - 1]!);
      lines[lines.length - 3] = last.slice(0, pad - 1) + alphabet[c ^ 1] + last.slice(pad);
      await expect(decrypt(lines.join("\n"), [identity], ctx)).rejects.toMatchObject({ code: "TAMPERED" });
    }
  });

  test("every recipient can decrypt, and any one of several identities is enough", async () => {
    const [a, b, c] = [await generateIdentity(), await generateIdentity(), await generateIdentity()];
    const file = await encrypt(text("shared"), [await identityToRecipient(a), await identityToRecipient(b)]);
    expect(await decrypt(file, [a], ctx)).toEqual(text("shared"));
    expect(await decrypt(file, [b], ctx)).toEqual(text("shared"));
    expect(await decrypt(file, [c, b], ctx)).toEqual(text("shared"));
  });

  test("an empty payload round-trips", async () => {
    const identity = await generateIdentity();
    const file = await encrypt(new Uint8Array(0), [await identityToRecipient(identity)]);
    expect(await decrypt(file, [identity], ctx)).toEqual(new Uint8Array(0));
  });
});
