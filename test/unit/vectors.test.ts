// Reads the committed test vectors of docs/FORMAT.md (test/vectors/, written once by
// scripts/make-vectors.mjs) through src/crypto. Nothing here regenerates them.
import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VaultError } from "../../src/errors.js";
import { parseIdentityFile } from "../../src/crypto/identity.js";
import { unwrapBatchKey, unwrapScopeKey } from "../../src/crypto/scopekey.js";
import { associatedData, deriveValueKey, openValue } from "../../src/crypto/seal.js";

const DIR = fileURLToPath(new URL("../vectors/", import.meta.url));
const read = (name: string) => readFileSync(join(DIR, name), "utf8");

interface Expected {
  env: string;
  envFile: string;
  member: { identityFile: string; recipient: string };
  scopes: Record<string, { keyFile: string; recipient: string; identity: string }>;
  batches: Record<string, { scope: string; batchKeyHex: string; valueKeyHex: string }>;
  values: Record<string, { scope: string; batch: string; t: number; adHex: string; plaintext: string }>;
}

type NegativeCase =
  | { name: string; kind: "value"; expect: string; env: string; scope: string; key: string; t: number; payload: string; valueKeyHex: string }
  | { name: string; kind: "scope-key"; expect: string; scope: string; expectedRecipient: string; identityFile: string; keyFileText: string }
  | { name: string; kind: "batch"; expect: string; env: string; scope: string; scopeIdentityFrom: string; id: string; b64: string };

const expected = JSON.parse(read("expected.json")) as Expected;
const negative = (JSON.parse(read("negative.json")) as { cases: NegativeCase[] }).cases;
const identities = (file: string) => parseIdentityFile(read(file), file);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** The three line kinds of an environment file that carry crypto (docs/FORMAT.md §3). */
function parseEnvLines(text: string) {
  const scopes = new Map<string, string>();
  const batches = new Map<string, { scope: string; b64: string }>();
  const values = new Map<string, { batch: string; t: number; payload: string }>();
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^#@scope (\S+) (\S+)$/.exec(line))) scopes.set(m[1]!, m[2]!);
    else if ((m = /^#@batch ([0-9a-f]{12}) (\S+) (\S+)$/.exec(line))) batches.set(m[1]!, { scope: m[2]!, b64: m[3]! });
    else if ((m = /^([A-Za-z_][A-Za-z0-9_]*)=ev1:([0-9a-f]{12}):(0|[1-9][0-9]*):([A-Za-z0-9_-]+)$/.exec(line))) {
      values.set(m[1]!, { batch: m[2]!, t: Number(m[3]), payload: m[4]! });
    }
  }
  return { scopes, batches, values };
}

async function scopeIdentity(scope: string): Promise<string> {
  const s = expected.scopes[scope]!;
  return unwrapScopeKey(read(s.keyFile), identities(expected.member.identityFile), {
    scope,
    expectedRecipient: s.recipient,
    file: s.keyFile,
  });
}

describe("test vectors (docs/FORMAT.md)", () => {
  const envFile = parseEnvLines(read(expected.envFile));

  test("the environment file holds every scope, batch and value of expected.json", () => {
    expect(Object.fromEntries(envFile.scopes)).toEqual(
      Object.fromEntries(Object.entries(expected.scopes).map(([name, s]) => [name, s.recipient])),
    );
    expect([...envFile.batches.keys()].sort()).toEqual(Object.keys(expected.batches).sort());
    expect([...envFile.values.keys()].sort()).toEqual(Object.keys(expected.values).sort());
  });

  test.each(Object.keys(expected.scopes))("scope key file of %s opens to the expected scope identity", async (scope) => {
    expect(await scopeIdentity(scope)).toBe(expected.scopes[scope]!.identity);
  });

  test.each(Object.keys(expected.batches))("batch %s opens to the expected batch key and value key", async (id) => {
    const line = envFile.batches.get(id)!;
    const want = expected.batches[id]!;
    expect(line.scope).toBe(want.scope);
    const batchKey = await unwrapBatchKey(line.b64, id, await scopeIdentity(line.scope), {
      env: expected.env,
      scope: line.scope,
    });
    expect(hex(batchKey)).toBe(want.batchKeyHex);
    expect(hex(deriveValueKey(batchKey))).toBe(want.valueKeyHex);
  });

  test.each(Object.keys(expected.values))("value %s opens to its expected plaintext", async (key) => {
    const line = envFile.values.get(key)!;
    const want = expected.values[key]!;
    const scope = envFile.batches.get(line.batch)!.scope;
    expect({ batch: line.batch, t: line.t, scope }).toEqual({ batch: want.batch, t: want.t, scope: want.scope });
    expect(hex(associatedData({ env: expected.env, scope, key, t: line.t }))).toBe(want.adHex);
    const batchKey = await unwrapBatchKey(envFile.batches.get(line.batch)!.b64, line.batch, await scopeIdentity(scope), {
      env: expected.env,
      scope,
    });
    const valueKey = deriveValueKey(batchKey);
    expect(openValue({ valueKey, env: expected.env, scope, key, t: line.t, payload: line.payload })).toBe(want.plaintext);
  });

  test("the vectors cover unicode, newlines, CRLF, an empty value, a BOM and t = 0", () => {
    const plaintexts = Object.values(expected.values).map((v) => v.plaintext);
    expect(plaintexts).toContain("");
    expect(plaintexts.some((p) => /[^\x00-\x7f]/.test(p) && /\p{Extended_Pictographic}/u.test(p))).toBe(true);
    expect(plaintexts.some((p) => p.includes("\r\n") && p.includes("\n"))).toBe(true);
    expect(plaintexts.some((p) => p.startsWith("\uFEFF"))).toBe(true);
    expect(Object.values(expected.values).some((v) => v.t === 0)).toBe(true);
  });

  test.each(negative.map((c) => [c.name, c] as const))("negative: %s", async (_name, c) => {
    let attempt: Promise<unknown>;
    if (c.kind === "value") {
      const valueKey = Buffer.from(c.valueKeyHex, "hex");
      attempt = (async () => openValue({ valueKey, env: c.env, scope: c.scope, key: c.key, t: c.t, payload: c.payload }))();
    } else if (c.kind === "scope-key") {
      attempt = unwrapScopeKey(c.keyFileText, identities(c.identityFile), {
        scope: c.scope,
        expectedRecipient: c.expectedRecipient,
        file: "negative.age",
      });
    } else {
      attempt = (async () =>
        unwrapBatchKey(c.b64, c.id, await scopeIdentity(c.scopeIdentityFrom), { env: c.env, scope: c.scope }))();
    }
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe(c.expect);
    expect((error as VaultError).exitCode).toBe(c.expect === "NOT_A_RECIPIENT" ? 3 : 4);
  });

  test("every identity in the vectors is labelled as a test key", () => {
    for (const file of [expected.member.identityFile, "other-identity.txt"]) {
      expect(read(file)).toMatch(/^# TEST KEY: /);
    }
  });
});
