/**
 * The C2SP CCTV age test vectors (npm `cctv-age`) through our age layer, src/crypto/age.ts
 * `decrypt`: success vectors give the expected bytes; every failure vector is a NotARecipient
 * ("no match") or a Tampered (anything else), never a crash or another exception. Vectors for
 * recipient types envvault does not accept (scrypt passphrases, post-quantum hybrids) are
 * skipped and counted.
 */
import { describe, expect, test } from "@jest/globals";
import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import * as vectors from "cctv-age";
import { decrypt } from "../../src/crypto/age.js";
import { NotARecipient, Tampered, VaultError } from "../../src/errors.js";
import { record } from "./figures.js";

interface Vector {
  name: string;
  expect: string;
  payload?: string;
  identities: string[];
  passphrases: string[];
  armored: boolean;
  body: Uint8Array;
}

function parse(name: string, bytes: Uint8Array): Vector {
  const buf = Buffer.from(bytes);
  const split = buf.indexOf("\n\n");
  const header = buf.subarray(0, split).toString("utf8").split("\n");
  let body: Uint8Array = buf.subarray(split + 2);
  const v: Vector = { name, expect: "", identities: [], passphrases: [], armored: false, body };
  for (const line of header) {
    const i = line.indexOf(": ");
    const [k, val] = [line.slice(0, i), line.slice(i + 2)];
    if (k === "expect") v.expect = val;
    else if (k === "payload") v.payload = val;
    else if (k === "identity") v.identities.push(val);
    else if (k === "passphrase") v.passphrases.push(val);
    else if (k === "armored") v.armored = val === "yes";
    else if (k === "compressed" && val === "zlib") body = inflateSync(body);
  }
  v.body = body;
  return v;
}

const all = Object.entries(vectors as unknown as Record<string, Uint8Array>).map(([name, bytes]) => parse(name, bytes));
/** Only X25519 identities: envvault accepts no other recipient type (docs/FORMAT.md §2). */
const usable = all.filter((v) => v.passphrases.length === 0 && v.identities.length > 0 && v.identities.every((i) => i.startsWith("AGE-SECRET-KEY-1")));

describe("C2SP CCTV age vectors", () => {
  test("there are vectors, and most are X25519 ones (armored included)", () => {
    expect(all.length).toBeGreaterThan(100);
    expect(usable.length).toBeGreaterThan(90);
    expect(usable.some((v) => v.armored)).toBe(true);
  });

  test("every X25519 vector: success decrypts to the expected hash; every failure is NotARecipient or Tampered", async () => {
    const failures: string[] = [];
    const counts = { success: 0, noMatch: 0, tampered: 0 };
    for (const v of usable) {
      const file = v.armored ? Buffer.from(v.body).toString("latin1") : v.body;
      let out: Uint8Array | undefined;
      let error: unknown;
      try {
        out = await decrypt(file, v.identities, { what: `vector ${v.name}` });
      } catch (e) {
        error = e;
      }
      if (v.expect === "success") {
        if (out === undefined) failures.push(`${v.name}: expected success, got ${String(error)}`);
        else if (createHash("sha256").update(out).digest("hex") !== v.payload) failures.push(`${v.name}: wrong payload`);
        else counts.success++;
      } else if (out !== undefined) {
        failures.push(`${v.name}: expected ${v.expect}, but it decrypted`);
      } else if (!(error instanceof VaultError)) {
        failures.push(`${v.name}: not a VaultError: ${String(error)}`);
      } else if (v.expect === "no match" ? !(error instanceof NotARecipient) : !(error instanceof Tampered)) {
        failures.push(`${v.name}: expected ${v.expect}, got ${error.code}`);
      } else if (v.expect === "no match") counts.noMatch++;
      else counts.tampered++;
    }
    record("cctv", { vectors: all.length, x25519: usable.length, armored: usable.filter((v) => v.armored).length, skipped: all.length - usable.length, passed: usable.length - failures.length, ...counts });
    expect(failures).toEqual([]);
  });
});
