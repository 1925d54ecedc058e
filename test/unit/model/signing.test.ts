import { beforeAll, describe, expect, test } from "@jest/globals";
import { generateIdentity } from "../../../src/crypto/age.js";
import { signerFor, verifySignature } from "../../../src/crypto/sign.js";
import { checkChain, parseChain } from "../../../src/model/chain.js";
import { type EnvFile, emptyEnvFile, signedView } from "../../../src/model/envfile.js";
import type { Roster } from "../../../src/model/roster.js";
import { checkSignedFile, lineLeaves, NO_PREV } from "../../../src/model/signed.js";
import { endorse, extendChain, signEnvChange, type Writer } from "../../../src/model/signing.js";

const RECIPIENT = "age1" + "q".repeat(58);
const OTHER = "age1" + "p".repeat(58);
const AGE = Buffer.from("fake age file of a batch").toString("base64");
const AGE2 = Buffer.from("another batch").toString("base64");

let writers: Record<string, Writer>;
let roster: Roster;

beforeAll(async () => {
  const make = async (member: string): Promise<Writer> => {
    const s = signerFor(await generateIdentity());
    return { member, publicKey: s.publicKey, sign: (m) => s.sign(m) };
  };
  writers = { alice: await make("alice"), bob: await make("bob"), ci: await make("ci") };
  const member = (n: string, r: string) => ({ recipients: [r], signing_keys: [writers[n]!.publicKey] });
  roster = {
    version: 1,
    admins: ["alice"],
    members: { alice: member("alice", "age1" + "a".repeat(58)), bob: member("bob", "age1" + "b".repeat(58)), ci: member("ci", "age1" + "c".repeat(58)) },
    access: { production: { members: ["alice", "bob"], write: { members: ["alice", "ci"] } } },
  };
});

function base(values: Record<string, string> = {}): EnvFile {
  const f = emptyEnvFile("production");
  f.scopes.set("production", RECIPIENT);
  f.batches.set("aaaaaaaaaaaa", { scope: "production", age: AGE });
  for (const [k, payload] of Object.entries(values)) f.values.set(k, { batch: "aaaaaaaaaaaa", t: 1, payload });
  return f;
}

const clone = (f: EnvFile): EnvFile => ({ ...f, scopes: new Map(f.scopes), scopePrev: new Map(f.scopePrev), batches: new Map(f.batches), sigs: new Map(f.sigs), removed: new Map(f.removed), values: new Map(f.values) });
const valid = (f: EnvFile, r = roster) => checkSignedFile(signedView(f), r, verifySignature);

describe("signEnvChange", () => {
  test("a new file: every line is signed by one record of the writer, prev - everywhere", () => {
    const signed = signEnvChange(undefined, base({ A: "AAAA", B: "BBBB" }), roster, writers.alice!, 100);
    expect(signed.sigs.size).toBe(1);
    expect([...signed.sigs.values()][0]!.member).toBe("alice");
    expect([...signed.values.values()].every((v) => v.prev === NO_PREV)).toBe(true);
    expect(valid(signed)).toEqual([]);
  });

  test("a changed value names the line it replaced; an unchanged one keeps its line and record", () => {
    const first = signEnvChange(undefined, base({ A: "AAAA", B: "BBBB" }), roster, writers.alice!, 100);
    const next = clone(first);
    next.batches.set("bbbbbbbbbbbb", { scope: "production", age: AGE2 });
    next.values.set("A", { batch: "bbbbbbbbbbbb", t: 2, payload: "AAA2" });
    const second = signEnvChange(first, next, roster, writers.ci!, 101);
    expect(second.values.get("A")!.prev).toBe(lineLeaves(signedView(first)).get("A"));
    expect(second.values.get("B")).toEqual(first.values.get("B"));
    expect([...second.sigs.values()].map((r) => r.member).sort()).toEqual(["alice", "ci"]);
    expect(valid(second)).toEqual([]);
  });

  test("a deleted key leaves a signed removal naming its last line", () => {
    const first = signEnvChange(undefined, base({ A: "AAAA", B: "BBBB" }), roster, writers.alice!, 100);
    const next = clone(first);
    next.values.delete("B");
    const second = signEnvChange(first, next, roster, writers.alice!, 200);
    expect(second.removed.get("B")).toEqual({ scope: "production", t: 200, prev: lineLeaves(signedView(first)).get("B") });
    expect(valid(second)).toEqual([]);
  });

  test("a line never committed is skipped: the next line names the committed one, and an uncommitted key leaves no removal", () => {
    const committed = signEnvChange(undefined, base({ A: "AAAA" }), roster, writers.alice!, 100);
    const heads = new Set(lineLeaves(signedView(committed)).values());
    const draft = clone(committed);
    draft.values.set("A", { batch: "aaaaaaaaaaaa", t: 2, payload: "AAA2" });
    draft.values.set("NEW", { batch: "aaaaaaaaaaaa", t: 2, payload: "NNNN" });
    const once = signEnvChange(committed, draft, roster, writers.alice!, 101, heads);
    const again = clone(once);
    again.values.set("A", { batch: "aaaaaaaaaaaa", t: 3, payload: "AAA3" });
    again.values.delete("NEW");
    const twice = signEnvChange(once, again, roster, writers.alice!, 102, heads);
    expect(twice.values.get("A")!.prev).toBe(lineLeaves(signedView(committed)).get("A"));
    expect(twice.removed.has("NEW")).toBe(false);
  });

  test("a writer who may not sign a line is refused: a reader-only member's value, a write-only member's new key pair", () => {
    const first = signEnvChange(undefined, base({ A: "AAAA" }), roster, writers.alice!, 100);
    const byBob = clone(first);
    byBob.values.set("A", { batch: "aaaaaaaaaaaa", t: 2, payload: "BOBB" });
    expect(() => signEnvChange(first, byBob, roster, writers.bob!, 101)).toThrow(/bob may not write scope production/);
    const rotated = clone(first);
    rotated.scopes.set("production", OTHER);
    expect(() => signEnvChange(first, rotated, roster, writers.ci!, 101)).toThrow(/ci may not change the key pair of scope production/);
  });

  test("records that cover no line any more are dropped", () => {
    const first = signEnvChange(undefined, base({ A: "AAAA" }), roster, writers.alice!, 100);
    const next = clone(first);
    next.values.set("A", { batch: "aaaaaaaaaaaa", t: 2, payload: "AAA2" });
    next.scopes.set("production", OTHER);
    const second = signEnvChange(first, next, roster, writers.alice!, 101);
    expect([...second.sigs.values()].length).toBe(1);
  });
});

describe("endorse", () => {
  test("lines of a writer who lost the right are endorsed by the admin; forged lines are not", () => {
    const first = signEnvChange(undefined, base(), roster, writers.alice!, 100);
    const next = clone(first);
    next.values.set("A", { batch: "aaaaaaaaaaaa", t: 1, payload: "AAAA" });
    const byCi = signEnvChange(first, next, roster, writers.ci!, 101);
    const forged = clone(byCi);
    forged.values.set("F", { batch: "aaaaaaaaaaaa", t: 1, payload: "FFFF" });
    const after: Roster = { ...roster, access: { production: { members: ["alice", "bob"], write: { members: ["alice"] } } } };
    expect(endorse(forged, roster, after, writers.alice!, verifySignature)).toBe(true);
    expect(valid(forged, after).map((p) => p.key)).toEqual(["F"]);
  });
});

describe("extendChain", () => {
  const hashes = { roster: "1".repeat(64), vault: "2".repeat(64) };

  test("the root is approved by the new roster's admins; a link by an admin of the head; a non-admin is refused", () => {
    const root = parseChain(extendChain([], [], hashes, roster, writers.alice!));
    const state = checkChain(root, verifySignature).state!;
    const two = parseChain(extendChain(root, [state.head], { ...hashes, roster: "3".repeat(64) }, roster, writers.alice!));
    expect(checkChain(two, verifySignature).problems).toEqual([]);
    expect(() => extendChain(two, [checkChain(two, verifySignature).state!.head], hashes, roster, writers.bob!)).toThrow(/only an admin may/);
  });

  test("two heads (merged branches) are joined by one link following both", () => {
    const root = parseChain(extendChain([], [], hashes, roster, writers.alice!));
    const head = checkChain(root, verifySignature).state!.head;
    const left = parseChain(extendChain(root, [head], { ...hashes, roster: "4".repeat(64) }, roster, writers.alice!));
    const right = parseChain(extendChain(root, [head], { ...hashes, roster: "5".repeat(64) }, roster, writers.alice!));
    const merged = [...new Map([...left, ...right].map((l) => [l.hash, l])).values()];
    expect(checkChain(merged, verifySignature).state).toBeUndefined();
    const followed = new Set(merged.flatMap((l) => l.prev));
    const heads = merged.filter((l) => !followed.has(l.hash));
    const joined = parseChain(extendChain(merged, heads, hashes, roster, writers.alice!));
    expect(checkChain(joined, verifySignature).problems).toEqual([]);
  });
});
