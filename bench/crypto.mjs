// Measures the crypto of reading a vault (docs/FORMAT.md §5): scope key files, batches,
// values. Build first (`npx tsc -p tsconfig.build.json`), then `node bench/crypto.mjs`.
// Prints a Markdown table; every figure is the median of repeated runs in one process.
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

// tsc's rootDir decides whether the build lands in dist/lib/crypto or dist/lib/src/crypto.
const dir = ["dist/lib/crypto", "dist/lib/src/crypto"].find((d) => existsSync(`${d}/age.js`));
if (dir === undefined) {
  console.error("bench/crypto.mjs: no build found; run `npx tsc -p tsconfig.build.json` first");
  process.exit(1);
}
const load = (name) => import(pathToFileURL(`${dir}/${name}.js`).href);
const age = await load("age");
const scopekey = await load("scopekey");
const seal = await load("seal");

const t0 = performance.now();
const me = await age.generateIdentity(); // first call loads age-encryption
const moduleLoadMs = performance.now() - t0;
const meRecipient = await age.identityToRecipient(me);

/** Median wall time of `fn` in milliseconds over `runs` runs, after `warmup` runs. */
async function median(fn, runs = 200, warmup = 20) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const env = "production";
const scopeName = "production";
const scope = await scopekey.newScopeKey(scopeName);
const ctx = { scope: scopeName, expectedRecipient: scope.recipient, file: ".envvault/keys/production/me.age" };

// Scope key file for one member (the chosen layout).
const oneMember = await scopekey.wrapScopeKey(scope, [meRecipient]);
// One shared file for 50 members, the reader's stanza last (the worst case a shared file has).
const others = await Promise.all(Array.from({ length: 49 }, async () => age.identityToRecipient(await age.generateIdentity())));
const fiftyMembers = await scopekey.wrapScopeKey(scope, [...others, meRecipient]);
const fiftyFirst = await scopekey.wrapScopeKey(scope, [meRecipient, ...others]);

const prepared = await age.prepareIdentity(me);
const scopePrepared = await age.prepareIdentity(scope.identity);
const figures = {};

figures["prepare an identity (WebCrypto import, recipient)"] = await median(async (i) => {
  // A new key each run: prepareIdentity caches by key.
  await age.prepareIdentity(await age.generateIdentity(), `bench ${i}`);
});
figures["unwrap scope key file, 1 member (prepared identity)"] = await median(() =>
  scopekey.unwrapScopeKey(oneMember, prepared, ctx),
);
figures["unwrap scope key file, 1 member (typage with key strings, no CryptoKey)"] = await median(async () => {
  const { Decrypter, armor } = await import("age-encryption");
  const d = new Decrypter();
  d.addIdentity(me);
  await d.decrypt(armor.decode(oneMember));
});
figures["unwrap shared key file, 50 recipients, reader last"] = await median(() =>
  scopekey.unwrapScopeKey(fiftyMembers, prepared, ctx),
);
figures["unwrap shared key file, 50 recipients, reader first"] = await median(() =>
  scopekey.unwrapScopeKey(fiftyFirst, prepared, ctx),
);

const batchKey = seal.newBatchKey();
const batch = await scopekey.wrapBatchKey(batchKey, scope.recipient);
figures["unwrap batch key (prepared scope identity)"] = await median(() =>
  scopekey.unwrapBatchKey(batch.b64, batch.id, scopePrepared, { env, scope: scopeName }),
);
figures["derive value key (HKDF)"] = await median(() => seal.deriveValueKey(batchKey), 2000, 200);

const valueKey = seal.deriveValueKey(batchKey);
const value = "postgres://app:s3cr3t-passw0rd@db.internal:5432/app?sslmode=require"; // 68 bytes
const payload = seal.sealValue({ valueKey, env, scope: scopeName, key: "DATABASE_URL", t: 1700000000, plaintext: value });
const perValue = async (fn) => (await median(async () => { for (let i = 0; i < 1000; i++) fn(); }, 50, 5)) / 1000;
figures["seal one value (68 bytes)"] = await perValue(() =>
  seal.sealValue({ valueKey, env, scope: scopeName, key: "DATABASE_URL", t: 1700000000, plaintext: value }),
);
figures["open one value (68 bytes)"] = await perValue(() =>
  seal.openValue({ valueKey, env, scope: scopeName, key: "DATABASE_URL", t: 1700000000, payload }),
);

/** A whole unlock's crypto: one scope key file, `batches` batches, 2,000 values. */
async function unlockCost(batches) {
  const lines = [];
  const wrapped = [];
  for (let b = 0; b < batches; b++) {
    const bk = seal.newBatchKey();
    const w = await scopekey.wrapBatchKey(bk, scope.recipient);
    const vk = seal.deriveValueKey(bk);
    wrapped.push(w);
    for (let i = b; i < 2000; i += batches) {
      const key = `VAR_${String(i).padStart(4, "0")}`;
      lines.push({ key, batch: b, payload: seal.sealValue({ valueKey: vk, env, scope: scopeName, key, t: 1700000000, plaintext: value }) });
    }
  }
  return median(async () => {
    // Key strings, as a reader holding an identity file has them; the first run of each
    // median pays the WebCrypto import, later runs hit prepareIdentity's cache.
    const scopeIdentity = await scopekey.unwrapScopeKey(oneMember, [me], ctx);
    const valueKeys = [];
    for (const w of wrapped) {
      valueKeys.push(seal.deriveValueKey(await scopekey.unwrapBatchKey(w.b64, w.id, scopeIdentity, { env, scope: scopeName })));
    }
    for (const l of lines) {
      seal.openValue({ valueKey: valueKeys[l.batch], env, scope: scopeName, key: l.key, t: 1700000000, payload: l.payload });
    }
  }, 30, 3);
}
figures["unlock 2,000 values in 1 batch (total crypto)"] = await unlockCost(1);
figures["unlock 2,000 values in 20 batches (total crypto)"] = await unlockCost(20);
figures["(rejected) 2,000 values as one age file each, estimated"] =
  2000 * figures["unwrap batch key (prepared scope identity)"];

const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
console.log(`Node ${process.version}, ${process.platform}/${process.arch}; age-encryption load (first call): ${fmt(moduleLoadMs)}`);
console.log(`key file sizes: 1 member ${oneMember.length} B, 50 recipients ${fiftyMembers.length} B; batch line payload ${batch.b64.length} B`);
console.log("");
console.log("| operation | median |");
console.log("|---|---|");
for (const [name, ms] of Object.entries(figures)) console.log(`| ${name} | ${fmt(ms)} |`);
