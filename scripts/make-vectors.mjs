// Writes the test vectors of docs/FORMAT.md into test/vectors/ with envvault's own crypto
// (build first: `npx tsc -p tsconfig.build.json`). The outputs are committed; tests only
// read them. Re-running draws new keys and nonces, so every output file changes: do it
// only when the format changes, and commit the result.
import { createCipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = ["dist/lib/crypto", "dist/lib/src/crypto"].find((d) => existsSync(`${d}/age.js`));
if (dir === undefined) {
  console.error("make-vectors: no build found; run `npx tsc -p tsconfig.build.json` first");
  process.exit(1);
}
const load = (name) => import(pathToFileURL(`${dir}/${name}.js`).href);
const age = await load("age");
const identity = await load("identity");
const scopekey = await load("scopekey");
const seal = await load("seal");

const OUT = "test/vectors";
const LABEL =
  "# TEST KEY: published in envvault's test vectors (test/vectors/). It protects nothing;\n" +
  "# never use it, or anything encrypted to it, for a real secret.\n";
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const write = (name, text) => {
  mkdirSync(dirname(join(OUT, name)), { recursive: true });
  writeFileSync(join(OUT, name), text);
};

async function testIdentity(file, created) {
  const secret = await age.generateIdentity();
  const recipient = await age.identityToRecipient(secret);
  write(file, LABEL + identity.formatIdentityFile(secret, recipient, created));
  return { secret, recipient };
}

const created = new Date(Date.UTC(2025, 0, 1, 12, 0, 0));
const member = await testIdentity("member-identity.txt", created);
const other = await testIdentity("other-identity.txt", created);

const env = "production";
const scopes = {};
for (const name of ["production", "production:payments"]) {
  const key = await scopekey.newScopeKey(name);
  const keyFile = `keys/${name.replace(":", ".")}/member.age`;
  write(keyFile, await scopekey.wrapScopeKey(key, [member.recipient]));
  scopes[name] = { key, keyFile };
}

// Two batches in the default scope (a second writer who could not read it added one
// value), one in the named scope.
const plan = [
  {
    scope: "production",
    values: {
      DATABASE_URL: { t: 1735732800, plaintext: "postgres://app:vector-password@db.internal:5432/app" },
      EMPTY: { t: 1735732800, plaintext: "" },
      GREETING: { t: 1735732800, plaintext: "héllo wörld ✓ 🔑 日本語" },
      MULTILINE: { t: 1735732801, plaintext: "-----BEGIN KEY-----\nline two\r\nline three\n" },
      QUOTES: { t: 1735732802, plaintext: ` a "double" 'single' \`back\` = # $HOME \${VAR} \\n ` },
      ZERO_TIME: { t: 0, plaintext: "0" },
    },
  },
  { scope: "production", values: { BOM_VALUE: { t: 1735819200, plaintext: "\uFEFFstarts with a BOM" } } },
  { scope: "production:payments", values: { STRIPE_SECRET_KEY: { t: 1735905600, plaintext: "sk_test_not_a_real_key" } } },
];

const batches = {};
const values = {};
const batchLines = [];
const valueLines = [];
for (const { scope, values: vals } of plan) {
  const batchKey = seal.newBatchKey();
  const wrapped = await scopekey.wrapBatchKey(batchKey, scopes[scope].key.recipient);
  const valueKey = seal.deriveValueKey(batchKey);
  batches[wrapped.id] = { scope, b64: wrapped.b64, batchKeyHex: hex(batchKey), valueKeyHex: hex(valueKey) };
  batchLines.push(`#@batch ${wrapped.id} ${scope} ${wrapped.b64}`);
  for (const [key, { t, plaintext }] of Object.entries(vals)) {
    const payload = seal.sealValue({ valueKey, env, scope, key, t, plaintext });
    values[key] = { scope, batch: wrapped.id, t, payload, adHex: hex(seal.associatedData({ env, scope, key, t })), plaintext };
    valueLines.push(`${key}=ev1:${wrapped.id}:${t}:${payload}`);
  }
}
const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
write(
  `envs/${env}.env`,
  [
    `# envvault 1 ${env}`,
    "# Test vectors: encrypted to the TEST KEY in test/vectors/member-identity.txt.",
    ...Object.keys(scopes).sort(byName).map((s) => `#@scope ${s} ${scopes[s].key.recipient}`),
    ...batchLines.sort(byName),
    ...valueLines.sort(byName),
  ].join("\n") + "\n",
);

write(
  "expected.json",
  JSON.stringify(
    {
      comment: "Expected results of reading the vectors in this directory; see docs/FORMAT.md and README.md here.",
      env,
      envFile: `envs/${env}.env`,
      member: { identityFile: "member-identity.txt", recipient: member.recipient },
      scopes: Object.fromEntries(
        Object.entries(scopes).map(([name, s]) => [
          name,
          { keyFile: s.keyFile, recipient: s.key.recipient, identity: s.key.identity },
        ]),
      ),
      batches: Object.fromEntries(
        Object.entries(batches).map(([id, b]) => [id, { scope: b.scope, batchKeyHex: b.batchKeyHex, valueKeyHex: b.valueKeyHex }]),
      ),
      values: Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, { scope: v.scope, batch: v.batch, t: v.t, adHex: v.adHex, plaintext: v.plaintext }]),
      ),
    },
    null,
    2,
  ) + "\n",
);

// Negative vectors: each must fail with the given error code.
const [mainBatchId, , paymentsBatchId] = Object.keys(batches);
const mainBatch = batches[mainBatchId];
const db = values.DATABASE_URL;
const flipBit = (b64u, byteIndex) => {
  const bytes = Buffer.from(b64u, "base64url");
  bytes[byteIndex] ^= 0x01;
  return bytes.toString("base64url");
};
const valueCase = (name, expect, over) => ({
  name,
  kind: "value",
  expect,
  env,
  scope: db.scope,
  key: "DATABASE_URL",
  t: db.t,
  payload: db.payload,
  valueKeyHex: mainBatch.valueKeyHex,
  ...over,
});
// A well-formed seal of bytes that are not UTF-8, which sealValue cannot produce.
const notUtf8 = (() => {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("chacha20-poly1305", Buffer.from(mainBatch.valueKeyHex, "hex"), nonce, { authTagLength: 16 });
  const message = Buffer.from([0x66, 0x6f, 0xff, 0xfe]);
  cipher.setAAD(seal.associatedData({ env, scope: "production", key: "NOT_UTF8", t: 1 }), { plaintextLength: message.length });
  return Buffer.concat([nonce, cipher.update(message), cipher.final(), cipher.getAuthTag()]).toString("base64url");
})();

const mainKeyFile = readFileSync(join(OUT, scopes.production.keyFile), "utf8");
const armorLines = mainKeyFile.trimEnd().split("\n");
const flipArmorChar = (line) => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return alphabet[alphabet.indexOf(line[0]) ^ 1] + line.slice(1);
};
const lastBody = armorLines.length - 2;
const keyFileFlipped = [...armorLines.slice(0, lastBody), flipArmorChar(armorLines[lastBody]), armorLines.at(-1)].join("\n") + "\n";
const keyFileTruncated = [...armorLines.slice(0, lastBody), armorLines.at(-1)].join("\n") + "\n";
const keyCase = (name, expect, over) => ({
  name,
  kind: "scope-key",
  expect,
  scope: "production",
  expectedRecipient: scopes.production.key.recipient,
  identityFile: "member-identity.txt",
  keyFileText: mainKeyFile,
  ...over,
});

const batchBytes = Buffer.from(mainBatch.b64, "base64");
const flippedBatch = Buffer.from(batchBytes);
flippedBatch[flippedBatch.length - 1] ^= 0x01;
const shortBatch = await age.encrypt(seal.newBatchKey().subarray(0, 31), [scopes.production.key.recipient]);
const batchCase = (name, expect, over) => ({
  name,
  kind: "batch",
  expect,
  env,
  scope: "production",
  scopeIdentityFrom: "production",
  id: mainBatchId,
  b64: mainBatch.b64,
  ...over,
});

const negative = [
  valueCase("value with a flipped ciphertext bit", "TAMPERED", { payload: flipBit(db.payload, 14) }),
  valueCase("value with a flipped tag bit", "TAMPERED", { payload: flipBit(db.payload, Buffer.from(db.payload, "base64url").length - 1) }),
  valueCase("value with a flipped nonce bit", "TAMPERED", { payload: flipBit(db.payload, 0) }),
  valueCase("value moved to another key", "TAMPERED", { key: "DATABASE_URL_COPY" }),
  valueCase("value moved to another environment", "TAMPERED", { env: "staging", scope: "staging" }),
  valueCase("value moved to another scope's batch", "TAMPERED", {
    scope: "production:payments",
    valueKeyHex: batches[paymentsBatchId].valueKeyHex,
  }),
  valueCase("value with a changed timestamp", "TAMPERED", { t: db.t + 1 }),
  valueCase("value opened with another batch's key", "TAMPERED", { valueKeyHex: batches[Object.keys(batches)[1]].valueKeyHex }),
  valueCase("value truncated below nonce and tag", "TAMPERED", { payload: db.payload.slice(0, 36) }),
  valueCase("value in non-canonical base64url", "TAMPERED", { payload: `${db.payload}=` }),
  valueCase("value whose plaintext is not UTF-8", "TAMPERED", { key: "NOT_UTF8", t: 1, payload: notUtf8 }),
  keyCase("scope key file opened by a non-recipient", "NOT_A_RECIPIENT", { identityFile: "other-identity.txt" }),
  keyCase("scope key file with a flipped payload bit", "TAMPERED", { keyFileText: keyFileFlipped }),
  keyCase("scope key file truncated", "TAMPERED", { keyFileText: keyFileTruncated }),
  keyCase("scope key file that is not an age file", "TAMPERED", {
    keyFileText: "-----BEGIN AGE ENCRYPTED FILE-----\nbm90IGFuIGFnZSBmaWxl\n-----END AGE ENCRYPTED FILE-----\n",
  }),
  keyCase("scope key file of another scope", "TAMPERED", {
    keyFileText: readFileSync(join(OUT, scopes["production:payments"].keyFile), "utf8"),
  }),
  batchCase("batch whose id does not match its bytes", "TAMPERED", { id: "000000000000" }),
  batchCase("batch with a flipped bit (id recomputed)", "TAMPERED", {
    b64: flippedBatch.toString("base64"),
    id: seal.batchId(flippedBatch),
  }),
  batchCase("batch moved from another scope", "TAMPERED", { id: paymentsBatchId, b64: batches[paymentsBatchId].b64 }),
  batchCase("batch holding 31 bytes", "TAMPERED", { id: seal.batchId(shortBatch), b64: Buffer.from(shortBatch).toString("base64") }),
];
write("negative.json", JSON.stringify({ comment: "Each case must fail with the error code in `expect`.", cases: negative }, null, 2) + "\n");
console.log(`make-vectors: wrote ${OUT}/ (${Object.keys(values).length} values, ${negative.length} negative cases)`);
