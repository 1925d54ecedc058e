import { describe, expect, test } from "@jest/globals";
import { generateIdentity } from "../../../src/crypto/age.js";
import { signerFor, verifySignature } from "../../../src/crypto/sign.js";
import { ancestors, checkChain, type Link, type LinkFields, makeLink, parseChain, printChain } from "../../../src/model/chain.js";

const H = (c: string) => c.repeat(64);

async function admin() {
  const signer = signerFor(await generateIdentity());
  return { signer, key: signer.publicKey };
}

const fields = (prev: string[], admins: Map<string, string[]>, member: string, roster = H("1")): LinkFields => ({ prev, roster, vault: H("2"), admins, member });

describe("the chain of trust", () => {
  test("a root and a link signed by an admin of the root check, print and parse back", async () => {
    const alice = await admin();
    const bob = await admin();
    const root = makeLink([], fields([], new Map([["alice", [alice.key]]]), "alice"), (b) => alice.signer.sign(b));
    const next = makeLink([root], fields([root.hash], new Map([["alice", [alice.key]], ["bob", [bob.key]]]), "alice", H("3")), (b) => alice.signer.sign(b));
    const text = printChain([next, root]);
    expect(parseChain(text)).toEqual([root, next]);
    const { state, problems } = checkChain(parseChain(text), verifySignature);
    expect(problems).toEqual([]);
    expect(state?.root.hash).toBe(root.hash);
    expect(state?.head.hash).toBe(next.hash);
    expect(next.seq).toBe(1);
    expect(ancestors(state!.links, next.hash)).toEqual(new Set([next.hash, root.hash]));
  });

  test("a link signed by someone who is not an admin of the link before is refused, naming the signer", async () => {
    const alice = await admin();
    const mallory = await admin();
    const root = makeLink([], fields([], new Map([["alice", [alice.key]]]), "alice"), (b) => alice.signer.sign(b));
    // mallory appoints herself: her link lists her as admin, but the root does not.
    const forged = makeLink([root], fields([root.hash], new Map([["mallory", [mallory.key]]]), "mallory"), (b) => mallory.signer.sign(b));
    const { problems } = checkChain([root, forged], verifySignature);
    expect(problems).toEqual([{ link: forged.hash, signer: "mallory", what: `link ${forged.hash.slice(0, 12)} is signed by mallory, who is not an admin of link ${root.hash.slice(0, 12)}` }]);
  });

  test("a link claiming an admin's name with another key, or edited after signing, is refused", async () => {
    const alice = await admin();
    const mallory = await admin();
    const root = makeLink([], fields([], new Map([["alice", [alice.key]]]), "alice"), (b) => alice.signer.sign(b));
    const claimed = makeLink([root], fields([root.hash], new Map([["alice", [alice.key]]]), "alice", H("4")), (b) => mallory.signer.sign(b));
    expect(checkChain([root, claimed], verifySignature).problems[0]?.what).toMatch(/claims alice's signature, which does not verify/);
    const edited: Link = { ...makeLink([root], fields([root.hash], new Map([["alice", [alice.key]]]), "alice", H("5")), (b) => alice.signer.sign(b)), roster: H("6") };
    expect(checkChain([root, edited], verifySignature).problems[0]?.what).toMatch(/is not what its hash says/);
  });

  test("two heads (two branches changed the roster) want a merge link; a merge link by an admin of both joins them", async () => {
    const alice = await admin();
    const admins = new Map([["alice", [alice.key]]]);
    const root = makeLink([], fields([], admins, "alice"), (b) => alice.signer.sign(b));
    const left = makeLink([root], fields([root.hash], admins, "alice", H("7")), (b) => alice.signer.sign(b));
    const right = makeLink([root], fields([root.hash], admins, "alice", H("8")), (b) => alice.signer.sign(b));
    expect(checkChain([root, left, right], verifySignature).problems.map((p) => p.what)).toEqual([expect.stringMatching(/2 heads/)]);
    const merge = makeLink([root, left, right], fields([left.hash, right.hash], admins, "alice", H("9")), (b) => alice.signer.sign(b));
    const { state, problems } = checkChain([root, left, right, merge], verifySignature);
    expect(problems).toEqual([]);
    expect(state?.head.hash).toBe(merge.hash);
    expect(merge.seq).toBe(2);
  });

  test("a chain without a root, or with a line outside the format, is damage", async () => {
    expect(() => parseChain("# envvault chain 1\n#@link x\n")).toThrow(/line is not a link of the chain/);
    expect(() => parseChain("nope\n")).toThrow(/expected the header/);
    expect(checkChain([], verifySignature).problems.map((p) => p.what)).toContain("the chain has no root link");
  });
});
