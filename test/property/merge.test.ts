/**
 * Random edit scripts on two branches, each write signed as vault commands sign it, merged by
 * real `git merge` through the envvault merge driver (the built CLI), compared with a
 * key-level three-way model: every key ends up with the value the model says, no key is lost
 * or revived, every conflict the model predicts (and no other) is left for `vault resolve`,
 * the vault stays readable with the merged scope key — also when one or both branches
 * rotated the scope — and the merge commit passes the state and history checks (a clean
 * merge as it is; a settled one once the merger signed the sides kept).
 *
 * 15 runs by default, to keep the suite fast; ENVVAULT_LONG=1 runs 300.
 */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { deriveValueKey, newBatchKey, openValue, sealValue } from "../../src/crypto/seal.js";
import { newScopeKey, unwrapBatchKey, wrapBatchKey } from "../../src/crypto/scopekey.js";
import { generateIdentity } from "../../src/crypto/age.js";
import { signerFor, verifySignature } from "../../src/crypto/sign.js";
import { type EnvFile, emptyEnvFile, parseEnvFile, printEnvFile, pruneBatches, signedView } from "../../src/model/envfile.js";
import { type Conflict, parseConflicted, type Side } from "../../src/model/conflicts.js";
import { printMerged, resolveConflict, sideLeaves, sideUsable, signSettled } from "../../src/model/merge.js";
import type { Roster } from "../../src/model/roster.js";
import { Ancestry, checkFileTransition, checkSignedFile } from "../../src/model/signed.js";
import { signEnvChange, type Writer } from "../../src/model/signing.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "bin", "vault.js");
const built = existsSync(join(ROOT, "dist", "cli", "main.js"));
const RUNS = process.env.ENVVAULT_LONG === "1" ? 300 : 15;
const KEYS = ["A", "B", "C", "D", "E", "F"];
const ENV = "development";
const PATH = `.envvault/envs/${ENV}.env`;

type Op = "keep" | "change" | "delete";
/** A value as the model sees it: what it is, and under which scope key ("epoch") it is sealed. */
type Versioned = { value: string; epoch: string } | undefined;

const same = (a: Versioned, b: Versioned) => a?.value === b?.value && a?.epoch === b?.epoch;

/** Key-level three-way merge: the side that changed wins; both changed differently is a conflict. */
function threeWay<T>(base: T, ours: T, theirs: T, eq: (a: T, b: T) => boolean): { side: Side; value: T } | "conflict" {
  if (eq(ours, theirs)) return { side: "ours", value: ours };
  if (eq(base, ours)) return { side: "theirs", value: theirs };
  if (eq(base, theirs)) return { side: "ours", value: ours };
  return "conflict";
}

interface Scenario {
  base: boolean[];
  ours: Op[];
  theirs: Op[];
  rotateOurs: boolean;
  rotateTheirs: boolean;
  resolveWith: Side;
}

const ops = fc.array(fc.constantFrom<Op>("keep", "keep", "change", "delete"), { minLength: KEYS.length, maxLength: KEYS.length });
const rarely = fc.constantFrom(false, false, false, false, true);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  base: fc.array(fc.boolean(), { minLength: KEYS.length, maxLength: KEYS.length }),
  ours: ops,
  theirs: ops,
  rotateOurs: rarely,
  rotateTheirs: rarely,
  resolveWith: fc.constantFrom<Side>("ours", "theirs"),
});

/** Builds real, readable, signed env files and remembers every key needed to check readability. */
class World {
  private n = 0;
  readonly identities = new Map<string, string>();

  private constructor(
    readonly writer: Writer,
    readonly roster: Roster,
  ) {}

  /** A world with one member, an admin, who signs every write. */
  static async make(): Promise<World> {
    const s = signerFor(await generateIdentity());
    const writer: Writer = { member: "alice", publicKey: s.publicKey, sign: (m) => s.sign(m) };
    return new World(writer, { version: 1, admins: ["alice"], members: { alice: { recipients: ["age1" + "q".repeat(58)], signing_keys: [s.publicKey] } } });
  }

  /** Problems the state and history checks find in `merged` as a merge of `parents`. */
  problems(merged: EnvFile, parents: EnvFile[], history: EnvFile[]): string[] {
    const ancestry = new Ancestry();
    for (const f of [...history, ...parents, merged]) ancestry.add(signedView(f));
    const view = signedView(merged);
    return [...checkSignedFile(view, this.roster, verifySignature), ...checkFileTransition(ENV, view, parents.map(signedView), ancestry)].map((p) => `${p.key}: ${p.what}`);
  }

  fresh(): string {
    return `value-${++this.n}-${"x".repeat(this.n % 3)}`;
  }

  async scope(): Promise<string> {
    const k = await newScopeKey(ENV);
    this.identities.set(k.recipient, k.identity);
    return k.recipient;
  }

  /** `next` written over `prev`: unchanged values keep their lines unless `recipient` is a new key (rotation re-seals all). */
  async write(prev: EnvFile | undefined, prevValues: Map<string, string>, next: Map<string, string>, recipient: string, t: number): Promise<EnvFile> {
    const rotated = prev === undefined || prev.scopes.get(ENV) !== recipient;
    const f: EnvFile = emptyEnvFile(ENV);
    f.scopes.set(ENV, recipient);
    const bk = newBatchKey();
    const wrapped = await wrapBatchKey(bk, recipient);
    const vk = deriveValueKey(bk);
    for (const [key, value] of next) {
      const old = prev?.values.get(key);
      if (!rotated && old !== undefined && prevValues.get(key) === value) {
        f.values.set(key, old);
        f.batches.set(old.batch, prev!.batches.get(old.batch)!);
        continue;
      }
      const tt = old !== undefined && prevValues.get(key) === value ? old.t : t;
      f.batches.set(wrapped.id, { scope: ENV, age: wrapped.b64 });
      f.values.set(key, { batch: wrapped.id, t: tt, payload: sealValue({ valueKey: vk, env: ENV, scope: ENV, key, t: tt, plaintext: value }) });
    }
    return signEnvChange(prev, pruneBatches(f), this.roster, this.writer, t);
  }

  /** Every value opened with the file's own scope key: proves the file is readable. */
  async open(f: EnvFile): Promise<Map<string, string>> {
    const identity = this.identities.get(f.scopes.get(ENV) ?? "");
    if (identity === undefined) throw new Error("the merged scope key is not one of the keys made");
    const out = new Map<string, string>();
    for (const [key, v] of f.values) {
      const b = f.batches.get(v.batch);
      if (b === undefined) throw new Error(`${key} refers to a missing batch`);
      const bk = await unwrapBatchKey(b.age, v.batch, identity, { env: ENV, scope: ENV });
      out.set(key, openValue({ valueKey: deriveValueKey(bk), env: ENV, scope: ENV, key, t: v.t, payload: v.payload }));
    }
    return out;
  }
}

function apply(base: Map<string, string>, script: Op[], w: World): Map<string, string> {
  const out = new Map(base);
  KEYS.forEach((k, i) => {
    if (script[i] === "change") out.set(k, w.fresh());
    if (script[i] === "delete") out.delete(k);
  });
  return out;
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv): { code: number; out: string } {
  const r = spawnSync("git", args, { cwd, env, encoding: "utf8" });
  return { code: r.status ?? 128, out: r.stdout + r.stderr };
}

async function runScenario(s: Scenario): Promise<void> {
  const w = await World.make();
  const dir = mkdtempSync(join(tmpdir(), "envvault-merge-prop-"));
  const home = join(dir, "home");
  const repo = join(dir, "repo");
  mkdirSync(home);
  mkdirSync(join(repo, ".envvault", "envs"), { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "p", GIT_AUTHOR_EMAIL: "p@x.invalid", GIT_COMMITTER_NAME: "p", GIT_COMMITTER_EMAIL: "p@x.invalid" };
  const ok = (args: string[]) => {
    const r = git(repo, args, env);
    if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.out}`);
  };
  try {
    ok(["init", "-q", "-b", "main"]);
    ok(["config", "merge.envvault.driver", `'${process.execPath}' '${BIN}' merge-driver %O %A %B %P`]);
    writeFileSync(join(repo, ".gitattributes"), ".envvault/envs/*.env merge=envvault\n");
    const commit = (f: EnvFile, msg: string) => {
      writeFileSync(join(repo, PATH), printEnvFile(f));
      ok(["add", "-A"]);
      ok(["commit", "-q", "--allow-empty", "-m", msg]);
    };

    // Model inputs: values per side, and the scope key ("epoch") each side seals under.
    const baseValues = new Map(KEYS.filter((_, i) => s.base[i]).map((k) => [k, w.fresh()] as const));
    const oursValues = apply(baseValues, s.ours, w);
    const theirsValues = apply(baseValues, s.theirs, w);
    const r0 = await w.scope();
    const rOurs = s.rotateOurs ? await w.scope() : r0;
    const rTheirs = s.rotateTheirs ? await w.scope() : r0;

    const baseFile = await w.write(undefined, new Map(), baseValues, r0, 1);
    commit(baseFile, "base");
    ok(["checkout", "-q", "-b", "theirs"]);
    const theirsFile = await w.write(baseFile, baseValues, theirsValues, rTheirs, 3);
    commit(theirsFile, "theirs");
    ok(["checkout", "-q", "main"]);
    const oursFile = await w.write(baseFile, baseValues, oursValues, rOurs, 2);
    commit(oursFile, "ours");
    const merge = git(repo, ["merge", "-q", "--no-edit", "theirs"], env);

    // The model.
    const at = (m: Map<string, string>, epoch: string, k: string): Versioned => (m.has(k) ? { value: m.get(k)!, epoch } : undefined);
    const epoch = threeWay(r0, rOurs, rTheirs, (a, b) => a === b);
    const mergedEpoch = epoch === "conflict" ? undefined : epoch.value;
    const clean = new Map<string, string>();
    const conflicts = new Map<string, { ours: Versioned; theirs: Versioned }>();
    for (const k of KEYS) {
      const v = { base: at(baseValues, r0, k), ours: at(oursValues, rOurs, k), theirs: at(theirsValues, rTheirs, k) };
      // Removed on both branches: two removal lines (stamped at each write), one to be chosen.
      const removedOnBoth = v.base !== undefined && v.ours === undefined && v.theirs === undefined;
      const pick = removedOnBoth ? "conflict" : threeWay(v.base, v.ours, v.theirs, same);
      if (pick !== "conflict" && pick.value === undefined) continue;
      if (pick !== "conflict" && pick.value !== undefined && pick.value.epoch === mergedEpoch) clean.set(k, pick.value.value);
      else conflicts.set(k, { ours: v.ours, theirs: v.theirs });
    }

    const text = readFileSync(join(repo, PATH), "utf8");
    expect({ exit: merge.code === 0 }).toEqual({ exit: conflicts.size === 0 && mergedEpoch !== undefined });
    let cf = parseConflicted(text, PATH, ENV);
    const keyConflicts = cf.conflicts.filter((c) => c.kind === "key").map((c) => c.name);
    expect(keyConflicts.sort()).toEqual([...conflicts.keys()].sort());
    expect(cf.conflicts.some((c) => c.kind === "scope")).toBe(mergedEpoch === undefined);
    if (cf.conflicts.length === 0) {
      const file = parseEnvFile(text, PATH, ENV);
      expect(Object.fromEntries(await w.open(file))).toEqual(Object.fromEntries(clean));
      expect(text).toBe(printEnvFile(pruneBatches(file)));
      expect(w.problems(file, [oursFile, theirsFile], [baseFile])).toEqual([]);
      return;
    }

    // Settle everything with one side, where that side can be kept, signed by the merger, as `vault resolve` does.
    const sides = new Map(cf.conflicts.map((c) => [c, sideLeaves(cf, c)]));
    const all = [...cf.conflicts];
    const settle = (c: Conflict) => {
      const side: Side = sideUsable(cf, c, s.resolveWith) ? s.resolveWith : s.resolveWith === "ours" ? "theirs" : "ours";
      cf = resolveConflict(cf, c, side, PATH);
    };
    for (const c of cf.conflicts.filter((x) => x.kind === "scope")) settle(c);
    for (const c of [...cf.conflicts]) if (cf.conflicts.includes(c)) settle(c);
    expect(cf.conflicts).toEqual([]);
    cf = { file: signSettled(cf.file, all.map((c) => ({ conflict: c, sides: sides.get(c)! })), w.roster, w.writer, verifySignature, PATH, 4), conflicts: [] };
    const finalEpoch = cf.file.scopes.get(ENV);
    const expected = new Map(clean);
    for (const [k, sides] of conflicts) {
      const preferred = sides[s.resolveWith];
      const other = sides[s.resolveWith === "ours" ? "theirs" : "ours"];
      const chosen = preferred === undefined || preferred.epoch === finalEpoch ? preferred : other;
      if (chosen !== undefined) expected.set(k, chosen.value);
    }
    const final = parseEnvFile(printMerged(cf), PATH, ENV);
    expect(Object.fromEntries(await w.open(final))).toEqual(Object.fromEntries([...expected].sort()));
    expect(w.problems(final, [oursFile, theirsFile], [baseFile])).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

(built ? describe : describe.skip)("git merge of random edits on two branches, through the merge driver", () => {
  test(`matches a key-level three-way model (${RUNS} runs${RUNS < 100 ? "; ENVVAULT_LONG=1 for more" : ""})`, async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: RUNS });
  }, RUNS * 5_000);
});
