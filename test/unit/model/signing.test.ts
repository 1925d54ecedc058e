// signEnvChange (src/model/signing.ts) over several writes between two commits: each commit
// must follow its parent (docs/FORMAT.md §6, rule 3), however many writes it gathers.
import { beforeAll, describe, expect, test } from "@jest/globals";
import { generateIdentity } from "../../../src/crypto/age.js";
import { signerFor, verifySignature } from "../../../src/crypto/sign.js";
import { emptyEnvFile, type EnvFile, signedView } from "../../../src/model/envfile.js";
import type { Roster } from "../../../src/model/roster.js";
import { Ancestry, checkFileTransition, checkSignedFile, lineLeaves } from "../../../src/model/signed.js";
import { signEnvChange, type Writer } from "../../../src/model/signing.js";

const RECIPIENT = "age1" + "q".repeat(58);
const BATCH = "aaaaaaaaaaaa";

let alice: Writer;
let roster: Roster;

beforeAll(async () => {
  const signer = signerFor(await generateIdentity());
  alice = { member: "alice", publicKey: signer.publicKey, sign: (m) => signer.sign(m) };
  roster = { version: 1, admins: ["alice"], members: { alice: { recipients: [RECIPIENT], signing_keys: [signer.publicKey] } } };
});

/** `f` with these values (payloads) sealed at time `t`, and the others removed, as a write computes it. */
function written(f: EnvFile | undefined, values: Record<string, string>, t: number): EnvFile {
  const out = f === undefined ? emptyEnvFile("production") : { ...f, values: new Map(f.values), removed: new Map(f.removed), sigs: new Map(f.sigs) };
  out.scopes = new Map([["production", RECIPIENT]]);
  out.batches = new Map([[BATCH, { scope: "production", age: Buffer.from("a batch").toString("base64") }]]);
  out.values = new Map(Object.entries(values).map(([key, payload]) => [key, out.values.get(key)?.payload === payload ? out.values.get(key)! : { batch: BATCH, t, payload }]));
  return out;
}

const leaves = (f: EnvFile) => lineLeaves(signedView(f));

/** The history check of `child` committed on top of `parent`. */
function transition(parent: EnvFile, child: EnvFile): string[] {
  const ancestry = new Ancestry();
  ancestry.add(signedView(parent));
  ancestry.add(signedView(child));
  return checkFileTransition("production", signedView(child), [signedView(parent)], ancestry).map((p) => p.what);
}

describe("signEnvChange between commits", () => {
  let head: EnvFile;
  let committed: Set<string>;

  beforeAll(() => {
    head = signEnvChange(undefined, written(undefined, { API: "api-1", OLD: "old-1" }, 1), roster, alice, 1);
    committed = new Set(leaves(head).values());
  });

  test("a key changed twice before a commit names the line of HEAD, and the commit follows its parent", () => {
    const first = signEnvChange(head, written(head, { API: "api-2", OLD: "old-1" }, 2), roster, alice, 2, committed);
    const second = signEnvChange(first, written(first, { API: "api-3", OLD: "old-1" }, 3), roster, alice, 3, committed);
    expect(second.values.get("API")?.prev).toBe(leaves(head).get("API"));
    expect(checkSignedFile(signedView(second), roster, verifySignature)).toEqual([]);
    expect(transition(head, second)).toEqual([]);
    // Signed against the work tree alone, the second write names a line no commit holds.
    const unaware = signEnvChange(first, written(first, { API: "api-3", OLD: "old-1" }, 3), roster, alice, 3);
    expect(unaware.values.get("API")?.prev).toBe(leaves(first).get("API"));
    expect(transition(head, unaware)).toEqual(["API follows a line that is not this commit's parent's (an old or foreign line put back)"]);
  });

  test("a key added and removed before a commit leaves no line; a key of HEAD changed, then removed, names HEAD's line", () => {
    const added = signEnvChange(head, written(head, { API: "api-1", OLD: "old-2", NEW: "new-1" }, 2), roster, alice, 2, committed);
    const removed = signEnvChange(added, written(added, { API: "api-1" }, 3), roster, alice, 3, committed);
    expect([...removed.values.keys()]).toEqual(["API"]);
    expect([...removed.removed]).toEqual([["OLD", { scope: "production", t: 3, prev: leaves(head).get("OLD") }]]);
    expect(checkSignedFile(signedView(removed), roster, verifySignature)).toEqual([]);
    expect(transition(head, removed)).toEqual([]);
  });

  test("a key pair rotated twice before a commit names HEAD's scope line", () => {
    const rotated = (f: EnvFile, recipient: string) => signEnvChange(f, { ...written(f, { API: "api-1", OLD: "old-1" }, 1), scopes: new Map([["production", recipient]]) }, roster, alice, 2, committed);
    const twice = rotated(rotated(head, "age1" + "p".repeat(58)), "age1" + "z".repeat(58));
    expect(twice.scopePrev.get("production")).toBe(leaves(head).get("scope production"));
    expect(transition(head, twice)).toEqual([]);
  });
});
