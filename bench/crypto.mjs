// Measures the crypto of reading a vault (docs/FORMAT.md §5): scope key files, batches,
// values. Build first (`npx tsc -p tsconfig.build.json`), then `node bench/crypto.mjs`.
// Prints a Markdown table. A "cold" unlock is the first one in a fresh process (identities
// not yet prepared, V8 not yet warmed up), as in one CLI run: median of 5 child processes
// (`--cold N` runs one). Every other figure is the median of repeated runs in one process.
import { spawnSync } from "node:child_process";
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

// The cost of importing age-encryption (typage) itself, which every decrypting command pays
// once (the CLI bundle stubs its unused parts, so it pays less than this).
const loadStart = performance.now();
await import("age-encryption");
const moduleLoadMs = performance.now() - loadStart;
const me = await age.generateIdentity();
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
const value = "postgres://app:s3cr3t-passw0rd@db.internal:5432/app?sslmode=require"; // 68 bytes
const oneMember = await scopekey.wrapScopeKey(scope, [meRecipient]);

/** Seals 2,000 values into `batches` batches of the scope; returns a whole unlock's crypto. */
async function unlockFixture(batches) {
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
  // Key strings, as a reader holding an identity file has them (and as src/app passes them).
  return async () => {
    const scopeIdentity = await scopekey.unwrapScopeKey(oneMember, [me], ctx);
    const valueKeys = [];
    for (const w of wrapped) {
      valueKeys.push(seal.deriveValueKey(await scopekey.unwrapBatchKey(w.b64, w.id, scopeIdentity, { env, scope: scopeName })));
    }
    for (const l of lines) {
      seal.openValue({ valueKey: valueKeys[l.batch], env, scope: scopeName, key: l.key, t: 1700000000, payload: l.payload });
    }
  };
}
if (process.argv[2] === "--cold") {
  const unlock = await unlockFixture(Number(process.argv[3]));
  const start = performance.now();
  await unlock();
  console.log(performance.now() - start);
  process.exit(0);
}

/** Median of 5 cold unlocks of 2,000 values in `batches` batches, each in a new process. */
function cold(batches) {
  const times = Array.from({ length: 5 }, () => {
    const child = spawnSync(process.execPath, [process.argv[1], "--cold", String(batches)], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(child.stderr);
    return Number(child.stdout.trim());
  });
  return times.sort((a, b) => a - b)[2];
}

const figures = {};
figures["unlock 2,000 values in 1 batch (total crypto, cold)"] = cold(1);
figures["unlock 2,000 values in 20 batches (total crypto, cold)"] = cold(20);
// src/app/write.ts lets a scope grow to 64 batches before a reader consolidates them.
figures["unlock 2,000 values in 64 batches (total crypto, cold)"] = cold(64);
const unlockOne = await unlockFixture(1);
const unlockTwenty = await unlockFixture(20);
figures["unlock 2,000 values in 1 batch (total crypto, warm)"] = await median(unlockOne, 30, 3);
figures["unlock 2,000 values in 20 batches (total crypto, warm)"] = await median(unlockTwenty, 30, 3);

figures["prepare an identity (WebCrypto import, derive recipient)"] = await median(async (i) => {
  // A new key each run: prepareIdentity caches by key.
  await age.prepareIdentity(await age.generateIdentity(), `bench ${i}`);
});
const prepared = await age.prepareIdentity(me);
figures["unwrap scope key file, 1 member (prepared identity)"] = await median(() =>
  scopekey.unwrapScopeKey(oneMember, prepared, ctx),
);
figures["same, typage given the key string (no CryptoKey)"] = await median(async () => {
  const { Decrypter, armor } = await import("age-encryption");
  const d = new Decrypter();
  d.addIdentity(me);
  await d.decrypt(armor.decode(oneMember));
});
// One shared file for 50 members: the reader's stanza last (worst case) and first (best).
const others = await Promise.all(Array.from({ length: 49 }, async () => age.identityToRecipient(await age.generateIdentity())));
const fiftyLast = await scopekey.wrapScopeKey(scope, [...others, meRecipient]);
const fiftyFirst = await scopekey.wrapScopeKey(scope, [meRecipient, ...others]);
figures["unwrap shared key file, 50 recipients, reader last"] = await median(() => scopekey.unwrapScopeKey(fiftyLast, prepared, ctx));
figures["unwrap shared key file, 50 recipients, reader first"] = await median(() => scopekey.unwrapScopeKey(fiftyFirst, prepared, ctx));

const batchKey = seal.newBatchKey();
const batch = await scopekey.wrapBatchKey(batchKey, scope.recipient);
const scopePrepared = await age.prepareIdentity(scope.identity);
figures["unwrap batch key (prepared scope identity)"] = await median(() =>
  scopekey.unwrapBatchKey(batch.b64, batch.id, scopePrepared, { env, scope: scopeName }),
);
figures["derive value key (HKDF)"] = await median(() => seal.deriveValueKey(batchKey), 2000, 200);

const valueKey = seal.deriveValueKey(batchKey);
const payload = seal.sealValue({ valueKey, env, scope: scopeName, key: "DATABASE_URL", t: 1700000000, plaintext: value });
const perValue = async (fn) => (await median(async () => { for (let i = 0; i < 1000; i++) fn(); }, 50, 5)) / 1000;
figures["seal one value (68 bytes)"] = await perValue(() =>
  seal.sealValue({ valueKey, env, scope: scopeName, key: "DATABASE_URL", t: 1700000000, plaintext: value }),
);
figures["open one value (68 bytes)"] = await perValue(() =>
  seal.openValue({ valueKey, env, scope: scopeName, key: "DATABASE_URL", t: 1700000000, payload }),
);
figures["(rejected) 2,000 values as one age file each, estimated"] = 2000 * figures["unwrap batch key (prepared scope identity)"];

const fmt = (ms) => (ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`);
console.log(`Node ${process.version}, ${process.platform}/${process.arch}; loading age-encryption: ${fmt(moduleLoadMs)}`);
console.log(`key file: 1 member ${oneMember.length} B, 50 recipients ${fiftyLast.length} B; #@batch payload ${batch.b64.length} B`);
console.log("");
console.log("| operation | time |");
console.log("|---|---|");
for (const [name, ms] of Object.entries(figures)) console.log(`| ${name} | ${fmt(ms)} |`);
