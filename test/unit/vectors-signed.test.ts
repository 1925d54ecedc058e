// Reads the committed signature vectors of docs/FORMAT.md §4–§6 (test/vectors/signed/,
// written by scripts/make-signed-vectors.mjs) and recomputes every intermediate twice: from
// the format's definitions with node:crypto, and with src/. A change to the format, or to the
// library's bytes, fails here. Nothing here regenerates the vectors.
import { describe, expect, test } from "@jest/globals";
import { createHash, createPrivateKey, createPublicKey, hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { identityToRecipient } from "../../src/crypto/age.js";
import { bech32Decode } from "../../src/crypto/bech32.js";
import { unwrapBatchKey } from "../../src/crypto/scopekey.js";
import { deriveValueKey, openValue } from "../../src/crypto/seal.js";
import { deriveFromIdentity, signerFor, verifySignature } from "../../src/crypto/sign.js";
import { checkChain, linkBody, linkHash, parseChain, printAdmins, printChain } from "../../src/model/chain.js";
import { parseEnvFile, printEnvFile, signedView } from "../../src/model/envfile.js";
import { CHAIN_FILE, ROSTER_FILE, VAULT_FILE, envPath } from "../../src/model/layout.js";
import { checkRoster, type Roster } from "../../src/model/roster.js";
import {
  Ancestry,
  batchHash,
  changeMessage,
  checkFileTransition,
  checkSignedFile,
  joinLeaves,
  leavesOf,
  recordId,
  removedLeaf,
  scopeLeaf,
  type SignedFile,
  splitLeaves,
  valueLeaf,
} from "../../src/model/signed.js";
import { checkState } from "../../src/model/trust.js";
import { loadYaml } from "../../src/model/yamlfile.js";

const DIR = fileURLToPath(new URL("../vectors/signed/", import.meta.url));
const read = (name: string) => readFileSync(join(DIR, name), "utf8");

interface LineVector {
  line: string;
  kind: "scope" | "removal" | "value";
  name: string;
  label: string;
  fields: string[];
  inputHex: string;
  leaf: string;
}
interface RecordVector {
  line: string;
  id: string;
  member: string;
  signingKey: string;
  leafList: string[];
  leaves: string;
  anchor: string;
  covers: string[];
  messageHex: string;
  signature: string;
}
interface LinkVector {
  line: string;
  seq: number;
  prev: string;
  roster: { file: string; sha256: string };
  vault: { file: string; sha256: string };
  exposed: string;
  admins: string;
  member: string;
  bodyHex: string;
  signature: string;
  hash: string;
}
interface Expected {
  env: string;
  files: Record<string, string>;
  members: Record<string, { recipient: string; identityBytesHex: string; seedHex: string; publicKeyHex: string; signingKey: string }>;
  trustRoot: string;
  chain: { file: string; links: LinkVector[] };
  history: { file: string; by: string; t: number; lines: LineVector[]; records: RecordVector[] }[];
}
interface Inputs {
  comment: string;
  identities: Record<string, { identity: string }>;
  scopeKeys: Record<string, { scope: string; identity: string; recipient: string }>;
  batches: Record<string, { scope: string; keyHex: string; id: string; b64: string }>;
  values: Record<string, { key: string; plaintext: string; payload: string }>;
}
interface Problem {
  file: string;
  key?: string;
  signer?: string;
  what: string;
}
type VaultFile = "chain" | "roster.yaml" | "vault.yaml" | "production.env";
type NegativeCase =
  | { name: string; attack: string; check: "checkSignedFile" | "checkChain" | "checkState"; replace: Partial<Record<VaultFile, string>>; problems: Problem[]; unpinned?: Problem[] }
  | { name: string; attack: string; check: "checkFileTransition"; parent: string; child: string; problems: Problem[] };

const expected = JSON.parse(read("expected.json")) as Expected;
const inputs = JSON.parse(read("inputs.json")) as Inputs;
const negative = (JSON.parse(read("negative.json")) as { cases: NegativeCase[] }).cases;
const ENV = expected.env;
const ENV_FILE = envPath(ENV);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => Buffer.from(text, "hex");
const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest();
const identityOf = (member: string) => inputs.identities[member]!.identity;
const parseRoster = (text: string) => loadYaml<Roster>(text, ROSTER_FILE, "roster", (d, lineOf) => checkRoster(d, lineOf)).data;
const parseEnv = (text: string): SignedFile => signedView(parseEnvFile(text, ENV_FILE, ENV));
const linesOf = (text: string) => text.split("\n");

const base: Record<VaultFile, string> = { chain: read("chain"), "roster.yaml": read("roster.yaml"), "vault.yaml": read("vault.yaml"), "production.env": read("production.env") };
const roster = parseRoster(base["roster.yaml"]);

/** The state check of the vault of the vectors with some of its files replaced, with the pinned root (`null`: none). */
function stateCheck(replace: Partial<Record<VaultFile, string>> = {}, pin: string | null = expected.trustRoot) {
  const files = { ...base, ...replace };
  const state = { chain: files.chain, rosterText: files["roster.yaml"], vaultText: files["vault.yaml"], roster: parseRoster(files["roster.yaml"]), envs: [parseEnv(files["production.env"])] };
  return checkState(state, verifySignature, pin === null ? {} : { pin }).problems;
}

/** The history check of `child` after `parent`, with every line of the vectors' history known. */
function transitionCheck(parent: string, child: string) {
  const ancestry = new Ancestry();
  for (const h of expected.history) ancestry.add(parseEnv(read(h.file)));
  const c = parseEnv(child);
  ancestry.add(c);
  return checkFileTransition(ENV, c, [parseEnv(read(parent))], ancestry);
}

const order = (a: Problem, b: Problem) => {
  const k = (p: Problem) => `${p.file}\0${p.key ?? ""}\0${p.signer ?? ""}\0${p.what}`;
  return k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0;
};
/** Exactly the stated problems: same files, keys and claimed signers, each message containing its fragment. */
function expectProblems(actual: readonly Problem[], stated: readonly Problem[]) {
  const got = actual.map((p) => ({ file: p.file, ...(p.key === undefined ? {} : { key: p.key }), ...(p.signer === undefined ? {} : { signer: p.signer }), what: p.what })).sort(order);
  expect(got).toEqual([...stated].sort(order).map((p) => ({ ...p, what: expect.stringContaining(p.what) })));
}

describe("signature test vectors (docs/FORMAT.md §4–§6)", () => {
  test.each(Object.keys(expected.members))("member %s: identity bytes, HKDF seed and Ed25519 signing key", async (name) => {
    const want = expected.members[name]!;
    const identity = identityOf(name);
    const k = bech32Decode(identity, "AGE-SECRET-KEY-")!;
    expect(hex(k)).toBe(want.identityBytesHex);
    expect(await identityToRecipient(identity)).toBe(want.recipient);
    expect(hex(new Uint8Array(hkdfSync("sha256", k, new Uint8Array(0), "envvault/v2/signing-key", 32)))).toBe(want.seedHex);
    expect(hex(deriveFromIdentity(identity, "envvault/v2/signing-key"))).toBe(want.seedHex);
    // RFC 8032 key pair of the seed, through node:crypto's PKCS #8 import (RFC 8410 prefix).
    const sk = createPrivateKey({ key: Buffer.concat([fromHex("302e020100300506032b657004220420"), fromHex(want.seedHex)]), format: "der", type: "pkcs8" });
    expect(hex(createPublicKey(sk).export({ format: "der", type: "spki" }).subarray(12))).toBe(want.publicKeyHex);
    expect(`ed25519:${fromHex(want.publicKeyHex).toString("base64url")}`).toBe(want.signingKey);
    expect(signerFor(identity).publicKey).toBe(want.signingKey);
  });

  test("roster.yaml lists alice (admin) and ci (write-only on production) with their recipients and signing keys", () => {
    for (const name of ["alice", "ci"]) {
      expect(roster.members[name]).toMatchObject({ recipients: [expected.members[name]!.recipient], signing_keys: [expected.members[name]!.signingKey] });
    }
    expect(roster.admins).toEqual(["alice"]);
    expect(roster.access?.[ENV]).toEqual({ members: ["alice"], write: { members: ["alice", "ci"] } });
  });

  describe("the chain", () => {
    const text = read(expected.chain.file);
    const links = parseChain(text);

    test.each(expected.chain.links.map((l, i) => [i, l] as const))("link %i: body bytes, signature and hash", (i, want) => {
      const link = links[i]!;
      expect(linesOf(text)[i + 1]).toBe(want.line);
      expect(sha256(Buffer.from(read(want.roster.file), "utf8")).toString("hex")).toBe(want.roster.sha256);
      expect(sha256(Buffer.from(read(want.vault.file), "utf8")).toString("hex")).toBe(want.vault.sha256);
      const fields = [String(want.seq), want.prev, want.roster.sha256, want.vault.sha256, want.exposed, want.admins, want.member];
      expect(hex(Buffer.from(["envvault/v2/link", ...fields].join("\0"), "utf8"))).toBe(want.bodyHex);
      expect({ seq: link.seq, prev: link.prev.join(",") || "-", roster: link.roster, vault: link.vault, exposed: link.exposed ?? "-", admins: printAdmins(link.admins), member: link.member }).toEqual({
        seq: want.seq,
        prev: want.prev,
        roster: want.roster.sha256,
        vault: want.vault.sha256,
        exposed: want.exposed,
        admins: want.admins,
        member: want.member,
      });
      const body = linkBody(link.seq, link);
      expect(hex(body)).toBe(want.bodyHex);
      // Ed25519 is deterministic: signing the body again gives the same 64 bytes.
      const signature = signerFor(identityOf(want.member)).sign(body);
      expect(Buffer.from(signature).toString("base64url")).toBe(want.signature);
      expect(link.signature).toBe(want.signature);
      expect(verifySignature(expected.members[want.member]!.signingKey, body, signature)).toBe(true);
      expect(sha256(body, Buffer.from([0]), signature).toString("hex")).toBe(want.hash);
      expect(linkHash(body, signature)).toBe(want.hash);
      expect(link.hash).toBe(want.hash);
    });

    test("prints back to its bytes, checks clean, and its root is the trust root", () => {
      expect(printChain(links)).toBe(text);
      const { state, problems } = checkChain(links, verifySignature);
      expect(problems).toEqual([]);
      expect(state?.root.hash).toBe(expected.trustRoot);
      expect(state?.head.hash).toBe(expected.chain.links.at(-1)!.hash);
      expect(state?.head.roster).toBe(sha256(Buffer.from(base["roster.yaml"], "utf8")).toString("hex"));
    });
  });

  describe.each(expected.history.map((h) => [h.file, h] as const))("%s", (file, want) => {
    const text = read(file);
    const view = parseEnv(text);

    test("prints back to its bytes and holds exactly the signed lines listed", () => {
      expect(printEnvFile(parseEnvFile(text, ENV_FILE, ENV))).toBe(text);
      expect([...leavesOf(view).keys()].sort()).toEqual(want.lines.map((l) => l.leaf).sort());
      expect([...view.sigs.keys()].sort()).toEqual(want.records.map((r) => r.id).sort());
    });

    test.each(want.lines.map((l) => [`${l.kind} ${l.name}`, l] as const))("leaf of the %s line", (_name, l) => {
      expect(linesOf(text)).toContain(l.line);
      const input = Buffer.from([l.label, ...l.fields].join("\0"), "utf8");
      expect(hex(input)).toBe(l.inputHex);
      expect(sha256(input).subarray(0, 16).toString("base64url")).toBe(l.leaf);
      let fields: string[];
      let leaf: string;
      if (l.kind === "scope") {
        const s = view.scopes.get(l.name)!;
        fields = [ENV, l.name, s.recipient, s.prev];
        leaf = scopeLeaf({ env: ENV, scope: l.name, recipient: s.recipient, prev: s.prev });
      } else if (l.kind === "removal") {
        const r = view.removed.get(l.name)!;
        fields = [ENV, r.scope, l.name, String(r.t), r.prev];
        leaf = removedLeaf({ env: ENV, scope: r.scope, key: l.name, t: r.t, prev: r.prev });
      } else {
        const v = view.values.get(l.name)!;
        const b = view.batches.get(v.batch)!;
        const recipient = view.scopes.get(b.scope)!.recipient;
        expect(batchHash(b.age)).toBe(sha256(Buffer.from(b.age, "base64")).toString("hex"));
        fields = [ENV, b.scope, recipient, l.name, batchHash(b.age), String(v.t), v.prev, v.payload];
        leaf = valueLeaf({ env: ENV, scope: b.scope, recipient, key: l.name, batchHash: batchHash(b.age), t: v.t, prev: v.prev, payload: v.payload });
      }
      expect(fields).toEqual(l.fields);
      expect(leaf).toBe(l.leaf);
    });

    test.each(want.records.map((r) => [r.id, r] as const))("record %s: message bytes, signature and id", (_id, r) => {
      expect(linesOf(text)).toContain(r.line);
      expect(view.sigs.get(r.id)).toEqual({ member: r.member, signature: r.signature, leaves: r.leaves, anchor: r.anchor });
      expect(splitLeaves(r.leaves)).toEqual(r.leafList);
      expect(joinLeaves(r.leafList)).toBe(r.leaves);
      expect(Buffer.concat(r.leafList.map((l) => Buffer.from(l, "base64url"))).toString("base64url")).toBe(r.leaves);
      const message = Buffer.concat([Buffer.from(`envvault/v2/change\0${ENV}\0${r.member}\0`, "utf8"), Buffer.from(r.leaves, "base64url")]);
      expect(hex(message)).toBe(r.messageHex);
      expect(hex(changeMessage(ENV, r.member, r.leaves))).toBe(r.messageHex);
      expect(r.signingKey).toBe(expected.members[r.member]!.signingKey);
      const signature = signerFor(identityOf(r.member)).sign(message);
      expect(Buffer.from(signature).toString("base64url")).toBe(r.signature);
      expect(verifySignature(r.signingKey, message, signature)).toBe(true);
      expect(sha256(signature).toString("hex").slice(0, 12)).toBe(r.id);
      expect(recordId(r.signature)).toBe(r.id);
      const named = want.lines.filter((l) => r.leafList.includes(l.leaf)).map((l) => (l.kind === "scope" ? `scope ${l.name}` : l.name));
      expect(named).toEqual(r.covers);
    });

    test("every line is signed by a member the roster lets sign it", () => {
      expect(checkSignedFile(view, roster, verifySignature)).toEqual([]);
    });

    test.each([...view.values.keys()])("value %s opens with its batch key from inputs.json", async (key) => {
      const v = view.values.get(key)!;
      const b = view.batches.get(v.batch)!;
      const drawn = Object.values(inputs.batches).find((d) => d.id === v.batch)!;
      const scopeIdentity = Object.values(inputs.scopeKeys).find((s) => s.recipient === view.scopes.get(b.scope)!.recipient)!.identity;
      const batchKey = await unwrapBatchKey(b.age, v.batch, scopeIdentity, { env: ENV, scope: b.scope });
      expect(hex(batchKey)).toBe(drawn.keyHex);
      const plaintext = inputs.values[`${v.batch}/${key}`]!.plaintext;
      expect(openValue({ valueKey: deriveValueKey(batchKey), env: ENV, scope: b.scope, key, t: v.t, payload: v.payload })).toBe(plaintext);
    });
  });

  test("the vault passes the state check with its pinned trust root", () => {
    expect(stateCheck()).toEqual([]);
  });

  test("each write of the history follows the one before (the history check)", () => {
    const ancestry = new Ancestry();
    let parent: SignedFile | undefined;
    for (const h of expected.history) {
      const f = parseEnv(read(h.file));
      ancestry.add(f);
      expect(checkFileTransition(ENV, f, [parent], ancestry)).toEqual([]);
      parent = f;
    }
  });

  test.each(negative.map((c) => [c.name, c] as const))("negative: %s", (_name, c) => {
    expect(c.problems.length).toBeGreaterThan(0);
    if (c.check === "checkFileTransition") {
      expectProblems(transitionCheck(c.parent, c.child), c.problems);
      // Only history shows these: the child alone is a validly signed state.
      expect(stateCheck({ "production.env": c.child })).toEqual([]);
      return;
    }
    if (c.check === "checkSignedFile") expectProblems(checkSignedFile(parseEnv(c.replace["production.env"]!), roster, verifySignature), c.problems);
    if (c.check === "checkChain") expectProblems(checkChain(parseChain(c.replace.chain!), verifySignature).problems.map((p) => ({ ...p, file: CHAIN_FILE })), c.problems);
    // The reader's check reports the same, whichever layer finds it.
    expectProblems(stateCheck(c.replace), c.problems);
    if (c.unpinned !== undefined) expectProblems(stateCheck(c.replace, null), c.unpinned);
  });

  test("the negative vectors cover every attack of docs/FORMAT.md's list, through every check", () => {
    expect(negative.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "value replaced",
        "value with a record claiming alice, signed by another key",
        "value signed by a member who may not write its scope",
        "scope key pair replaced, unsigned",
        "new scope signed by a non-admin",
        "recipient added to roster.yaml",
        "link signed by a non-admin",
        "link edited, its hash recomputed",
        "whole vault with another root",
        "line deleted without a removal",
        "rollback",
        "value moved to another key",
        "vault.yaml changed",
      ]),
    );
    expect(new Set(negative.map((c) => c.check))).toEqual(new Set(["checkSignedFile", "checkChain", "checkState", "checkFileTransition"]));
    const files = new Set(negative.flatMap((c) => c.problems.map((p) => p.file)));
    expect(files).toEqual(new Set([ENV_FILE, CHAIN_FILE, ROSTER_FILE, VAULT_FILE]));
  });

  test("the random inputs are labelled as test keys", () => {
    expect(inputs.comment).toMatch(/^TEST KEYS: /);
  });
});
