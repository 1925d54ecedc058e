// The node:crypto age reader (src/crypto/agefile.ts) against typage 0.3.1, the implementation
// it replaced on the read path: the same files open to the same bytes, and every damaged file
// fails in the same class (not a recipient, or corrupt) — over hand-picked cases and over
// thousands of random mutations. The reference `age` CLI is covered by interop.test.ts.
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as age from "age-encryption";
import fc from "fast-check";
import { armor, decodeBase64NoPad, dearmor, decryptAgeFile, encryptAgeFile, importX25519, NO_MATCH } from "../../../src/crypto/agefile.js";
import { bech32Decode, bech32Encode } from "../../../src/crypto/bech32.js";
import { decrypt, encrypt, generateIdentity, identityToRecipient, prepareIdentity } from "../../../src/crypto/age.js";

type Outcome = { ok: string } | { fail: "no-match" | "corrupt" };

const keyOf = (identity: string) => importX25519(bech32Decode(identity, "AGE-SECRET-KEY-")!);

function ours(file: Uint8Array, identities: string[]): Outcome {
  try {
    return { ok: Buffer.from(decryptAgeFile(file, identities.map(keyOf))).toString("hex") };
  } catch (e) {
    return { fail: (e as Error).message === NO_MATCH ? "no-match" : "corrupt" };
  }
}

async function theirs(file: Uint8Array, identities: string[]): Promise<Outcome> {
  const d = new age.Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    return { ok: Buffer.from(await d.decrypt(file)).toString("hex") };
  } catch (e) {
    return { fail: (e as Error).message === NO_MATCH ? "no-match" : "corrupt" };
  }
}

async function ageFile(plaintext: Uint8Array, recipients: string[]): Promise<Uint8Array> {
  const e = new age.Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return e.encrypt(plaintext);
}

async function people(n: number): Promise<{ identity: string; recipient: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const identity = await age.generateX25519Identity();
    out.push({ identity, recipient: await age.identityToRecipient(identity) });
  }
  return out;
}

describe("agefile: same answers as typage", () => {
  test("recipients and Bech32 encoding match typage and round-trip", async () => {
    for (const { identity, recipient } of await people(20)) {
      expect(await identityToRecipient(identity)).toBe(recipient);
      expect(bech32Encode("AGE-SECRET-KEY-", bech32Decode(identity, "AGE-SECRET-KEY-")!)).toBe(identity);
      expect(bech32Encode("age", bech32Decode(recipient, "age")!)).toBe(recipient);
    }
    expect(bech32Encode("a", new Uint8Array(0))).toBe("a12uel5l"); // BIP 173 test vector
  });

  test.each([
    ["empty", 0],
    ["one byte", 1],
    ["a scope key file's size", 120],
    ["one chunk exactly", 64 * 1024],
    ["one chunk and a byte", 64 * 1024 + 1],
    ["two chunks exactly", 128 * 1024],
    ["three chunks and a bit", 3 * 64 * 1024 + 77],
  ])("%s payload opens to the same bytes", async (_name, size) => {
    const [a, b] = await people(2);
    const plaintext = randomBytes(size);
    const file = await ageFile(plaintext, [a!.recipient, b!.recipient]);
    expect(ours(file, [b!.identity])).toEqual({ ok: plaintext.toString("hex") });
    expect(await theirs(file, [b!.identity])).toEqual({ ok: plaintext.toString("hex") });
  });

  test("identities are tried in order, each against every stanza; strangers get no-match", async () => {
    const [a, b, c] = await people(3);
    const file = await ageFile(Buffer.from("x"), [a!.recipient, b!.recipient]);
    expect(ours(file, [c!.identity, b!.identity])).toEqual(await theirs(file, [c!.identity, b!.identity]));
    expect(ours(file, [c!.identity])).toEqual({ fail: "no-match" });
    expect(await theirs(file, [c!.identity])).toEqual({ fail: "no-match" });
  });

  test("hand-made headers: grease stanzas, bad stanzas, bad MAC encodings, non-ASCII", async () => {
    const [me] = await people(1);
    const file = Buffer.from(await ageFile(Buffer.from("payload"), [me!.recipient]));
    const text = file.toString("latin1");
    const edits: ((t: string) => string)[] = [
      (t) => t.replace("\n-> X25519", "\n-> grease-x a b\nAAAA\n-> X25519"), // an unknown stanza first: skipped, MAC then fails
      (t) => t.replace("\n-> X25519", "\n-> X25519\n\n-> X25519"), // X25519 with no argument
      (t) => t.replace("\n-> X25519 ", "\n-> X25519 extra "), // two arguments
      (t) => t.replace("\n-> X25519 ", "\n->  X25519 "), // an empty argument
      (t) => t.replace(/\n-> X25519 (\S+)/, "\n-> X25519 $1A"), // share of the wrong length
      (t) => t.replace(/\n-> X25519 (\S+)/, (_m, s: string) => `\n-> X25519 ${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`), // non-canonical or another point
      (t) => t.replace("\n--- ", "\n---  "),
      (t) => t.replace("\n--- ", "\n---"),
      (t) => t.replace(/\n--- (\S+)/, "\n--- $1="),
      (t) => t.replace(/\n--- (\S+)/, "\n--- $1AA"),
      (t) => t.replace("age-encryption.org/v1\n", "age-encryption.org/v1\r\n"),
      (t) => t.replace("\n-> X25519", "\n-> X25519\u00e9"),
      (t) => t.replace(/\n--- .*\n/s, "\n"),
      (t) => t.slice(0, t.indexOf("\n--- ") + 10),
    ];
    for (const edit of edits) {
      const damaged = Buffer.from(edit(text), "latin1");
      expect(ours(damaged, [me!.identity])).toEqual(await theirs(damaged, [me!.identity]));
    }
  });

  test("random mutations of a file fail (or succeed) exactly as in typage", async () => {
    const [a, b] = await people(2);
    const plaintext = Buffer.from("# envvault scope key: production\n# public key: age1…\nAGE-SECRET-KEY-1…\n");
    const file = Buffer.from(await ageFile(plaintext, [a!.recipient, b!.recipient]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
            fc.record({ op: fc.constant("cut" as const), at: fc.nat() }),
            fc.record({ op: fc.constant("insert" as const), at: fc.nat(), byte: fc.constantFrom(0x0a, 0x20, 0x41, 0x2d, 0x3d, 0x00, 0xff) }),
            fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        async (edits) => {
          let f = Buffer.from(file);
          for (const e of edits) {
            const at = f.length === 0 ? 0 : e.at % f.length;
            if (e.op === "flip") f[at] = f[at]! ^ (1 << e.bit);
            else if (e.op === "cut") f = Buffer.concat([f.subarray(0, at), f.subarray(at + 1)]);
            else if (e.op === "insert") f = Buffer.concat([f.subarray(0, at), Buffer.from([e.byte]), f.subarray(at)]);
            else f = f.subarray(0, at);
          }
          if (!f.subarray(0, 22).equals(Buffer.from("age-encryption.org/v1\n"))) return; // age.ts rejects these before parsing
          expect(ours(f, [b!.identity])).toEqual(await theirs(f, [b!.identity]));
        },
      ),
      { numRuns: 1500 },
    );
  });

  test("armor decodes exactly as typage's armor.decode", async () => {
    const [me] = await people(1);
    const armored = age.armor.encode(await ageFile(randomBytes(200), [me!.recipient]));
    const variants = [
      armored,
      `  \n${armored}\n\n`,
      armored.replaceAll("\n", "\r\n"),
      armored.replace("-----END AGE ENCRYPTED FILE-----", "-----END AGE FILE-----"),
      armored.replace(/\n([A-Za-z0-9+/]{64})\n/, "\n$1A\n"),
      armored.replace(/\n([A-Za-z0-9+/]{4})/, "\n$1\n"),
      armored.replace(/([A-Za-z0-9+/]{2})\n-----END/, "$1==\n-----END"),
      armored.replace(/=*\n-----END/, "\n-----END"),
      armored.replace(/\n[A-Za-z0-9+/]{4}/, "\n====").replace(/^/, ""),
      "-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\nAAA=\n-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\nAAB=\n-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\nAA==\n-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\nAQ==\n-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\nA===\n-----END AGE ENCRYPTED FILE-----\n",
    ];
    for (const v of variants) {
      let theirsOut: string;
      try {
        theirsOut = Buffer.from(age.armor.decode(v)).toString("hex");
      } catch {
        theirsOut = "error";
      }
      let oursOut: string;
      try {
        oursOut = Buffer.from(dearmor(v)).toString("hex");
      } catch {
        oursOut = "error";
      }
      expect([v, oursOut]).toEqual([v, theirsOut]);
    }
  });

  test("unpadded base64 is canonical only", () => {
    expect(decodeBase64NoPad("")).toEqual(Buffer.alloc(0));
    expect(decodeBase64NoPad("AA")).toEqual(Buffer.from([0]));
    expect(decodeBase64NoPad("AB")).toBeNull(); // non-zero unused bits
    expect(decodeBase64NoPad("AAA")).toEqual(Buffer.from([0, 0]));
    expect(decodeBase64NoPad("AAB")).toBeNull();
    expect(decodeBase64NoPad("A")).toBeNull();
    expect(decodeBase64NoPad("AA==")).toBeNull();
    expect(decodeBase64NoPad("AA-_")).toBeNull();
    for (let n = 0; n < 40; n++) {
      const bytes = randomBytes(n);
      expect(decodeBase64NoPad(bytes.toString("base64").replace(/=+$/, ""))).toEqual(bytes);
    }
  });
});

describe("agefile: typage reads what it writes", () => {
  test.each([0, 1, 32, 200, 64 * 1024, 64 * 1024 + 1, 128 * 1024, 3 * 64 * 1024 + 77])("%i bytes to three recipients", async (size) => {
    const team = await people(3);
    const plaintext = randomBytes(size);
    const file = encryptAgeFile(plaintext, team.map((p) => bech32Decode(p.recipient, "age")!));
    for (const p of team) {
      expect(await theirs(file, [p.identity])).toEqual({ ok: plaintext.toString("hex") });
      expect(ours(file, [p.identity])).toEqual({ ok: plaintext.toString("hex") });
    }
    expect(await theirs(file, [(await people(1))[0]!.identity])).toEqual({ fail: "no-match" });
  });

  test("the header has typage's layout: one X25519 stanza per recipient, in order, then the MAC", async () => {
    const team = await people(2);
    const file = Buffer.from(encryptAgeFile(Buffer.from("x"), team.map((p) => bech32Decode(p.recipient, "age")!)));
    const header = file.toString("latin1", 0, file.indexOf("\n--- ") + 49);
    expect(header).toMatch(/^age-encryption\.org\/v1\n-> X25519 [A-Za-z0-9+/]{43}\n[A-Za-z0-9+/]{43}\n-> X25519 [A-Za-z0-9+/]{43}\n[A-Za-z0-9+/]{43}\n--- [A-Za-z0-9+/]{43}\n$/);
  });

  test("armor is typage's armor.encode, byte for byte", async () => {
    for (const size of [0, 1, 47, 48, 49, 200, 1000]) {
      const bytes = randomBytes(size);
      expect(armor(bytes)).toBe(age.armor.encode(bytes));
    }
  });

  test("new identities are X25519 identities typage accepts, each different", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const identity = await generateIdentity();
      expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
      expect(await identityToRecipient(identity)).toBe(await age.identityToRecipient(identity));
      seen.add(identity);
    }
    expect(seen.size).toBe(20);
  });
});

describe("age.ts on the node:crypto reader", () => {
  test("decrypts what it encrypts, with key strings and prepared identities, binary and armored", async () => {
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    const binary = await encrypt(Buffer.from("hello"), [recipient]);
    const armored = await encrypt(Buffer.from("hello"), [recipient], { armor: true });
    for (const f of [binary, armored, Buffer.from(armored)]) {
      expect(Buffer.from(await decrypt(f, [identity], { what: "f" })).toString()).toBe("hello");
      expect(Buffer.from(await decrypt(f, await prepareIdentity(identity), { what: "f" })).toString()).toBe("hello");
    }
  });

  const ageCli = spawnSync("age", ["--version"]).status === 0;
  (ageCli ? test : test.skip)("opens multi-chunk files written by the age CLI", async () => {
    const identity = await generateIdentity();
    const plaintext = randomBytes(200 * 1024 + 5);
    const file = spawnSync("age", ["-r", await identityToRecipient(identity)], { input: plaintext }).stdout;
    expect(Buffer.from(await decrypt(file, [identity], { what: "f" }))).toEqual(plaintext);
  });
});
