// Reads the committed test vectors of docs/FORMAT.md (test/vectors/, written once by
// scripts/make-vectors.mjs) through src/crypto. Nothing here regenerates them.
import { describe, expect, test } from "@jest/globals";
import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VaultError } from "../../src/errors.js";
import { parseIdentityFile } from "../../src/crypto/identity.js";
import { unwrapBatchKey, unwrapScopeKey } from "../../src/crypto/scopekey.js";
import { associatedData, deriveValueKey, openValue } from "../../src/crypto/seal.js";
import { signerFor, verifySignature } from "../../src/crypto/sign.js";
import { parseEnvFile, signedView } from "../../src/model/envfile.js";
import type { Roster } from "../../src/model/roster.js";
import { checkSignedFile } from "../../src/model/signed.js";

const DIR = fileURLToPath(new URL("../vectors/", import.meta.url));
const read = (name: string) => readFileSync(join(DIR, name), "utf8");

/** The line a value or removal line replaced: its text and its leaf, the later line's `prev`. */
interface Replaced {
  line: string;
  leaf: string;
}

interface Expected {
  env: string;
  envFile: string;
  member: { name: string; identityFile: string; recipient: string; signingKey: string };
  scopes: Record<string, { keyFile: string; recipient: string; identity: string; prev: string; leaf: string }>;
  batches: Record<string, { scope: string; sha256: string; batchKeyHex: string; valueKeyHex: string }>;
  values: Record<string, { scope: string; batch: string; t: number; prev: string; adHex: string; plaintext: string; leaf: string; replaced?: Replaced }>;
  removed: Record<string, { scope: string; t: number; prev: string; leaf: string; replaced: Replaced }>;
  records: { id: string; member: string; signature: string; leaves: string; messageHex: string }[];
}

type NegativeCase =
  | { name: string; kind: "value"; expect: string; env: string; scope: string; key: string; t: number; payload: string; valueKeyHex: string }
  | { name: string; kind: "scope-key"; expect: string; scope: string; expectedRecipient: string; identityFile: string; keyFileText: string }
  | { name: string; kind: "batch"; expect: string; env: string; scope: string; scopeIdentityFrom: string; id: string; b64: string }
  | { name: string; kind: "record"; expect: string; env: string; member: string; signingKey: string; signature: string; leaves: string }
  | { name: string; kind: "line"; expect: string; key: string; line: string };

const expected = JSON.parse(read("expected.json")) as Expected;
const negative = (JSON.parse(read("negative.json")) as { cases: NegativeCase[] }).cases;
const identities = (file: string) => parseIdentityFile(read(file), file);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/**
 * The line kinds of an environment file (docs/FORMAT.md §3), read with the spec's patterns
 * rather than src/model, so the vectors check the page as much as the code.
 */
function parseEnvLines(text: string) {
  const scopes = new Map<string, { recipient: string; prev: string }>();
  const batches = new Map<string, { scope: string; b64: string }>();
  const sigs = new Map<string, { member: string; signature: string; leaves: string }>();
  const removed = new Map<string, { scope: string; t: number; prev: string }>();
  const values = new Map<string, { batch: string; t: number; prev: string; payload: string }>();
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^#@scope (\S+) (\S+) (\S+)$/.exec(line))) scopes.set(m[1]!, { recipient: m[2]!, prev: m[3]! });
    else if ((m = /^#@batch ([0-9a-f]{12}) (\S+) (\S+)$/.exec(line))) batches.set(m[1]!, { scope: m[2]!, b64: m[3]! });
    else if ((m = /^#@sig ([0-9a-f]{12}) (\S+) ([A-Za-z0-9_-]{86}) ([A-Za-z0-9_-]+)$/.exec(line))) sigs.set(m[1]!, { member: m[2]!, signature: m[3]!, leaves: m[4]! });
    else if ((m = /^#@removed ([A-Za-z_][A-Za-z0-9_]*) (\S+) (0|[1-9][0-9]*) (-|[A-Za-z0-9_-]{22})$/.exec(line))) removed.set(m[1]!, { scope: m[2]!, t: Number(m[3]), prev: m[4]! });
    else if ((m = /^([A-Za-z_][A-Za-z0-9_]*)=ev2:([0-9a-f]{12}):(0|[1-9][0-9]*):(-|[A-Za-z0-9_-]{22}):([A-Za-z0-9_-]+)$/.exec(line))) {
      values.set(m[1]!, { batch: m[2]!, t: Number(m[3]), prev: m[4]!, payload: m[5]! });
    }
  }
  return { scopes, batches, sigs, removed, values };
}

/** leaf(label, f1, …, fn) of docs/FORMAT.md §4: the first 16 bytes of SHA-256 of the fields joined by 0x00, in b64u. */
function leaf(label: string, ...fields: (string | number)[]): string {
  return createHash("sha256").update([label, ...fields.map(String)].join("\0"), "utf8").digest().subarray(0, 16).toString("base64url");
}

const sha256Hex = (b64: string) => createHash("sha256").update(Buffer.from(b64, "base64")).digest("hex");

/** The leaf of a value line as the spec computes it. */
function valueLineLeaf(f: ReturnType<typeof parseEnvLines>, key: string, v: { batch: string; t: number; prev: string; payload: string }): string {
  const batch = f.batches.get(v.batch)!;
  return leaf("envvault/v2/value", expected.env, batch.scope, f.scopes.get(batch.scope)!.recipient, key, sha256Hex(batch.b64), v.t, v.prev, v.payload);
}

/** The message a change record signs (docs/FORMAT.md §4). */
const changeMessage = (env: string, member: string, leaves: string) => Buffer.concat([Buffer.from(`envvault/v2/change\0${env}\0${member}\0`, "utf8"), Buffer.from(leaves, "base64url")]);

/** Ed25519 verification with node:crypto from the `ed25519:` text alone (RFC 8410 SPKI prefix). */
function ed25519Verifies(signingKey: string, message: Uint8Array, signature: string): boolean {
  const raw = Buffer.from(signingKey.slice("ed25519:".length), "base64url");
  const key = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]), format: "der", type: "spki" });
  return verify(null, message, key, Buffer.from(signature, "base64url"));
}

/** A roster in which the vectors' member may sign every line (an admin). */
const roster: Roster = { version: 1, admins: [expected.member.name], members: { [expected.member.name]: { recipients: [expected.member.recipient], signing_keys: [expected.member.signingKey] } } };

/** The problems the state check (docs/FORMAT.md §6) finds in an environment file text. */
const stateProblems = (text: string) => checkSignedFile(signedView(parseEnvFile(text, expected.envFile, expected.env)), roster, verifySignature);

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

  test("the environment file holds every scope, batch, record, removal and value of expected.json", () => {
    expect(read(expected.envFile).split("\n")[0]).toBe(`# envvault 2 ${expected.env}`);
    expect(Object.fromEntries(envFile.scopes)).toEqual(
      Object.fromEntries(Object.entries(expected.scopes).map(([name, s]) => [name, { recipient: s.recipient, prev: s.prev }])),
    );
    expect([...envFile.batches.keys()].sort()).toEqual(Object.keys(expected.batches).sort());
    expect([...envFile.sigs.keys()]).toEqual(expected.records.map((r) => r.id));
    expect(Object.fromEntries(envFile.removed)).toEqual(Object.fromEntries(Object.entries(expected.removed).map(([k, r]) => [k, { scope: r.scope, t: r.t, prev: r.prev }])));
    expect([...envFile.values.keys()].sort()).toEqual(Object.keys(expected.values).sort());
    for (const [key, v] of envFile.values) expect(v.prev).toBe(expected.values[key]!.prev);
  });

  test("the member's signing key is the one derived from their identity (docs/FORMAT.md §4)", () => {
    expect(identities(expected.member.identityFile).map((id) => signerFor(id).publicKey)).toEqual([expected.member.signingKey]);
  });

  test("every batch's SHA-256, and every scope, value and removal line's leaf, is as expected.json says", () => {
    for (const [id, b] of envFile.batches) expect(sha256Hex(b.b64)).toBe(expected.batches[id]!.sha256);
    for (const [scope, s] of envFile.scopes) expect(leaf("envvault/v2/scope", expected.env, scope, s.recipient, s.prev)).toBe(expected.scopes[scope]!.leaf);
    for (const [key, v] of envFile.values) expect(valueLineLeaf(envFile, key, v)).toBe(expected.values[key]!.leaf);
    for (const [key, r] of envFile.removed) expect(leaf("envvault/v2/removed", expected.env, r.scope, key, r.t, r.prev)).toBe(expected.removed[key]!.leaf);
  });

  test("a line's prev is the leaf of the line it replaced", () => {
    const replaced = [...Object.entries(expected.values), ...Object.entries(expected.removed)].filter(([, v]) => v.replaced !== undefined);
    expect(replaced.map(([k]) => k).sort()).toEqual(["DATABASE_URL", "OLD_TOKEN"]);
    for (const [key, v] of replaced) {
      const old = parseEnvLines(v.replaced!.line).values.get(key)!;
      expect(valueLineLeaf(envFile, key, old)).toBe(v.replaced!.leaf);
      expect(v.prev).toBe(v.replaced!.leaf);
    }
  });

  test("the change record signs the sorted leaves of every line with the member's key, and its id is SHA-256 of the signature", () => {
    const [record] = expected.records;
    const sig = envFile.sigs.get(record!.id)!;
    expect(sig).toEqual({ member: expected.member.name, signature: record!.signature, leaves: record!.leaves });
    const all = [...Object.values(expected.scopes), ...Object.values(expected.values), ...Object.values(expected.removed)].map((l) => Buffer.from(l.leaf, "base64url")).sort(Buffer.compare);
    expect(sig.leaves).toBe(Buffer.concat(all).toString("base64url"));
    const message = changeMessage(expected.env, sig.member, sig.leaves);
    expect(message.toString("hex")).toBe(record!.messageHex);
    expect(ed25519Verifies(expected.member.signingKey, message, sig.signature)).toBe(true);
    expect(createHash("sha256").update(Buffer.from(sig.signature, "base64url")).digest("hex").slice(0, 12)).toBe(record!.id);
  });

  test("the file passes the state check for a roster with the member as admin", () => {
    expect(stateProblems(read(expected.envFile))).toEqual([]);
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
    if (c.kind === "record") {
      expect(c.expect).toBe("UNVERIFIED");
      expect(ed25519Verifies(c.signingKey, changeMessage(c.env, c.member, c.leaves), c.signature)).toBe(false);
      return;
    }
    if (c.kind === "line") {
      expect(c.expect).toBe("UNVERIFIED");
      const text = read(expected.envFile);
      const original = text.split("\n").find((l) => l.startsWith(`${c.key}=`))!;
      expect(c.line).not.toBe(original);
      expect(stateProblems(text.replace(original, c.line)).map((p) => p.key)).toContain(c.key);
      return;
    }
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
