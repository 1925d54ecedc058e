import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mergeDriver, type Question } from "../../../src/app/mergedriver.js";
import { identityToRecipient } from "../../../src/crypto/age.js";
import { verifySignature } from "../../../src/crypto/sign.js";
import { signEnvChange } from "../../../src/model/signing.js";
import { writerFor } from "../../../src/store/signing.js";
import { type EnvFile, parseEnvFile, printEnvFile, signedView } from "../../../src/model/envfile.js";
import { Vault } from "../../../src/store/vault.js";
import { Ancestry, checkFileTransition, checkSignedFile, lineLeaves } from "../../../src/model/signed.js";
import { repo, type Repo, T0 } from "./fixture.js";

const PATH = ".envvault/envs/development.env";
let r: Repo;
let base: EnvFile;

beforeEach(async () => {
  r = await repo();
  base = await r.withValues({ API_KEY: "sk-merge-base-1", DB_HOST: "db.internal" });
});

afterEach(async () => {
  await r.cleanup();
});

/** Writes the three versions git would give the driver; returns its arguments. */
async function sides(ours: EnvFile, theirs: EnvFile) {
  const files = { base: join(r.root, "base"), ours: join(r.root, "ours"), theirs: join(r.root, "theirs") };
  await writeFile(files.base, printEnvFile(base));
  await writeFile(files.ours, printEnvFile(ours));
  await writeFile(files.theirs, printEnvFile(theirs));
  return { ...files, path: PATH };
}

const valuesOf = async (file: string) => [...parseEnvFile(await readFile(file, "utf8"), PATH, "development").values.keys()];
const merged = async (file: string) => parseEnvFile(await readFile(file, "utf8"), PATH, "development");

/** The problems `vault verify` would find in a merge commit holding `result`, with parents ours and theirs. */
async function problems(result: EnvFile, ours: EnvFile, theirs: EnvFile): Promise<string[]> {
  const roster = (await Vault.load(r.root)).roster.data;
  const ancestry = new Ancestry();
  for (const f of [base, ours, theirs, result]) ancestry.add(signedView(f));
  const view = signedView(result);
  return [...checkSignedFile(view, roster, verifySignature), ...checkFileTransition("development", view, [signedView(ours), signedView(theirs)], ancestry)].map((p) => `${p.key}: ${p.what}`);
}

describe("mergeDriver", () => {
  test("keys changed on one side each merge, and the result replaces ours", async () => {
    const ours = await r.withValues({ OURS_ONLY: "sk-merge-ours-1" }, T0 + 1, base);
    const theirs = await r.withValues({ THEIRS_ONLY: "sk-merge-theirs-1" }, T0 + 2, base);
    const args = await sides(ours, theirs);
    const out = await mergeDriver(r.deps, args);
    expect(out).toEqual({ path: PATH, status: "merged", added: ["THEIRS_ONLY"], changed: [], removed: [] });
    expect(await valuesOf(args.ours)).toEqual(["API_KEY", "DB_HOST", "OURS_ONLY", "THEIRS_ONLY"]);
    const result = await merged(args.ours);
    // Lines taken as they are: no record that neither side had.
    expect([...result.sigs.keys()].every((id) => ours.sigs.has(id) || theirs.sigs.has(id))).toBe(true);
    expect(await problems(result, ours, theirs)).toEqual([]);
  });

  test("a key changed on both sides is put to choose with both values, and the side chosen is kept", async () => {
    const ours = await r.withValues({ API_KEY: "sk-merge-ours-2" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-merge-theirs-2" }, T0 + 2, base);
    const args = await sides(ours, theirs);
    const asked: Question[] = [];
    const out = await mergeDriver(r.deps, args, async (q) => {
      asked.push(q);
      return "theirs";
    });
    expect(asked).toEqual([
      { key: "API_KEY", env: "development", reason: "changed on both branches", ours: { removed: false, t: T0 + 1, value: "sk-merge-ours-2" }, theirs: { removed: false, t: T0 + 2, value: "sk-merge-theirs-2" } },
    ]);
    expect(out).toEqual({ path: PATH, status: "merged", added: [], changed: ["API_KEY"], removed: [] });
    const result = await merged(args.ours);
    const kept = theirs.values.get("API_KEY")!;
    expect(result.values.get("API_KEY")).toEqual({ ...kept, prev: lineLeaves(signedView(theirs)).get("API_KEY") });
    expect(await problems(result, ours, theirs)).toEqual([]);
  });

  test("with nobody to choose (or no identity to read the values), the conflict stays in the file", async () => {
    const ours = await r.withValues({ API_KEY: "sk-merge-ours-3" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-merge-theirs-3" }, T0 + 2, base);
    const args = await sides(ours, theirs);
    const out = await mergeDriver({ cwd: r.root, processEnv: { XDG_CONFIG_HOME: join(r.root, "no-identity") } }, args);
    expect(out).toMatchObject({ status: "conflicts", conflicts: [{ kind: "key", name: "API_KEY" }] });
    expect(await readFile(args.ours, "utf8")).toContain("<<<<<<< ours API_KEY");
  });

  test("the same value set on both sides (two ciphertexts) settles itself, signed by the merger", async () => {
    const ours = await r.withValues({ API_KEY: "sk-merge-same-4" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-merge-same-4" }, T0 + 2, base);
    expect(ours.values.get("API_KEY")?.payload).not.toBe(theirs.values.get("API_KEY")?.payload);
    const args = await sides(ours, theirs);
    const out = await mergeDriver(r.deps, args, async () => {
      throw new Error("nothing to ask");
    });
    expect(out.status).toBe("merged");
    expect(await problems(await merged(args.ours), ours, theirs)).toEqual([]);
  });

  test("a conflict is left to a member who may write the scope: one who may not is not asked", async () => {
    const ours = await r.withValues({ API_KEY: "sk-merge-ours-5" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-merge-theirs-5" }, T0 + 2, base);
    const args = await sides(ours, theirs);
    const rosterPath = join(r.root, ".envvault/roster.yaml");
    // The roster of the merge: alice reads development but no longer writes it, and is no admin.
    const roster = (await readFile(rosterPath, "utf8")).replace("admins: [alice]", "admins: []").replace("    members: [alice]", "    members: [alice]\n    write:\n      members: []");
    await writeFile(rosterPath, roster);
    expect((await Vault.load(r.root)).roster.data.access?.development?.write).toEqual({ members: [] });
    const out = await mergeDriver(r.deps, args, async () => {
      throw new Error("not asked");
    });
    expect(out).toMatchObject({ status: "conflicts", conflicts: [{ name: "API_KEY" }] });
  });

  test("a key removed on both sides settles itself, signed by the merger", async () => {
    const roster = (await Vault.load(r.root)).roster.data;
    const writer = writerFor(roster, [r.identity], [await identityToRecipient(r.identity)]);
    const gone = (t: number) => signEnvChange(base, { ...base, values: new Map([...base.values].filter(([k]) => k !== "DB_HOST")) }, roster, writer, t);
    const [ours, theirs] = [gone(T0 + 1), gone(T0 + 2)];
    const args = await sides(ours, theirs);
    expect(await mergeDriver(r.deps, args)).toMatchObject({ status: "merged", removed: [] });
    const result = await merged(args.ours);
    expect(result.removed.get("DB_HOST")?.prev).toBe(lineLeaves(signedView(ours)).get("DB_HOST"));
    expect(await problems(result, ours, theirs)).toEqual([]);
  });

  test(".envvault/chain merges as the union of both sides' links", async () => {
    const chain = await readFile(join(r.root, ".envvault/chain"), "utf8");
    const files = { base: join(r.root, "base"), ours: join(r.root, "ours"), theirs: join(r.root, "theirs") };
    await writeFile(files.base, chain);
    await writeFile(files.ours, chain);
    await writeFile(files.theirs, chain);
    expect(await mergeDriver(r.deps, { ...files, path: ".envvault/chain" })).toEqual({ path: ".envvault/chain", status: "merged", added: [], changed: [], removed: [] });
    expect(await readFile(files.ours, "utf8")).toBe(chain);
    await writeFile(files.theirs, "not a chain\n");
    expect(await mergeDriver(r.deps, { ...files, path: ".envvault/chain" })).toMatchObject({ status: "unmergeable" });
  });

  test("a side that is not an envvault file is not merged, and ours is left as it was", async () => {
    const args = await sides(base, base);
    await writeFile(args.ours, "garbage\n");
    const out = await mergeDriver(r.deps, args);
    expect(out).toMatchObject({ status: "unmergeable", reason: expect.stringContaining("(ours):1: expected the header") });
    expect(await readFile(args.ours, "utf8")).toBe("garbage\n");
  });
});

describe("roster.yaml", () => {
  const ROSTER = ".envvault/roster.yaml";
  const recipients = new Map<string, string>();
  beforeEach(async () => {
    const { generateIdentity } = await import("../../../src/crypto/age.js");
    for (const m of ["alice", "bob", "carol"]) recipients.set(m, await identityToRecipient(await generateIdentity()));
  });
  const roster = (members: string[], access: string[]) =>
    ["version: 1", "admins: [alice]", "members:", ...members.flatMap((m) => [`  ${m}:`, "    recipients:", `      - ${recipients.get(m)!}`]), "access:", "  development:", "    members:", ...access.map((m) => `      - ${m}`), ""].join("\n");

  async function rosterSides(b: string, ours: string, theirs: string) {
    const files = { base: join(r.root, "base"), ours: join(r.root, "ours"), theirs: join(r.root, "theirs") };
    await writeFile(files.base, b);
    await writeFile(files.ours, ours);
    await writeFile(files.theirs, theirs);
    return { ...files, path: ROSTER };
  }

  test("two members added on two branches merge to both, entry by entry", async () => {
    const args = await rosterSides(roster(["alice"], ["alice"]), roster(["alice", "bob"], ["alice", "bob"]), roster(["alice", "carol"], ["alice", "carol"]));
    const out = await mergeDriver(r.deps, args);
    expect(out).toEqual({ path: ROSTER, status: "merged", added: ["member carol"], changed: ["access development"], removed: [] });
    const text = await readFile(args.ours, "utf8");
    expect(text).toMatch(/^  bob:$/m);
    expect(text).toMatch(/^  carol:$/m);
    expect(text).toMatch(/^      - bob\n      - carol$/m);
  });

  test("a grant to a member the other branch removed does not hold together: left as git's text merge, with markers", async () => {
    const both = roster(["alice", "bob"], ["alice"]);
    const args = await rosterSides(both, roster(["alice"], ["alice"]), roster(["alice", "bob"], ["alice", "bob"]));
    const out = await mergeDriver(r.deps, args);
    expect(out.status).toBe("text conflicts");
    expect(out).toMatchObject({ path: ROSTER });
    expect(await readFile(args.ours, "utf8")).toMatch(/^<<<<<<< ours$/m);
  });
});
