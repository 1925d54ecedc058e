import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { initVault } from "../../../src/app/init.js";
import { Keyring } from "../../../src/store/keyring.js";
import { readEnv } from "../../../src/app/read.js";
import { applyUpdates, MAX_BATCHES_PER_SCOPE } from "../../../src/app/write.js";
import { Vault } from "../../../src/store/vault.js";
import { type EnvFile, printEnvFile } from "../../../src/model/envfile.js";
import { rejection } from "../errors.js";

const ENV = "development";
const T0 = 1_700_000_000;

let root: string;
let identity: string;
let recipient: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-write-"));
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  await initVault({ root, envs: [ENV], member: "alice", recipients: [recipient], identities: [identity] });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The reader's keyring on the vault as it is on disk now. */
async function reader(): Promise<Keyring> {
  return new Keyring(await Vault.load(root), [identity], [recipient], "alice");
}

async function currentFile(): Promise<EnvFile> {
  return (await Vault.load(root)).envFile(ENV);
}

async function save(file: EnvFile): Promise<void> {
  await writeFile(join(root, Vault.envPath(file.env)), printEnvFile(file));
}

const set = (...pairs: [string, string][]) => pairs.map(([key, value]) => ({ key, value }));

async function plain(keyring: Keyring, env = ENV): Promise<Record<string, { value: string; t: number }>> {
  const out: Record<string, { value: string; t: number }> = {};
  for (const [key, r] of await readEnv(keyring, env)) out[key] = { value: r.value, t: r.t };
  return out;
}


describe("applyUpdates", () => {
  test("new keys are sealed under one new batch of the environment's scope, at the time given", async () => {
    const before = await currentFile();
    const r = await applyUpdates(await reader(), before, set(["B", "two"], ["A", "one"]), [], T0);
    expect(r.added).toEqual(["A", "B"]);
    expect([r.changed, r.unchanged, r.removed]).toEqual([[], [], []]);
    expect([...r.file.batches.values()].map((b) => b.scope)).toEqual([ENV]);
    const [id] = [...r.file.batches.keys()];
    expect([...r.file.values].map(([k, v]) => [k, v.batch, v.t])).toEqual([
      ["B", id, T0],
      ["A", id, T0],
    ]);
    expect(before.values.size).toBe(0);
    expect(before.batches.size).toBe(0);
    await save(r.file);
    expect(await plain(await reader())).toEqual({ A: { value: "one", t: T0 }, B: { value: "two", t: T0 } });
  });

  test("the printed file has the header, the scope's record and line, then the batch line and the value it is anchored at", async () => {
    const r = await applyUpdates(await reader(), await currentFile(), set(["A", "1"]), [], T0);
    const lines = printEnvFile(r.file).split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(`# envvault 2 ${ENV}`);
    // initVault's record of the scope line, anchored at the scope; applyUpdates seals, transaction() signs the values.
    expect(lines[1]).toMatch(new RegExp(`^#@sig [0-9a-f]{12} @${ENV} alice [A-Za-z0-9_-]{86} [A-Za-z0-9_-]{22}$`));
    expect(lines[2]).toMatch(new RegExp(`^#@scope ${ENV} age1[0-9a-z]{58} -$`));
    expect(lines[3]).toMatch(new RegExp(`^#@batch [0-9a-f]{12} ${ENV} A [A-Za-z0-9+/]+={0,2}$`));
    expect(lines[4]).toMatch(new RegExp(`^A=ev2:${lines[3]!.slice(8, 20)}:${T0}:-:[A-Za-z0-9_-]+$`));
    expect(lines[5]).toBe("");
  });

  test("setting an unchanged value with read access leaves the file byte-identical and reports unchanged", async () => {
    await save((await applyUpdates(await reader(), await currentFile(), set(["A", "1"], ["B", "2"]), [], T0)).file);
    const onDisk = await readFile(join(root, Vault.envPath(ENV)), "utf8");
    const r = await applyUpdates(await reader(), await currentFile(), set(["A", "1"], ["B", "2"]), [], T0 + 60);
    expect(r.unchanged).toEqual(["A", "B"]);
    expect([r.added, r.changed, r.removed]).toEqual([[], [], []]);
    expect(printEnvFile(r.file)).toBe(onDisk);
  });

  test("a changed value gets a new batch and the new time; the other values keep theirs", async () => {
    await save((await applyUpdates(await reader(), await currentFile(), set(["A", "1"], ["B", "2"]), [], T0)).file);
    const r = await applyUpdates(await reader(), await currentFile(), set(["A", "1"], ["B", "3"]), [], T0 + 60);
    expect(r.changed).toEqual(["B"]);
    expect(r.unchanged).toEqual(["A"]);
    expect(r.file.batches.size).toBe(2);
    await save(r.file);
    expect(await plain(await reader())).toEqual({ A: { value: "1", t: T0 }, B: { value: "3", t: T0 + 60 } });
  });

  test("without a keyring (write-only) a set still works, and the reader can read it", async () => {
    const r = await applyUpdates(undefined, await currentFile(), set(["TOKEN", "from-ci"]), [], T0);
    expect(r.added).toEqual(["TOKEN"]);
    await save(r.file);
    const again = await applyUpdates(undefined, await currentFile(), set(["TOKEN", "from-ci"]), [], T0 + 1);
    expect(again.changed).toEqual(["TOKEN"]);
    expect(again.file.batches.size).toBe(1);
    await save(again.file);
    expect(await plain(await reader())).toEqual({ TOKEN: { value: "from-ci", t: T0 + 1 } });
  });

  test("a keyring of someone who is not a member writes like a write-only member", async () => {
    const stranger = await generateIdentity();
    const keyring = new Keyring(await Vault.load(root), [stranger], [await identityToRecipient(stranger)], undefined);
    const r = await applyUpdates(keyring, await currentFile(), set(["A", "x"]), [], T0);
    expect(r.added).toEqual(["A"]);
    await save(r.file);
    expect(await plain(await reader())).toEqual({ A: { value: "x", t: T0 } });
  });

  test("removing a key drops its line and its batch when no other value uses it", async () => {
    await save((await applyUpdates(await reader(), await currentFile(), set(["A", "1"]), [], T0)).file);
    await save((await applyUpdates(await reader(), await currentFile(), set(["B", "2"]), [], T0)).file);
    const r = await applyUpdates(await reader(), await currentFile(), [], ["A"], T0);
    expect(r.removed).toEqual(["A"]);
    expect([...r.file.values.keys()]).toEqual(["B"]);
    expect([...r.file.batches.keys()]).toEqual([r.file.values.get("B")!.batch]);
  });

  test("removing an unknown key is a usage error naming the key and environment, and nothing is returned", async () => {
    const e = await rejection(applyUpdates(await reader(), await currentFile(), set(["A", "1"]), ["NOPE"], T0));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`${ENV} has no variable NOPE to remove`);
    expect(e.data).toEqual({ key: "NOPE", env: ENV, file: Vault.envPath(ENV) });
  });

  test("setting into a scope the environment does not have is a usage error", async () => {
    const e = await rejection(applyUpdates(await reader(), await currentFile(), [{ key: "A", value: "1", scope: `${ENV}:payments` }], [], T0));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`environment ${ENV} has no scope ${ENV}:payments`);
  });

  test("after every value of an old batch is updated, the old batch line is pruned", async () => {
    const first = await applyUpdates(await reader(), await currentFile(), set(["A", "1"], ["B", "2"]), [], T0);
    const [old] = [...first.file.batches.keys()];
    await save(first.file);
    const second = await applyUpdates(await reader(), await currentFile(), set(["A", "1b"]), [], T0 + 1);
    expect([...second.file.batches.keys()]).toContain(old);
    await save(second.file);
    const third = await applyUpdates(await reader(), await currentFile(), set(["B", "2b"]), [], T0 + 2);
    expect([...third.file.batches.keys()]).not.toContain(old);
    expect(new Set([...third.file.values.values()].map((v) => v.batch))).toEqual(new Set(third.file.batches.keys()));
    expect(third.file.batches.size).toBe(2);
    expect(printEnvFile(third.file)).not.toContain(old);
  });

  test(`more than ${MAX_BATCHES_PER_SCOPE} writes by a reader compact the scope to one batch, keeping every value and its time`, async () => {
    const keyring = await reader();
    let file = await currentFile();
    const expected: Record<string, { value: string; t: number }> = {};
    for (let i = 1; i <= MAX_BATCHES_PER_SCOPE; i++) {
      const key = `K${String(i).padStart(2, "0")}`;
      file = (await applyUpdates(keyring, file, set([key, `value ${i}`]), [], T0 + i)).file;
      expected[key] = { value: `value ${i}`, t: T0 + i };
    }
    expect(file.batches.size).toBe(MAX_BATCHES_PER_SCOPE);
    const r = await applyUpdates(keyring, file, set(["LAST", "last"]), [], T0 + 100);
    expected.LAST = { value: "last", t: T0 + 100 };
    expect(r.added).toEqual(["LAST"]);
    expect(r.changed).toEqual([]);
    expect(r.file.batches.size).toBe(1);
    expect(r.file.values.size).toBe(MAX_BATCHES_PER_SCOPE + 1);
    await save(r.file);
    expect(await plain(await reader())).toEqual(expected);
  });

  test("write-only writers never compact, since they cannot read the values", async () => {
    let file = await currentFile();
    for (let i = 0; i <= MAX_BATCHES_PER_SCOPE; i++) file = (await applyUpdates(undefined, file, set([`K${i}`, "v"]), [], T0)).file;
    expect(file.batches.size).toBe(MAX_BATCHES_PER_SCOPE + 1);
  });
});
