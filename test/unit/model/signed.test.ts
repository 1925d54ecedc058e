import { beforeAll, describe, expect, test } from "@jest/globals";
import { generateIdentity } from "../../../src/crypto/age.js";
import { type Signer, signerFor, verifySignature } from "../../../src/crypto/sign.js";
import type { Roster } from "../../../src/model/roster.js";
import {
  Ancestry,
  changeMessage,
  type ChangeRecord,
  checkFileTransition,
  checkSignedFile,
  joinLeaves,
  leavesOf,
  NO_PREV,
  recordId,
  type SignedFile,
} from "../../../src/model/signed.js";

const RECIPIENT = "age1" + "q".repeat(58);
const AGE = Buffer.from("fake age file of a batch").toString("base64");

let people: Record<string, Signer>;
let roster: Roster;

beforeAll(async () => {
  people = { alice: signerFor(await generateIdentity()), ci: signerFor(await generateIdentity()), bob: signerFor(await generateIdentity()), mallory: signerFor(await generateIdentity()) };
  const member = (n: string) => ({ recipients: [RECIPIENT.slice(0, -1) + n[0]], signing_keys: [people[n]!.publicKey] });
  roster = {
    version: 1,
    admins: ["alice"],
    members: { alice: member("alice"), bob: member("bob"), ci: member("ci") },
    access: { production: { members: ["alice", "bob"], write: { members: ["alice", "ci"] } } },
  };
});

/** A file of production with the given lines, each write signed by `by`. */
function file(values: Record<string, { t?: number; prev?: string; payload?: string }>, scopePrev = NO_PREV): SignedFile {
  return {
    env: "production",
    scopes: new Map([["production", { recipient: RECIPIENT, prev: scopePrev }]]),
    batches: new Map([["aaaaaaaaaaaa", { scope: "production", age: AGE }]]),
    values: new Map(Object.entries(values).map(([k, v]) => [k, { batch: "aaaaaaaaaaaa", t: v.t ?? 1, prev: v.prev ?? NO_PREV, payload: v.payload ?? `payload-of-${k}` }])),
    removed: new Map(),
    sigs: new Map(),
  };
}

/** Adds a record by `member` covering the lines named (keys, or `scope production`). */
function sign(f: SignedFile, member: string, names: string[]): SignedFile {
  const leaves = [...leavesOf(f)].filter(([, ref]) => names.includes(ref.kind === "scope" ? `scope ${ref.name}` : ref.name)).map(([l]) => l);
  const joined = joinLeaves(leaves);
  const signature = Buffer.from(people[member]!.sign(changeMessage(f.env, member, joined))).toString("base64url");
  const record: ChangeRecord = { member, signature, leaves: joined };
  return { ...f, sigs: new Map([...f.sigs, [recordId(signature), record]]) };
}

const leafOf = (f: SignedFile, key: string) => [...leavesOf(f)].find(([, r]) => r.name === key && r.kind !== "scope")![0];

describe("the state check", () => {
  test("lines signed by a writer (values) and an admin (the new scope) pass", () => {
    const f = sign(sign(file({ API: {}, DB: {} }), "ci", ["API", "DB"]), "alice", ["scope production"]);
    expect(checkSignedFile(f, roster, verifySignature)).toEqual([]);
  });

  test("a reader who may not write, a member who is not in the roster, and a line no record covers are each refused", () => {
    const byBob = sign(sign(file({ API: {} }), "bob", ["API"]), "alice", ["scope production"]);
    expect(checkSignedFile(byBob, roster, verifySignature).map((p) => [p.key, p.signer, p.what])).toEqual([["API", "bob", "API is signed by bob, who may not write scope production"]]);
    const byMallory = sign(sign(file({ API: {} }), "mallory", ["API"]), "alice", ["scope production"]);
    expect(checkSignedFile(byMallory, roster, verifySignature)[0]?.what).toBe("API claims a signature of mallory that does not verify (the line or its record was changed)");
    const unsigned = sign(file({ API: {} }), "alice", ["scope production"]);
    expect(checkSignedFile(unsigned, roster, verifySignature)[0]?.what).toMatch(/API is signed by nobody/);
  });

  test("a value changed after signing is no longer covered", () => {
    const f = sign(sign(file({ API: {} }), "ci", ["API"]), "alice", ["scope production"]);
    const changed = { ...f, values: new Map([["API", { ...f.values.get("API")!, payload: "attacker" }]]) };
    expect(checkSignedFile(changed, roster, verifySignature).map((p) => p.key)).toEqual(["API"]);
  });

  test("a write-only member cannot sign a new key pair of a scope (a rotation), nor a non-admin a new scope", () => {
    const rotated = sign(sign(file({}, "someprevleaf00000000ab"), "ci", ["scope production"]), "ci", []);
    expect(checkSignedFile(rotated, roster, verifySignature)[0]?.what).toMatch(/ci, who may not change the key pair of scope production/);
    const created = sign(file({}), "ci", ["scope production"]);
    expect(checkSignedFile(created, roster, verifySignature)[0]?.what).toMatch(/ci, who may not create a scope/);
    expect(checkSignedFile(sign(file({}, "someprevleaf00000000ab"), "alice", ["scope production"]), roster, verifySignature)).toEqual([]);
  });
});

describe("the history check of one commit", () => {
  const walk = (...files: (SignedFile | undefined)[]) => {
    const a = new Ancestry();
    for (const f of files) a.add(f);
    return a;
  };

  test("a change that names the line it replaces passes; putting the old line back is a rollback", () => {
    const v1 = file({ API: { t: 1 } });
    const v2 = file({ API: { t: 2, prev: leafOf(v1, "API"), payload: "new" } });
    expect(checkFileTransition("production", v2, [v1], walk(v1, v2))).toEqual([]);
    const back = file({ API: { t: 1 } });
    expect(checkFileTransition("production", back, [v2], walk(v1, v2, back))[0]?.what).toBe("API was put back to an older version of itself (a rollback)");
  });

  test("a deleted line without a removal, and a new line that does not name its predecessor, are refused", () => {
    const v1 = file({ API: {}, DB: {} });
    const gone = file({ DB: {} });
    expect(checkFileTransition("production", gone, [v1], walk(v1, gone))[0]?.what).toMatch(/API was deleted without a signed removal/);
    const orphan = file({ API: { payload: "other" }, DB: {} });
    expect(checkFileTransition("production", orphan, [v1], walk(v1, orphan))[0]?.what).toMatch(/replaces an existing line without naming it/);
  });

  test("a text merge of disjoint changes passes; a merge that takes the older side of a key one side changed is a rollback", () => {
    const base = file({ A: {}, B: {} });
    const left = file({ A: { prev: leafOf(base, "A"), payload: "left" }, B: {} });
    const right = file({ A: {}, B: { prev: leafOf(base, "B"), payload: "right" } });
    const merged = file({ A: { prev: leafOf(base, "A"), payload: "left" }, B: { prev: leafOf(base, "B"), payload: "right" } });
    const history = walk(base, left, right, merged);
    expect(checkFileTransition("production", merged, [left, right], history)).toEqual([]);
    const oldA = file({ A: {}, B: { prev: leafOf(base, "B"), payload: "right" } });
    expect(checkFileTransition("production", oldA, [left, right], walk(base, left, right, oldA))[0]?.what).toMatch(/takes one side of a conflict that both sides changed|rollback/);
  });

  test("both sides changed a key: taking one side as it is is refused, a new line naming one side passes", () => {
    const base = file({ A: {} });
    const left = file({ A: { prev: leafOf(base, "A"), payload: "left" } });
    const right = file({ A: { prev: leafOf(base, "A"), payload: "right" } });
    expect(checkFileTransition("production", left, [left, right], walk(base, left, right))[0]?.what).toMatch(/takes one side of a conflict/);
    const chosen = file({ A: { prev: leafOf(left, "A"), payload: "left" } });
    expect(checkFileTransition("production", chosen, [left, right], walk(base, left, right, chosen))).toEqual([]);
  });
});
