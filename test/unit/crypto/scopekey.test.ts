import { describe, expect, test } from "@jest/globals";
import { decrypt, encrypt, generateIdentity, identityToRecipient, prepareIdentity } from "../../../src/crypto/age.js";
import { newScopeKey, unwrapBatchKey, unwrapScopeKey, wrapBatchKey, wrapScopeKey } from "../../../src/crypto/scopekey.js";
import { batchId, newBatchKey } from "../../../src/crypto/seal.js";

async function member() {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

describe("scope key files", () => {
  test("hold the scope key in age-keygen's layout, armored, for every recipient of the member", async () => {
    const [laptop, desktop] = [await member(), await member()];
    const scope = await newScopeKey("production:payments");
    const file = await wrapScopeKey(scope, [laptop.recipient, desktop.recipient]);
    expect(file.startsWith("-----BEGIN AGE ENCRYPTED FILE-----\n")).toBe(true);
    for (const device of [laptop, desktop]) {
      const plaintext = new TextDecoder().decode(await decrypt(file, [device.identity], { what: "k" }));
      expect(plaintext).toBe(
        `# envvault scope key: production:payments\n# public key: ${scope.recipient}\n${scope.identity}\n`,
      );
    }
  });

  test("unwrapScopeKey returns the scope identity when its public key is the expected one", async () => {
    const me = await member();
    const scope = await newScopeKey("production");
    const file = await wrapScopeKey(scope, [me.recipient]);
    const context = { scope: "production", expectedRecipient: scope.recipient, file: "keys/production/me.age" };
    expect(await unwrapScopeKey(file, [me.identity], context)).toBe(scope.identity);
    expect(await unwrapScopeKey(Buffer.from(file), await prepareIdentity(me.identity), context)).toBe(scope.identity);
  });

  test("a key file of another scope is tampered, naming the file and scope", async () => {
    const me = await member();
    const production = await newScopeKey("production");
    const staging = await newScopeKey("staging");
    const file = await wrapScopeKey(staging, [me.recipient]);
    const attempt = unwrapScopeKey(file, [me.identity], {
      scope: "production",
      expectedRecipient: production.recipient,
      file: "keys/production/me.age",
    });
    await expect(attempt).rejects.toMatchObject({
      code: "TAMPERED",
      exitCode: 4,
      data: { file: "keys/production/me.age", scope: "production" },
    });
    await expect(attempt).rejects.toThrow(/^keys\/production\/me\.age: integrity check failed: it holds the key of another scope than production/);
  });

  test.each([
    ["two identities", (id: string) => `${id}\n${id}\n`],
    ["no identity", () => "# envvault scope key: production\n"],
    ["not an identity", () => "hello\n"],
  ])("a key file whose plaintext holds %s is tampered", async (_name, plaintext) => {
    const me = await member();
    const scope = await newScopeKey("production");
    const file = await encrypt(Buffer.from(plaintext(scope.identity)), [me.recipient], { armor: true });
    await expect(
      unwrapScopeKey(file, [me.identity], { scope: "production", expectedRecipient: scope.recipient, file: "k.age" }),
    ).rejects.toMatchObject({ code: "TAMPERED", message: "k.age: integrity check failed: it does not hold one scope key" });
  });

  test("a key file whose plaintext is not UTF-8 is tampered", async () => {
    const me = await member();
    const scope = await newScopeKey("production");
    const file = await encrypt(Buffer.from([0xff, 0x0a]), [me.recipient], { armor: true });
    await expect(
      unwrapScopeKey(file, [me.identity], { scope: "production", expectedRecipient: scope.recipient, file: "k.age" }),
    ).rejects.toMatchObject({ code: "TAMPERED" });
  });
});

describe("batches", () => {
  test("wrapBatchKey gives the id of the binary age file and its canonical base64", async () => {
    const scope = await newScopeKey("production");
    const wrapped = await wrapBatchKey(newBatchKey(), scope.recipient);
    const bytes = Buffer.from(wrapped.b64, "base64");
    expect(bytes.toString("base64")).toBe(wrapped.b64);
    expect(bytes.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    expect(wrapped.id).toBe(batchId(bytes));
  });

  test("unwrapBatchKey returns the batch key, with the identity as a string or prepared", async () => {
    const scope = await newScopeKey("production");
    const batchKey = newBatchKey();
    const { id, b64 } = await wrapBatchKey(batchKey, scope.recipient);
    const where = { env: "production", scope: "production" };
    expect(await unwrapBatchKey(b64, id, scope.identity, where)).toEqual(batchKey);
    expect(await unwrapBatchKey(b64, id, await prepareIdentity(scope.identity), where)).toEqual(batchKey);
  });

  test.each([
    ["an id that does not match", async (b: { id: string; b64: string }) => ({ ...b, id: "0123456789ab" }), /its id does not match its content/],
    // Node's lenient decoder would skip the space and match the id.
    ["base64 that is not canonical", async (b: { id: string; b64: string }) => ({ ...b, b64: `${b.b64.slice(0, 8)} ${b.b64.slice(8)}` }), /not valid base64/],
  ])("a batch with %s is tampered", async (_name, change, message) => {
    const scope = await newScopeKey("production");
    const changed = await change(await wrapBatchKey(newBatchKey(), scope.recipient));
    const attempt = unwrapBatchKey(changed.b64, changed.id, scope.identity, { env: "production", scope: "production" });
    await expect(attempt).rejects.toMatchObject({ code: "TAMPERED", exitCode: 4, data: { env: "production", scope: "production" } });
    await expect(attempt).rejects.toThrow(message);
  });

  test("a batch of another scope is tampered, not 'not a recipient': the reader holds this scope's key", async () => {
    const production = await newScopeKey("production");
    const payments = await newScopeKey("production:payments");
    const { id, b64 } = await wrapBatchKey(newBatchKey(), payments.recipient);
    await expect(unwrapBatchKey(b64, id, production.identity, { env: "production", scope: "production" })).rejects.toMatchObject({
      code: "TAMPERED",
      message: `batch ${id} of scope production in production: integrity check failed: it is not encrypted to this scope's key`,
    });
  });

  test("a batch that does not hold exactly 32 bytes is tampered", async () => {
    const scope = await newScopeKey("production");
    for (const size of [0, 31, 33]) {
      const file = await encrypt(new Uint8Array(size), [scope.recipient]);
      const attempt = unwrapBatchKey(Buffer.from(file).toString("base64"), batchId(file), scope.identity, {
        env: "production",
        scope: "production",
      });
      await expect(attempt).rejects.toThrow(`it holds ${size} bytes, not 32`);
    }
  });
});
