import { beforeAll, describe, expect, test } from "@jest/globals";
import { generateIdentity } from "../../../src/crypto/age.js";
import { signerFor, verifySignature } from "../../../src/crypto/sign.js";
import { NotAllowed, Tampered } from "../../../src/errors.js";
import { parseChain, printChain } from "../../../src/model/chain.js";
import { type ConflictedFile, parseConflicted, printConflicted } from "../../../src/model/conflicts.js";
import { type EnvFile, emptyEnvFile, parseEnvFile, printEnvFile, signedView } from "../../../src/model/envfile.js";
import { keyLine, mergeChain, mergeEnv, printMerged, resolveConflict, sideLeaves, signSettled } from "../../../src/model/merge.js";
import type { Roster } from "../../../src/model/roster.js";
import { Ancestry, checkFileTransition, checkSignedFile, leavesOf, lineLeaves, NO_PREV, splitLeaves } from "../../../src/model/signed.js";
import { signEnvChange, type Writer } from "../../../src/model/signing.js";

const ENV = "development";
const PATH = `.envvault/envs/${ENV}.env`;
const OLD = "age1" + "q".repeat(58);
const NEW_OURS = "age1" + "p".repeat(58);
const NEW_THEIRS = "age1" + "z".repeat(58);

let writers: Record<"alice" | "bob" | "carol", Writer>;
let roster: Roster;

beforeAll(async () => {
  const make = async (member: string): Promise<Writer> => {
    const s = signerFor(await generateIdentity());
    return { member, publicKey: s.publicKey, sign: (m) => s.sign(m) };
  };
  writers = { alice: await make("alice"), bob: await make("bob"), carol: await make("carol") };
  const member = (w: Writer, i: number) => ({ recipients: ["age1" + String(i).repeat(58)], signing_keys: [w.publicKey] });
  roster = {
    version: 1,
    admins: ["alice"],
    members: { alice: member(writers.alice, 1), bob: member(writers.bob, 2), carol: member(writers.carol, 3) },
    access: { [ENV]: { members: ["alice", "bob", "carol"], write: { members: ["alice", "bob"] } } },
  };
});

let batches = 0;
/** A write as a vault command makes it: `edit` changes a copy of `before`, which is then signed by `by`. */
function write(before: EnvFile | undefined, edit: (f: EnvFile) => void, by: Writer = writers.bob, now = 100): EnvFile {
  const f: EnvFile = before === undefined ? emptyEnvFile(ENV) : { ...before, scopes: new Map(before.scopes), batches: new Map(before.batches), values: new Map(before.values), removed: new Map(before.removed) };
  edit(f);
  return signEnvChange(before, f, roster, by, now);
}
/** Sets values under a new batch (payloads are placeholders: nothing is decrypted here). */
const set = (values: Record<string, string>, t = 1) => (f: EnvFile) => {
  const batch = (++batches).toString(16).padStart(12, "0");
  f.batches.set(batch, { scope: ENV, age: Buffer.from(`batch ${batch}`).toString("base64") });
  for (const [k, payload] of Object.entries(values)) f.values.set(k, { batch, t, payload });
};
const remove = (...keys: string[]) => (f: EnvFile) => keys.forEach((k) => f.values.delete(k));
/** A rotation: a new key pair, every value sealed again under one new batch. */
const rotate = (recipient: string) => (f: EnvFile) => {
  f.scopes.set(ENV, recipient);
  const values = Object.fromEntries([...f.values].map(([k, v]) => [k, `${v.payload}-resealed`]));
  f.batches.clear();
  set(values)(f);
};

const payloads = (f: EnvFile) => Object.fromEntries([...f.values].map(([k, v]) => [k, v.payload]));

let base: EnvFile;
beforeAll(() => {
  base = write(undefined, (f) => {
    f.scopes.set(ENV, OLD);
    set({ A: "a0", B: "b0", C: "c0", D: "d0", E: "e0" })(f);
  }, writers.alice);
});

/** The state check and the history check of a merge commit holding `merged`, with parents ours and theirs. */
function verifyMerge(merged: EnvFile, ours: EnvFile, theirs: EnvFile): string[] {
  const ancestry = new Ancestry();
  for (const f of [base, ours, theirs, merged]) ancestry.add(signedView(f));
  const view = signedView(merged);
  return [...checkSignedFile(view, roster, verifySignature), ...checkFileTransition(ENV, view, [signedView(ours), signedView(theirs)], ancestry)].map((p) => `${p.key}: ${p.what}`);
}

/** Settles every conflict with one side, as `vault resolve --SIDE` does, signed by `by`. */
function settleAll(cf: ConflictedFile, side: "ours" | "theirs", by: Writer): EnvFile {
  const sides = new Map(cf.conflicts.map((c) => [c, sideLeaves(cf, c)]));
  const all = [...cf.conflicts].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "scope" ? -1 : 1));
  let out = cf;
  for (const c of all) if (out.conflicts.includes(c)) out = resolveConflict(out, c, side, PATH);
  expect(out.conflicts).toEqual([]);
  return signSettled(out.file, all.map((c) => ({ conflict: c, sides: sides.get(c)! })), roster, by, verifySignature, PATH, 200);
}

describe("independent changes merge without conflict, and the merge verifies as it is", () => {
  test("adjacent keys, additions on both sides, a removal beside a change", () => {
    const ours = write(base, (f) => { set({ B: "b1", Y: "y1" })(f); remove("D")(f); });
    const theirs = write(base, set({ C: "c2", E: "e2", Z: "z2" }), writers.alice);
    const merged = mergeEnv(ENV, base, ours, theirs);
    expect(merged.conflicts).toEqual([]);
    expect(payloads(merged.file)).toEqual({ A: "a0", B: "b1", C: "c2", E: "e2", Y: "y1", Z: "z2" });
    expect(keyLine(merged.file, "D")).toBe(keyLine(ours, "D"));
    expect(keyLine(merged.file, "D")).toMatch(/^#@removed D development 100 [A-Za-z0-9_-]{22}$/);
    const text = printMerged(merged);
    const file = parseEnvFile(text, PATH, ENV);
    expect(text).toBe(printEnvFile(file));
    expect(verifyMerge(file, ours, theirs)).toEqual([]);
  });

  test("records and batches: exactly those the merged lines refer to, from all three versions", () => {
    const ours = write(base, set({ B: "b1" }));
    const theirs = write(base, set({ C: "c2" }), writers.alice);
    const merged = parseEnvFile(printMerged(mergeEnv(ENV, base, ours, theirs)), PATH, ENV);
    const leaves = new Set(leavesOf(signedView(merged)).keys());
    for (const r of merged.sigs.values()) expect(splitLeaves(r.leaves).some((l) => leaves.has(l))).toBe(true);
    expect([...merged.sigs.keys()].sort()).toEqual([...new Set([...base.sigs.keys(), ...ours.sigs.keys(), ...theirs.sigs.keys()])].filter((id) => merged.sigs.has(id)).sort());
    expect(merged.sigs.size).toBe(3);
    const used = new Set([...merged.values.values()].map((v) => v.batch));
    expect([...merged.batches.keys()].sort()).toEqual([...used].sort());
  });

  test("the same change on both sides, two branches that both add the file, a scope line signed again on one side", () => {
    const both = write(base, set({ A: "a9" }));
    expect(mergeEnv(ENV, base, both, both).conflicts).toEqual([]);
    const added = mergeEnv(ENV, undefined, write(undefined, (f) => { f.scopes.set(ENV, OLD); set({ A: "a1" })(f); }, writers.alice), write(undefined, (f) => { f.scopes.set(ENV, OLD); set({ B: "b2" })(f); }, writers.alice));
    expect(added.conflicts).toEqual([]);
    expect(payloads(added.file)).toEqual({ A: "a1", B: "b2" });
    const resigned = { ...base, scopePrev: new Map([[ENV, lineLeaves(signedView(base)).get(`scope ${ENV}`)!]]) };
    const m = mergeEnv(ENV, base, resigned, write(base, set({ C: "c2" })));
    expect(m.conflicts).toEqual([]);
    expect(m.file.scopePrev.get(ENV)).toBe(resigned.scopePrev.get(ENV));
  });
});

describe("the same key changed on both sides", () => {
  let ours: EnvFile;
  let theirs: EnvFile;
  let merged: ConflictedFile;
  beforeAll(() => {
    ours = write(base, set({ A: "a1", B: "b1" }), writers.bob, 101);
    theirs = write(base, (f) => { set({ A: "a2" })(f); remove("C")(f); }, writers.alice, 102);
    merged = mergeEnv(ENV, base, ours, theirs);
  });

  test("is one conflict; everything else merges", () => {
    expect(merged.conflicts.map((c) => [c.name, c.reason])).toEqual([["A", "changed on both branches"]]);
    expect(payloads(merged.file)).toEqual({ B: "b1", D: "d0", E: "e0" });
    expect(merged.file.removed.has("C")).toBe(true);
  });

  test("is written as a block that the normal reader refuses; the block keeps both sides' records", () => {
    const text = printMerged(merged);
    expect(text).toMatch(/^<<<<<<< ours A sealed=age1q+: changed on both branches\nA=ev2:[0-9a-f]{12}:1:[A-Za-z0-9_-]{22}:a1\n\|\|\|\|\|\|\| base\nA=ev2:[0-9a-f]{12}:1:-:a0\n=======\nA=ev2:[0-9a-f]{12}:1:[A-Za-z0-9_-]{22}:a2\n>>>>>>> theirs A sealed=age1q+\nB=/m);
    expect(() => parseEnvFile(text, PATH, ENV)).toThrow(/unresolved merge conflict/);
    const again = parseConflicted(text, PATH, ENV);
    expect(printConflicted(again)).toBe(text);
    expect(again.conflicts).toEqual(merged.conflicts);
    const sides = sideLeaves(again, again.conflicts[0]!);
    expect(sides).toEqual([lineLeaves(signedView(ours)).get("A"), lineLeaves(signedView(theirs)).get("A")]);
    const covered = new Set([...again.file.sigs.values()].flatMap((r) => splitLeaves(r.leaves)));
    for (const l of sides) expect(covered.has(l)).toBe(true);
  });

  test("one side taken as it is does not verify: the history check wants the choice signed", () => {
    const cf = parseConflicted(printMerged(merged), PATH, ENV);
    const asIs = parseEnvFile(printMerged(resolveConflict(cf, cf.conflicts[0]!, "ours", PATH)), PATH, ENV);
    expect(verifyMerge(asIs, ours, theirs)).toEqual(["A: A takes one side of a conflict that both sides changed, without a signed choice"]);
  });

  test.each(["ours", "theirs"] as const)("settled with %s and signed by the merger: the same ciphertext, following that side, and the merge verifies", (side) => {
    const cf = parseConflicted(printMerged(merged), PATH, ENV);
    const kept = (side === "ours" ? ours : theirs).values.get("A")!;
    const file = parseEnvFile(printMerged({ file: settleAll(cf, side, writers.bob), conflicts: [] }), PATH, ENV);
    const a = file.values.get("A")!;
    expect({ batch: a.batch, t: a.t, payload: a.payload }).toEqual({ batch: kept.batch, t: kept.t, payload: kept.payload });
    expect(a.prev).toBe(lineLeaves(signedView(side === "ours" ? ours : theirs)).get("A"));
    expect([...file.sigs.values()].some((r) => r.member === "bob" && splitLeaves(r.leaves).includes(lineLeaves(signedView(file)).get("A")!))).toBe(true);
    expect(verifyMerge(file, ours, theirs)).toEqual([]);
  });

  test("a merger who may not write the scope is refused, naming the key and scope", () => {
    const cf = parseConflicted(printMerged(merged), PATH, ENV);
    expect(() => settleAll(cf, "ours", writers.carol)).toThrow(NotAllowed);
    expect(() => settleAll(cf, "ours", writers.carol)).toThrow("carol may not settle A in .envvault/envs/development.env: the merged line must be signed by a writer of scope development or an admin");
  });

  test("a side whose line no valid record covers is not kept: the merge does not launder it", () => {
    const forged = { ...theirs, values: new Map([...theirs.values, ["A", { ...theirs.values.get("A")!, payload: "forged" }]]) };
    const cf = parseConflicted(printMerged(mergeEnv(ENV, base, ours, forged)), PATH, ENV);
    expect(() => settleAll(cf, "theirs", writers.bob)).toThrow(Tampered);
    expect(() => settleAll(cf, "theirs", writers.bob)).toThrow(/the line of A that was kept is not signed by a member allowed to write it/);
  });
});

describe("removals are lines, compared like values", () => {
  test("a removal against a change is a conflict; keeping the removal signs it again and verifies", () => {
    const ours = write(base, remove("D"), writers.bob, 101);
    const theirs = write(base, set({ D: "d2" }), writers.alice, 102);
    const m = mergeEnv(ENV, base, ours, theirs);
    expect(m.conflicts.map((c) => c.reason)).toEqual(["removed on ours, changed on theirs"]);
    const text = printMerged(m);
    expect(text).toMatch(/^<<<<<<< ours D: removed on ours, changed on theirs\n#@removed D development 101 [A-Za-z0-9_-]{22}\n/m);
    const cf = parseConflicted(text, PATH, ENV);
    const kept = parseEnvFile(printMerged({ file: settleAll(cf, "ours", writers.bob), conflicts: [] }), PATH, ENV);
    expect(kept.values.has("D")).toBe(false);
    expect(kept.removed.get("D")?.prev).toBe(lineLeaves(signedView(ours)).get("D"));
    expect(verifyMerge(kept, ours, theirs)).toEqual([]);
    const back = parseEnvFile(printMerged({ file: settleAll(cf, "theirs", writers.bob), conflicts: [] }), PATH, ENV);
    expect(back.values.get("D")?.payload).toBe("d2");
    expect(verifyMerge(back, ours, theirs)).toEqual([]);
  });

  test("a key removed on both branches (two removal lines) is a conflict of its own, settled either way", () => {
    const ours = write(base, remove("E"), writers.bob, 101);
    const theirs = write(base, remove("E"), writers.alice, 102);
    const m = mergeEnv(ENV, base, ours, theirs);
    expect(m.conflicts.map((c) => c.reason)).toEqual(["removed on both branches"]);
    const file = settleAll(parseConflicted(printMerged(m), PATH, ENV), "theirs", writers.bob);
    expect(verifyMerge(file, ours, theirs)).toEqual([]);
  });
});

describe("rotations never leave a value nobody can open", () => {
  test("a value added on a branch under the key the other branch rotated away is a conflict; its stale side is refused", () => {
    const rotated = write(base, rotate(NEW_OURS), writers.alice, 101);
    const theirs = write(base, set({ NEW: "n2" }), writers.bob, 102);
    const m = mergeEnv(ENV, base, rotated, theirs);
    expect(m.file.scopes.get(ENV)).toBe(NEW_OURS);
    expect(m.file.scopePrev.get(ENV)).toBe(lineLeaves(signedView(base)).get(`scope ${ENV}`));
    expect(Object.keys(payloads(m.file))).toEqual(["A", "B", "C", "D", "E"]);
    expect(m.conflicts.map((c) => [c.name, c.reason])).toEqual([["NEW", "the value from theirs is sealed for a key of scope development that ours replaced"]]);
    expect(() => resolveConflict(m, m.conflicts[0]!, "theirs", PATH)).toThrow(/no one could read it/);
    expect(resolveConflict(m, m.conflicts[0]!, "ours", PATH).file.values.has("NEW")).toBe(false);
  });

  test("keeping the side that has no line for a key removes it, by a removal the merger signs", () => {
    const ours = write(base, set({ NEW: "n1" }), writers.bob, 101);
    const rotated = write(base, rotate(NEW_THEIRS), writers.alice, 102);
    const cf = parseConflicted(printMerged(mergeEnv(ENV, base, ours, rotated)), PATH, ENV);
    expect(cf.conflicts.map((c) => [c.name, c.theirs.line])).toEqual([["NEW", undefined]]);
    const file = parseEnvFile(printMerged({ file: settleAll(cf, "theirs", writers.bob), conflicts: [] }), PATH, ENV);
    expect(file.values.has("NEW")).toBe(false);
    expect(file.removed.get("NEW")).toEqual({ scope: ENV, t: 200, prev: lineLeaves(signedView(ours)).get("NEW") });
    expect(verifyMerge(file, ours, rotated)).toEqual([]);
  });

  test("concurrent rotations are a scope conflict; settling it with a side settles its keys, signed again, and verifies", () => {
    const ours = write(base, rotate(NEW_OURS), writers.alice, 101);
    const theirs = write(base, rotate(NEW_THEIRS), writers.alice, 102);
    const m = mergeEnv(ENV, base, ours, theirs);
    expect(m.conflicts.filter((c) => c.kind === "scope").map((c) => c.reason)).toEqual(["its key was changed on both branches (concurrent rotations)"]);
    expect(m.file.values.size).toBe(0);
    const cf = parseConflicted(printMerged(m), PATH, ENV);
    expect(printMerged(cf)).toMatch(/^<<<<<<< ours scope development: /m);
    expect(() => settleAll(cf, "theirs", writers.carol)).toThrow(/carol may not settle scope development .*member who reads and writes scope development/);
    const file = parseEnvFile(printMerged({ file: settleAll(cf, "theirs", writers.bob), conflicts: [] }), PATH, ENV);
    expect(file.scopes.get(ENV)).toBe(NEW_THEIRS);
    expect(payloads(file)).toEqual(payloads(theirs));
    expect(verifyMerge(file, ours, theirs)).toEqual([]);
  });
});

describe("comments", () => {
  test("the side that changed them wins; both changed: both sides' lines", () => {
    const withComment = (lines: string[]) => ({ ...base, comments: lines });
    expect(mergeEnv(ENV, base, withComment(["# ours"]), base).file.comments).toEqual(["# ours"]);
    expect(mergeEnv(ENV, base, withComment(["# ours"]), withComment(["# theirs"])).file.comments).toEqual(["# ours", "# theirs"]);
  });
});

describe("mergeChain", () => {
  const link = (seq: number, hash: string, prev: string) =>
    `#@link ${seq} ${hash.repeat(64)} ${prev === "-" ? "-" : prev.repeat(64)} ${"1".repeat(64)} ${"2".repeat(64)} - alice=ed25519:${"A".repeat(43)} alice ${"s".repeat(86)}`;
  const chain = (...links: string[]) => ["# envvault chain 1", ...links].join("\n") + "\n";

  test("keeps both sides' links once, sorted by seq then hash, and never conflicts", () => {
    const root = link(0, "a", "-");
    const ours = chain(root, link(1, "c", "a"));
    const theirs = chain(root, link(1, "b", "a"), link(2, "d", "b"));
    const { text, added } = mergeChain(ours, theirs);
    expect(text).toBe(chain(root, link(1, "b", "a"), link(1, "c", "a"), link(2, "d", "b")));
    expect(added.map((l) => l.hash[0])).toEqual(["b", "d"]);
    expect(printChain(parseChain(text))).toBe(text);
    expect(mergeChain(ours, ours).text).toBe(ours);
    expect(mergeChain("", theirs).text).toBe(theirs);
  });

  test("a side that is not a chain is refused", () => {
    expect(() => mergeChain("garbage\n", chain())).toThrow(Tampered);
  });
});

test("the prev of a line written from nothing is -", () => {
  expect(base.values.get("A")?.prev).toBe(NO_PREV);
});
