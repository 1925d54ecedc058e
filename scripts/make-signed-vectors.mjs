// Writes the signature test vectors of docs/FORMAT.md §4–§6 into test/vectors/signed/ with
// envvault's own functions (build first: `npm run build`). `--write` writes them; without it
// the script rebuilds every file in memory and reports those that differ from the committed
// ones (exit 1), so a format change shows up as a diff. Random inputs (identities, scope key
// pairs, batch keys, age files, nonces) are drawn once into inputs.json and reused, and
// Ed25519 is deterministic, so every run gives the same bytes; delete inputs.json to draw new
// ones. test/unit/vectors-signed.test.ts only reads the outputs.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const LIB = "dist/lib/src";
if (!existsSync(`${LIB}/model/trust.js`)) {
  console.error("make-signed-vectors: no build found; run `npm run build` first");
  process.exit(1);
}
const load = (name) => import(pathToFileURL(`${LIB}/${name}.js`).href);
const age = await load("crypto/age");
const bech32 = await load("crypto/bech32");
const scopekey = await load("crypto/scopekey");
const seal = await load("crypto/seal");
const sign = await load("crypto/sign");
const chainLib = await load("model/chain");
const envfile = await load("model/envfile");
const layout = await load("model/layout");
const rosterLib = await load("model/roster");
const signed = await load("model/signed");
const signing = await load("model/signing");
const trust = await load("model/trust");
const yamlfile = await load("model/yamlfile");

const OUT = "test/vectors/signed";
const WRITE = process.argv.includes("--write");
const ENV = "production";
const PAYMENTS = "production:payments";
const T1 = 1735732800; // 2025-01-01T12:00:00Z: alice's first write
const T2 = T1 + 86400; // ci sets a deploy token
const T3 = T2 + 86400; // alice changes a value and removes one
const T4 = T3 + 86400; // the attacks
const EVIL = "postgres://mallory.example/steal";
const TEST_KEYS = "TEST KEYS: published in envvault's test vectors (test/vectors/signed/). They protect nothing; never use them, or anything encrypted to them, for a real secret.";

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const b64u = (bytes) => Buffer.from(bytes).toString("base64url");
const sha = (text) => sign.sha256Hex(text);
const json = (data) => JSON.stringify(data, null, 2) + "\n";
const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// --- Random inputs, drawn once -------------------------------------------------------------
const INPUTS = join(OUT, "inputs.json");
const previous = existsSync(INPUTS) ? JSON.parse(readFileSync(INPUTS, "utf8")) : {};
const inputs = { comment: `${TEST_KEYS} The random inputs of make-signed-vectors.mjs, drawn once and reused.`, identities: {}, scopeKeys: {}, batches: {}, values: {} };

/** The entry `name` of `kind` from the last run when it was drawn for the same `spec`, else a new draw. */
async function once(kind, name, spec, draw) {
  const old = previous[kind]?.[name];
  const same = old !== undefined && Object.entries(spec).every(([k, v]) => old[k] === v);
  inputs[kind][name] = same ? old : { ...spec, ...(await draw()) };
  return inputs[kind][name];
}

const people = {};
for (const name of ["alice", "ci", "mallory"]) {
  const { identity } = await once("identities", name, {}, async () => ({ identity: await age.generateIdentity() }));
  const signer = sign.signerFor(identity);
  people[name] = { identity, recipient: await age.identityToRecipient(identity), signer, writer: { member: name, publicKey: signer.publicKey, sign: (m) => signer.sign(m) } };
}
const { alice, ci, mallory } = people;

const scopeKey = (name, scope) => once("scopeKeys", name, { scope }, () => scopekey.newScopeKey(scope).then(({ identity, recipient }) => ({ identity, recipient })));
const keys = {
  production: await scopeKey("production", ENV),
  payments: await scopeKey("payments", PAYMENTS),
  deploy: await scopeKey("deploy", "production:deploy"),
  rotated: await scopeKey("rotated", ENV),
  mallory: await scopeKey("mallory", ENV),
};

async function batch(name, key) {
  const b = await once("batches", name, { scope: key.scope, recipient: key.recipient }, async () => {
    const batchKey = seal.newBatchKey();
    const w = await scopekey.wrapBatchKey(batchKey, key.recipient);
    return { keyHex: hex(batchKey), id: w.id, b64: w.b64 };
  });
  return { ...b, entry: { scope: b.scope, age: b.b64 } };
}

/** A value sealed under batch `b`; `prev` is filled in by signing. */
async function value(b, key, t, plaintext) {
  const place = { env: ENV, scope: b.scope, key, t };
  const v = await once("values", `${b.id}/${key}`, { ...place, batch: b.id, plaintext }, async () => ({
    payload: seal.sealValue({ ...place, valueKey: seal.deriveValueKey(Buffer.from(b.keyHex, "hex")), plaintext }),
  }));
  return { batch: b.id, t, payload: v.payload };
}

// --- roster.yaml, vault.yaml and the chain ---------------------------------------------------
const member = (name, p, extra = []) => [`  ${name}:`, ...extra, "    recipients:", `      - ${p.recipient}`, "    signing_keys:", `      - ${p.signer.publicKey}`];
const rosterText = (admins, members, access) =>
  [
    "# envvault: members, their age recipients and signing keys, admins, and who may read and write which scope (schema/roster.schema.json)",
    "version: 1",
    `admins: [${admins.join(", ")}]`,
    "members:",
    ...members,
    "access:",
    ...access,
    "",
  ].join("\n");
const roster1Text = rosterText(["alice"], member("alice", alice), [`  ${ENV}:`, "    members: [alice]", `  ${PAYMENTS}:`, "    members: [alice]"]);
const rosterAccess = [`  ${ENV}:`, "    members: [alice]", "    write:", "      members: [alice, ci]", `  ${PAYMENTS}:`, "    members: [alice]"];
const roster2Text = rosterText(["alice"], [...member("alice", alice), ...member("ci", ci, ["    kind: machine"])], rosterAccess);
const vaultText = [
  "# envvault: environments, variable definitions and targets (schema/vault.schema.json)",
  "version: 1",
  `default_env: ${ENV}`,
  "environments:",
  `  ${ENV}: {}`,
  "targets:",
  "  - path: .env",
  "",
].join("\n");
const parseRoster = (text) => yamlfile.loadYaml(text, layout.ROSTER_FILE, "roster", (d, lineOf) => rosterLib.checkRoster(d, lineOf)).data;
yamlfile.loadYaml(vaultText, layout.VAULT_FILE, "vault");
const roster1 = parseRoster(roster1Text);
const roster = parseRoster(roster2Text);

const rootChain = signing.extendChain([], [], { roster: sha(roster1Text), vault: sha(vaultText) }, roster1, alice.writer);
const rootLinks = chainLib.parseChain(rootChain);
const chainText = signing.extendChain(rootLinks, rootLinks, { roster: sha(roster2Text), vault: sha(vaultText) }, roster, alice.writer);
const links = chainLib.parseChain(chainText);
const [rootLink, adminLink] = links;

// --- The environment file, written in three signed writes -----------------------------------
const COMMENT = "# Test vectors of docs/FORMAT.md §4: every key of test/vectors/signed/ is a published TEST KEY.";
const clone = (f) => ({ ...f, comments: [...f.comments], scopes: new Map(f.scopes), scopePrev: new Map(f.scopePrev), batches: new Map(f.batches), sigs: new Map(f.sigs), removed: new Map(f.removed), values: new Map(f.values) });
const leafOf = (f, name) => signed.lineLeaves(envfile.signedView(f)).get(name);

const b1 = await batch("write1/production", keys.production);
const b1p = await batch("write1/payments", keys.payments);
const after1 = {
  ...envfile.emptyEnvFile(ENV),
  comments: [COMMENT],
  scopes: new Map([[ENV, keys.production.recipient], [PAYMENTS, keys.payments.recipient]]),
  batches: new Map([[b1.id, b1.entry], [b1p.id, b1p.entry]]),
  values: new Map([
    ["DATABASE_URL", await value(b1, "DATABASE_URL", T1, "postgres://app:first-password@db.internal:5432/app")],
    ["OLD_TOKEN", await value(b1, "OLD_TOKEN", T1, "token-to-be-removed")],
    ["STRIPE_KEY", await value(b1p, "STRIPE_KEY", T1, "sk_test_not_a_real_key")],
  ]),
};
const f1 = signing.signEnvChange(undefined, after1, roster, alice.writer, T1);

const b2 = await batch("write2/production", keys.production);
const after2 = clone(f1);
after2.batches.set(b2.id, b2.entry);
after2.values.set("DEPLOY_TOKEN", await value(b2, "DEPLOY_TOKEN", T2, "deploy-token-set-by-ci"));
const f2 = signing.signEnvChange(f1, after2, roster, ci.writer, T2);

const b3 = await batch("write3/production", keys.production);
const after3 = clone(f2);
after3.batches.set(b3.id, b3.entry);
after3.values.set("DATABASE_URL", await value(b3, "DATABASE_URL", T3, "postgres://app:second-password@db.internal:5432/app"));
after3.values.delete("OLD_TOKEN");
const f3 = signing.signEnvChange(f2, envfile.pruneBatches(after3), roster, alice.writer, T3);

const history = [
  { file: "production.1.env", f: f1, by: "alice", t: T1, wrote: "scopes production and production:payments; DATABASE_URL, OLD_TOKEN, STRIPE_KEY" },
  { file: "production.2.env", f: f2, by: "ci", t: T2, wrote: "DEPLOY_TOKEN (ci may write production, not read it)" },
  { file: "production.env", f: f3, by: "alice", t: T3, wrote: "DATABASE_URL changed (prev names its first line); OLD_TOKEN removed" },
];

// --- Expected intermediates ------------------------------------------------------------------
const FILES = { chain: layout.CHAIN_FILE, "roster.yaml": layout.ROSTER_FILE, "vault.yaml": layout.VAULT_FILE, "production.env": layout.envPath(ENV) };
const rosterFiles = { [sha(roster1Text)]: "roster.1.yaml", [sha(roster2Text)]: "roster.yaml" };

function memberVector(p) {
  const pk = Buffer.from(p.signer.publicKey.slice("ed25519:".length), "base64url");
  return {
    recipient: p.recipient,
    identityBytesHex: hex(bech32.bech32Decode(p.identity, "AGE-SECRET-KEY-")),
    seedHex: hex(sign.deriveFromIdentity(p.identity, "envvault/v2/signing-key")),
    publicKeyHex: hex(pk),
    signingKey: p.signer.publicKey,
  };
}

function linkVector(l) {
  const body = chainLib.linkBody(l.seq, l);
  return {
    line: chainLib.printChain([l]).split("\n")[1],
    seq: l.seq,
    prev: l.prev.length === 0 ? "-" : l.prev.join(","),
    roster: { file: rosterFiles[l.roster], sha256: l.roster },
    vault: { file: "vault.yaml", sha256: l.vault },
    exposed: l.exposed ?? "-",
    admins: chainLib.printAdmins(l.admins),
    member: l.member,
    bodyHex: hex(body),
    signature: l.signature,
    hash: l.hash,
  };
}

/** Every signed line of a file with its leaf's exact input, and every record with its message. */
function fileVector(f) {
  const lines = [];
  const add = (line, kind, name, label, fields) => {
    const input = Buffer.from([label, ...fields.map(String)].join("\0"), "utf8");
    const leaf = b64u(createHash("sha256").update(input).digest().subarray(0, 16));
    lines.push({ line, kind, name, label, fields: fields.map(String), inputHex: hex(input), leaf });
  };
  for (const [scope, recipient] of [...f.scopes].sort((a, b) => byName(a[0], b[0]))) {
    const prev = f.scopePrev.get(scope);
    add(`#@scope ${scope} ${recipient} ${prev}`, "scope", scope, "envvault/v2/scope", [ENV, scope, recipient, prev]);
  }
  for (const [key, r] of [...f.removed].sort((a, b) => byName(a[0], b[0]))) {
    add(envfile.removedLine(key, r), "removal", key, "envvault/v2/removed", [ENV, r.scope, key, r.t, r.prev]);
  }
  for (const [key, v] of [...f.values].sort((a, b) => byName(a[0], b[0]))) {
    const b = f.batches.get(v.batch);
    add(envfile.valueLine(key, v), "value", key, "envvault/v2/value", [ENV, b.scope, f.scopes.get(b.scope), key, signed.batchHash(b.age), v.t, v.prev, v.payload]);
  }
  const library = signed.leavesOf(envfile.signedView(f));
  if (lines.length !== library.size || lines.some((l) => !library.has(l.leaf))) throw new Error("make-signed-vectors: the leaves computed here differ from the library's");
  const records = [...f.sigs].sort((a, b) => byName(a[0], b[0])).map(([id, r]) => {
    const leafList = signed.splitLeaves(r.leaves);
    return {
      line: `#@sig ${id} ${r.anchor} ${r.member} ${r.signature} ${r.leaves}`,
      anchor: r.anchor,
      id,
      member: r.member,
      signingKey: people[r.member].signer.publicKey,
      leafList,
      leaves: r.leaves,
      covers: lines.filter((l) => leafList.includes(l.leaf)).map((l) => (l.kind === "scope" ? `scope ${l.name}` : l.name)),
      messageHex: hex(signed.changeMessage(ENV, r.member, r.leaves)),
      signature: r.signature,
    };
  });
  return { lines, records };
}

const outputs = new Map([
  ["roster.1.yaml", roster1Text],
  ["roster.yaml", roster2Text],
  ["vault.yaml", vaultText],
  ["chain", chainText],
  ...history.map((h) => [h.file, envfile.printEnvFile(h.f)]),
]);
const envText = outputs.get("production.env");
for (const h of history) {
  const text = outputs.get(h.file);
  if (envfile.printEnvFile(envfile.parseEnvFile(text, h.file, ENV)) !== text) throw new Error(`make-signed-vectors: ${h.file} does not print back to its bytes`);
}

// --- The state and history checks, as the test runs them --------------------------------------
const base = { chain: chainText, "roster.yaml": roster2Text, "vault.yaml": vaultText, "production.env": envText };
function stateOf(replace = {}) {
  const files = { ...base, ...replace };
  const envs = [envfile.signedView(envfile.parseEnvFile(files["production.env"], FILES["production.env"], ENV))];
  return { chain: files.chain, rosterText: files["roster.yaml"], vaultText: files["vault.yaml"], roster: parseRoster(files["roster.yaml"]), envs };
}
const checkState = (replace, o = { pin: rootLink.hash }) => trust.checkState(stateOf(replace), sign.verifySignature, o).problems;
const parseEnv = (text) => envfile.signedView(envfile.parseEnvFile(text, FILES["production.env"], ENV));
function checkTransition(parentFile, childText) {
  const ancestry = new signed.Ancestry();
  for (const h of history) ancestry.add(parseEnv(outputs.get(h.file)));
  const child = parseEnv(childText);
  ancestry.add(child);
  return signed.checkFileTransition(ENV, child, [parseEnv(outputs.get(parentFile))], ancestry);
}

const norm = (p) => ({ file: p.file, ...(p.key === undefined ? {} : { key: p.key }), ...(p.signer === undefined ? {} : { signer: p.signer }), what: p.what });
const order = (a, b) => byName(`${a.file} ${a.key ?? ""} ${a.what}`, `${b.file} ${b.key ?? ""} ${b.what}`);
/** Whether `actual` problems are exactly `expected` (each `what` a fragment of the actual text). */
function matches(actual, expected) {
  const a = actual.map(norm).sort(order);
  const e = [...expected].sort(order);
  return a.length === e.length && a.every((p, i) => p.file === e[i].file && p.key === e[i].key && p.signer === e[i].signer && p.what.includes(e[i].what));
}
const expectProblems = (name, actual, expected) => {
  if (!matches(actual, expected)) throw new Error(`make-signed-vectors: ${name}: the library reports ${JSON.stringify(actual.map(norm))}, not ${JSON.stringify(expected)}`);
};
expectProblems("the positive state", checkState({}), []);
for (const [i, h] of history.entries()) {
  const ancestry = new signed.Ancestry();
  for (const g of history.slice(0, i + 1)) ancestry.add(parseEnv(outputs.get(g.file)));
  const parent = i === 0 ? [undefined] : [parseEnv(outputs.get(history[i - 1].file))];
  expectProblems(`the history up to ${h.file}`, signed.checkFileTransition(ENV, parseEnv(outputs.get(h.file)), parent, ancestry), []);
}

// --- Negative vectors --------------------------------------------------------------------------
const ENV_FILE = FILES["production.env"];
const print = (f) => envfile.printEnvFile(envfile.pruneBatches(f));

// Mallory's seal of her own value under a batch she made with production's public recipient.
const forgedBatch = await batch("attack/production", keys.production);
const forged = clone(f3);
forged.batches.set(forgedBatch.id, forgedBatch.entry);
forged.values.set("DATABASE_URL", { ...(await value(forgedBatch, "DATABASE_URL", T4, EVIL)), prev: leafOf(f3, "DATABASE_URL") });
const claimed = clone(forged);
signing.addRecord(claimed, { ...mallory.writer, member: "alice" }, [leafOf(forged, "DATABASE_URL")], ["DATABASE_URL"]);

const ciBatch = await batch("attack/payments", keys.payments);
const ciPayments = clone(f3);
ciPayments.batches.set(ciBatch.id, ciBatch.entry);
ciPayments.values.set("STRIPE_KEY", { ...(await value(ciBatch, "STRIPE_KEY", T4, "sk_live_set_by_ci")), prev: leafOf(f3, "STRIPE_KEY") });
signing.addRecord(ciPayments, ci.writer, [leafOf(ciPayments, "STRIPE_KEY")], ["STRIPE_KEY"]);

const swapped = clone(f3);
swapped.scopes.set(ENV, keys.mallory.recipient);
swapped.scopePrev.set(ENV, leafOf(f3, `scope ${ENV}`));

// ci re-signs production's lines under a key pair of its choosing: every value written after
// would be sealed to a key ci holds.
const rotated = clone(f3);
rotated.scopes.set(ENV, keys.rotated.recipient);
rotated.scopePrev.set(ENV, leafOf(f3, `scope ${ENV}`));
for (const key of ["DATABASE_URL", "DEPLOY_TOKEN"]) rotated.values.set(key, { ...f3.values.get(key), prev: leafOf(f3, key) });
const rotatedLines = [`scope ${ENV}`, "DATABASE_URL", "DEPLOY_TOKEN"];
signing.addRecord(rotated, ci.writer, rotatedLines.map((n) => leafOf(rotated, n)), rotatedLines);

const newScope = clone(f3);
newScope.scopes.set("production:deploy", keys.deploy.recipient);
newScope.scopePrev.set("production:deploy", signed.NO_PREV);
signing.addRecord(newScope, ci.writer, [leafOf(newScope, "scope production:deploy")], ["scope production:deploy"]);

const moved = clone(f3);
moved.values.set("DATABASE_URL", { ...f3.values.get("DEPLOY_TOKEN") });

const rosterWithMallory = roster2Text.replace(`      - ${alice.recipient}\n`, `      - ${alice.recipient}\n      - ${mallory.recipient}\n`);

// ci makes itself an admin, with a link it signed.
const roster3Text = roster2Text.replace("admins: [alice]", "admins: [alice, ci]");
const ciLink = chainLib.makeLink(links, { prev: [adminLink.hash], roster: sha(roster3Text), vault: sha(vaultText), admins: signing.linkAdmins(parseRoster(roster3Text)), member: "ci" }, (body) => ci.signer.sign(body));

// Link 1 edited to vouch for the roster with mallory's recipient: its hash kept, or recomputed.
const edited = { ...adminLink, roster: sha(rosterWithMallory) };
const editedRehashed = { ...edited, hash: chainLib.linkHash(chainLib.linkBody(edited.seq, edited), Buffer.from(edited.signature, "base64url")) };

// Mallory's own vault: her root, her roster (listing alice as a reader), her value.
const malloryRosterText = rosterText(["mallory"], [...member("alice", alice), ...member("mallory", mallory)], [`  ${ENV}:`, "    members: [alice, mallory]"]);
const malloryRoster = parseRoster(malloryRosterText);
const malloryChain = signing.extendChain([], [], { roster: sha(malloryRosterText), vault: sha(vaultText) }, malloryRoster, mallory.writer);
const malloryRoot = chainLib.parseChain(malloryChain)[0].hash;
const malloryBatch = await batch("mallory/production", keys.mallory);
const malloryEnv = signing.signEnvChange(
  undefined,
  { ...envfile.emptyEnvFile(ENV), scopes: new Map([[ENV, keys.mallory.recipient]]), batches: new Map([[malloryBatch.id, malloryBatch.entry]]), values: new Map([["DATABASE_URL", await value(malloryBatch, "DATABASE_URL", T4, EVIL)]]) },
  malloryRoster,
  mallory.writer,
  T4,
);

const rolledBack = clone(f3);
rolledBack.values.set("DATABASE_URL", f2.values.get("DATABASE_URL"));
rolledBack.batches.set(b1.id, b1.entry);

const state = (name, attack, check, replace, problems) => ({ name, attack, check, replace, problems });
const negative = [
  state("value replaced", "mallory seals her own DATABASE_URL with production's public recipient; no record covers it", "checkSignedFile", { "production.env": print(forged) }, [{ file: ENV_FILE, key: "DATABASE_URL", what: "is signed by nobody" }]),
  state("value with a record claiming alice, signed by another key", "the replaced value with a record that names alice but is signed by mallory's key", "checkSignedFile", { "production.env": print(claimed) }, [
    { file: ENV_FILE, key: "DATABASE_URL", signer: "alice", what: "claims a signature of alice that does not verify" },
  ]),
  state("value signed by a member who may not write its scope", "ci (write-only on production) sets STRIPE_KEY of production:payments and signs it with its own valid key", "checkSignedFile", { "production.env": print(ciPayments) }, [
    { file: ENV_FILE, key: "STRIPE_KEY", signer: "ci", what: "is signed by ci, who may not write scope production:payments" },
  ]),
  state("scope key pair replaced, unsigned", "production's recipient replaced by mallory's; the values of the scope bind the recipient in their leaves, so they lose their signatures too", "checkSignedFile", { "production.env": print(swapped) }, [
    { file: ENV_FILE, key: `scope ${ENV}`, what: "is signed by nobody" },
    { file: ENV_FILE, key: "DATABASE_URL", what: "is signed by nobody" },
    { file: ENV_FILE, key: "DEPLOY_TOKEN", what: "is signed by nobody" },
  ]),
  state("scope key pair rotated by a write-only member", "ci replaces production's key pair and signs the scope line and the scope's values itself", "checkSignedFile", { "production.env": print(rotated) }, [
    { file: ENV_FILE, key: `scope ${ENV}`, signer: "ci", what: "is signed by ci, who may not change the key pair of scope production" },
  ]),
  state("new scope signed by a non-admin", "ci adds scope production:deploy (prev -) and signs it", "checkSignedFile", { "production.env": print(newScope) }, [
    { file: ENV_FILE, key: "scope production:deploy", signer: "ci", what: "is signed by ci, who may not create a scope (admins only)" },
  ]),
  state("value moved to another key", "DEPLOY_TOKEN's line (batch, t, prev, payload) copied to DATABASE_URL: the key is a field of the leaf", "checkSignedFile", { "production.env": print(moved) }, [{ file: ENV_FILE, key: "DATABASE_URL", what: "is signed by nobody" }]),
  state("recipient added to roster.yaml", "mallory's recipient added under alice: roster.yaml no longer has the hash the chain's head vouches for", "checkState", { "roster.yaml": rosterWithMallory }, [
    { file: layout.ROSTER_FILE, what: "was changed without an admin's signature" },
  ]),
  state("vault.yaml changed", "the .env target of vault.yaml pointed elsewhere", "checkState", { "vault.yaml": vaultText.replace("path: .env", "path: leak.env") }, [{ file: layout.VAULT_FILE, what: "was changed without an admin's signature" }]),
  state("link signed by a non-admin", "ci makes itself an admin in roster.yaml and appends a link it signed", "checkChain", { chain: chainLib.printChain([...links, ciLink]), "roster.yaml": roster3Text }, [
    { file: layout.CHAIN_FILE, signer: "ci", what: `link ${ciLink.hash.slice(0, 12)} is signed by ci, who is not an admin of link ${adminLink.hash.slice(0, 12)}` },
  ]),
  state("link edited, its hash kept", "link 1's roster hash edited to vouch for roster.yaml with mallory's recipient", "checkChain", { chain: chainLib.printChain([rootLink, edited]), "roster.yaml": rosterWithMallory }, [
    { file: layout.CHAIN_FILE, signer: "alice", what: `link ${adminLink.hash.slice(0, 12)} is not what its hash says (it was edited)` },
  ]),
  state("link edited, its hash recomputed", "the same edit with the link's hash recomputed: alice's signature no longer verifies", "checkChain", { chain: chainLib.printChain([rootLink, editedRehashed]), "roster.yaml": rosterWithMallory }, [
    { file: layout.CHAIN_FILE, signer: "alice", what: `link ${editedRehashed.hash.slice(0, 12)} claims alice's signature, which does not verify` },
  ]),
  {
    ...state("whole vault with another root", "chain, roster.yaml and the environment file replaced by mallory's own valid vault, which lists alice as a reader", "checkState", { chain: malloryChain, "roster.yaml": malloryRosterText, "production.env": envfile.printEnvFile(malloryEnv) }, [
      { file: layout.CHAIN_FILE, signer: "mallory", what: `the vault's trust root is ${malloryRoot}, not the pinned ${rootLink.hash}` },
    ]),
    unpinned: [],
  },
  {
    name: "line deleted without a removal",
    attack: "DEPLOY_TOKEN's line deleted from production.env: the state check passes, the history check does not",
    check: "checkFileTransition",
    parent: "production.env",
    child: envText.replace(/^DEPLOY_TOKEN=.*\n/m, ""),
    problems: [{ file: ENV_FILE, key: "DEPLOY_TOKEN", what: "was deleted without a signed removal" }],
  },
  {
    name: "rollback",
    attack: "DATABASE_URL's first line (and its batch) put back over the second: still validly signed by alice, but older than the parent's line",
    check: "checkFileTransition",
    parent: "production.env",
    child: print(rolledBack),
    problems: [{ file: ENV_FILE, key: "DATABASE_URL", what: "was put back to an older version of itself (a rollback)" }],
  },
];
for (const c of negative) {
  if (c.check === "checkFileTransition") {
    expectProblems(c.name, checkTransition(c.parent, c.child), c.problems);
    expectProblems(`${c.name} (state)`, checkState({ "production.env": c.child }), []);
  } else {
    expectProblems(c.name, checkState(c.replace), c.problems);
    if (c.unpinned !== undefined) expectProblems(`${c.name} (no pin)`, checkState(c.replace, {}), c.unpinned);
  }
}

outputs.set("inputs.json", json(inputs));
outputs.set(
  "expected.json",
  json({
    comment: `${TEST_KEYS} What a reader must compute from the files here; see docs/FORMAT.md §4-§6 and test/vectors/README.md.`,
    env: ENV,
    files: FILES,
    members: Object.fromEntries(Object.entries(people).map(([name, p]) => [name, memberVector(p)])),
    trustRoot: rootLink.hash,
    chain: { file: "chain", links: links.map(linkVector) },
    history: history.map((h) => ({ file: h.file, by: h.by, t: h.t, wrote: h.wrote, ...fileVector(h.f) })),
  }),
);
outputs.set("negative.json", json({ comment: "Each case is the vault of expected.json with the files in `replace` (or a child of `parent`) changed; `check` must report exactly `problems`, each `what` a fragment of the message.", cases: negative }));

const stale = [...outputs].filter(([name, text]) => !existsSync(join(OUT, name)) || readFileSync(join(OUT, name), "utf8") !== text).map(([name]) => name);
if (WRITE) {
  mkdirSync(OUT, { recursive: true });
  for (const name of stale) writeFileSync(join(OUT, name), outputs.get(name));
  console.log(`make-signed-vectors: wrote ${stale.length} of ${outputs.size} files in ${OUT}/ (${negative.length} negative cases)`);
} else if (stale.length > 0) {
  console.error(`make-signed-vectors: not what the library computes now: ${stale.join(", ")}; run with --write to regenerate`);
  process.exit(1);
} else {
  console.log(`make-signed-vectors: ${OUT}/ is up to date`);
}
