// Every failure of src/crypto maps to one error code and exit code (3: not a recipient,
// 4: tampered, 2: usage, 1: identity problems), and no error carries a secret: not in its
// message, hints, data, cause chain or stack.
import { describe, expect, test } from "@jest/globals";
import { inspect } from "node:util";
import { decrypt, encrypt, generateIdentity, identityToRecipient, prepareIdentity } from "../../../src/crypto/age.js";
import { parseIdentityFile } from "../../../src/crypto/identity.js";
import { resolveIdentity } from "../../../src/store/identity.js";
import { newScopeKey, unwrapBatchKey, unwrapScopeKey, wrapBatchKey, wrapScopeKey } from "../../../src/crypto/scopekey.js";
import { deriveValueKey, newBatchKey, openValue, sealValue } from "../../../src/crypto/seal.js";
import { VaultError } from "../../../src/errors.js";

/** Runs `attempt`, expects a VaultError with `code` and `exit`, and checks no secret is in it. */
async function expectFailure(
  attempt: () => Promise<unknown> | unknown,
  code: string,
  exit: number,
  secrets: Array<string | Uint8Array>,
): Promise<VaultError> {
  let caught: unknown;
  try {
    await attempt();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(VaultError);
  const error = caught as VaultError;
  expect(error.code).toBe(code);
  expect(error.exitCode).toBe(exit);
  // inspect shows the message, stack, data, hints and the whole cause chain.
  const everything = [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error.data), error.hints.join("\n")].join("\n");
  for (const secret of secrets) {
    const forms =
      typeof secret === "string"
        ? [secret, ...(secret.length >= 40 ? [secret.slice(16, 40)] : [])] // a long key's middle, too
        : [Buffer.from(secret).toString("hex"), Buffer.from(secret).toString("base64")];
    for (const form of forms) expect(everything).not.toContain(form);
  }
  return error;
}

async function member() {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The binary age file with `edit` applied to its text form (the header is ASCII). */
function editHeader(file: Uint8Array, edit: (text: string) => string): Uint8Array {
  return Buffer.from(edit(Buffer.from(file).toString("latin1")), "latin1");
}

/** Replaces one base64 character at `index` of `text` by a different one. */
function flipChar(text: string, index: number): string {
  return text.slice(0, index) + (text[index] === "A" ? "B" : "A") + text.slice(index + 1);
}

describe("age decryption failures", () => {
  test("no matching identity is NotARecipient (exit 3), naming what and the reader's recipient", async () => {
    const [owner, stranger] = [await member(), await member()];
    const file = await encrypt(Buffer.from("payload"), [owner.recipient]);
    const error = await expectFailure(
      () => decrypt(file, [stranger.identity], { what: "keys/production/bob.age", data: { file: "keys/production/bob.age" } }),
      "NOT_A_RECIPIENT",
      3,
      [stranger.identity, owner.identity],
    );
    expect(error.message).toBe("keys/production/bob.age: none of your identities is a recipient of this file");
    expect(error.data).toMatchObject({ file: "keys/production/bob.age", what: "keys/production/bob.age" });
    expect(error.hints[0]).toContain(stranger.recipient);
  });

  test("a changed header MAC is Tampered (exit 4) with typage's error as cause", async () => {
    const me = await member();
    const file = await encrypt(Buffer.from("payload"), [me.recipient]);
    const broken = editHeader(file, (t) => flipChar(t, t.indexOf("\n--- ") + 6));
    const error = await expectFailure(() => decrypt(broken, [me.identity], { what: "f" }), "TAMPERED", 4, [me.identity]);
    expect(error.message).toBe("f: integrity check failed: it is corrupt or was modified");
    expect(error.cause).toBeInstanceOf(Error);
  });

  test.each([
    ["a flipped payload bit", (f: Uint8Array) => Buffer.concat([f.subarray(0, -1), Buffer.from([f[f.length - 1]! ^ 1])])],
    ["a truncated payload", (f: Uint8Array) => f.subarray(0, f.length - 5)],
    ["a missing payload", (f: Uint8Array) => f.subarray(0, Buffer.from(f).indexOf("\n--- ") + 49)],
    ["trailing bytes", (f: Uint8Array) => Buffer.concat([f, Buffer.from("x")])],
    ["an invalid stanza body", (f: Uint8Array) => editHeader(f, (t) => t.replace(/(\n-> X25519 \S+\n)(\S+)\n/, "$1AAAA\n"))],
    ["an unknown version line", (f: Uint8Array) => editHeader(f, (t) => t.replace("age-encryption.org/v1", "age-encryption.org/v2"))],
  ])("%s is Tampered (exit 4)", async (_name, damage) => {
    const me = await member();
    const file = await encrypt(Buffer.from("payload"), [me.recipient]);
    await expectFailure(() => decrypt(damage(file), [me.identity], { what: "f" }), "TAMPERED", 4, [me.identity]);
  });

  test("a changed recipient stanza reads as NotARecipient: age cannot tell it from another recipient's", async () => {
    const me = await member();
    const file = await encrypt(Buffer.from("payload"), [me.recipient]);
    const broken = editHeader(file, (t) => flipChar(t, t.indexOf("-> X25519 ") + 12));
    await expectFailure(() => decrypt(broken, [me.identity], { what: "f" }), "NOT_A_RECIPIENT", 3, [me.identity]);
  });

  test("bad armor is Tampered", async () => {
    const me = await member();
    const armored = await encrypt(Buffer.from("payload"), [me.recipient], { armor: true });
    const broken = armored.replace("-----END AGE ENCRYPTED FILE-----", "-----END AGE FILE-----");
    const error = await expectFailure(() => decrypt(broken, [me.identity], { what: "f" }), "TAMPERED", 4, [me.identity]);
    expect(error.message).toBe("f: integrity check failed: its ASCII armor is malformed");
  });

  test("a file that is not an age file is Tampered without quoting its first line", async () => {
    const me = await member();
    const plaintextLeak = Buffer.from("DATABASE_PASSWORD=correct-horse-battery\n");
    const error = await expectFailure(() => decrypt(plaintextLeak, [me.identity], { what: "f" }), "TAMPERED", 4, [
      "correct-horse-battery",
    ]);
    expect(error.message).toBe("f: integrity check failed: it is not an age file");
  });
});

describe("invalid keys", () => {
  test("an invalid identity is BAD_IDENTITY (exit 1), named by position, never quoted", async () => {
    const good = await generateIdentity();
    const bad = `${good.slice(0, -2)}QQ`;
    const error = await expectFailure(() => prepareIdentity([good, bad], "ENVVAULT_IDENTITY"), "BAD_IDENTITY", 1, [bad, good]);
    expect(error.message).toBe("ENVVAULT_IDENTITY: identity number 2: not a valid age X25519 identity (AGE-SECRET-KEY-1…)");
    expect(error.data).toEqual({ source: "ENVVAULT_IDENTITY", position: 2 });
    const single = await expectFailure(() => identityToRecipient(bad), "BAD_IDENTITY", 1, [bad]);
    expect(single.message).toBe("not a valid age X25519 identity (AGE-SECRET-KEY-1…)");
    await expectFailure(() => decrypt(new Uint8Array(0), [bad], { what: "f" }), "BAD_IDENTITY", 1, [bad]);
    await expectFailure(() => prepareIdentity([]), "BAD_IDENTITY", 1, []);
  });

  test("a secret key given as a recipient is a UsageError (exit 2) that does not print it", async () => {
    const me = await member();
    const secret = await generateIdentity();
    const error = await expectFailure(
      () => encrypt(Buffer.from("x"), [me.recipient, secret], { what: "the key of production for bob" }),
      "USAGE",
      2,
      [secret],
    );
    expect(error.message).toBe(
      "recipient 2 of 2 for the key of production for bob is not a valid age X25519 recipient (age1…)",
    );
    expect(error.data).toEqual({ position: 2 });
    await expectFailure(() => encrypt(Buffer.from("x"), []), "USAGE", 2, []);
  });

  test("identity files and ENVVAULT_IDENTITY never echo a bad line", async () => {
    const secret = await generateIdentity();
    const near = secret.toLowerCase();
    await expectFailure(() => parseIdentityFile(`${near}\n`, "id.txt"), "BAD_IDENTITY", 1, [near, secret]);
    await expectFailure(
      () => resolveIdentity({ env: { ENVVAULT_IDENTITY: `${secret}x` }, home: "/nowhere" }),
      "BAD_IDENTITY",
      1,
      [`${secret}x`, secret],
    );
  });
});

describe("vault-level failures carry no secret", () => {
  test("a value that fails to open names its key and env, not the value or keys", async () => {
    const batchKey = newBatchKey();
    const valueKey = deriveValueKey(batchKey);
    const place = { env: "production", scope: "production", key: "API_TOKEN", t: 1 };
    const payload = sealValue({ ...place, valueKey, plaintext: "tok_live_abcdef123456" });
    const error = await expectFailure(() => openValue({ ...place, t: 2, valueKey, payload }), "TAMPERED", 4, [
      "tok_live_abcdef123456",
      batchKey,
      valueKey,
    ]);
    expect(error.data).toEqual({ env: "production", scope: "production", key: "API_TOKEN" });
  });

  test("a lone surrogate in a value is a UsageError that does not print the value", async () => {
    const valueKey = deriveValueKey(newBatchKey());
    await expectFailure(
      () => sealValue({ env: "e", scope: "e", key: "K", t: 1, valueKey, plaintext: "visible-part\ud800" }),
      "USAGE",
      2,
      ["visible-part"],
    );
  });

  test("scope key and batch failures carry neither the scope identity nor the batch key", async () => {
    const me = await member();
    const [production, staging] = [await newScopeKey("production"), await newScopeKey("staging")];
    const file = await wrapScopeKey(staging, [me.recipient]);
    await expectFailure(
      () => unwrapScopeKey(file, [me.identity], { scope: "production", expectedRecipient: production.recipient, file: "k" }),
      "TAMPERED",
      4,
      [staging.identity, production.identity, me.identity],
    );
    await expectFailure(
      () => unwrapScopeKey(file, [production.identity], { scope: "staging", expectedRecipient: staging.recipient, file: "k" }),
      "NOT_A_RECIPIENT",
      3,
      [staging.identity, production.identity],
    );
    const batchKey = newBatchKey();
    const batch = await wrapBatchKey(batchKey, staging.recipient);
    await expectFailure(
      () => unwrapBatchKey(batch.b64, batch.id, production.identity, { env: "production", scope: "production" }),
      "TAMPERED",
      4,
      [production.identity, batchKey],
    );
  });
});
