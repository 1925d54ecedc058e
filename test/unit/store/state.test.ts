import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VaultError } from "../../../src/errors.js";
import { type LocalState, loadState, localKey, saveState } from "../../../src/store/state.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-state-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const statePath = () => join(root, ".envvault.local", "state.json");

async function damaged(text: string): Promise<VaultError> {
  await mkdir(join(root, ".envvault.local"), { recursive: true });
  await writeFile(statePath(), text);
  const e = await loadState(root).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(VaultError);
  return e as VaultError;
}

describe("local state", () => {
  test("loads a default state when there is none", async () => {
    expect(await loadState(root)).toEqual({ version: 1, targets: {} });
  });

  test("saves and loads back the same state, in a file of mode 0600 in a private directory", async () => {
    const state: LocalState = { version: 1, env: "staging", targets: { ".env": { env: "staging", keys: { A: "ab12", B: "cd34" } } } };
    await saveState(root, state);
    expect(await loadState(root)).toEqual(state);
    expect(await readFile(statePath(), "utf8")).toBe(JSON.stringify(state, null, 2) + "\n");
    expect(await modeOf(statePath())).toBe(0o600);
    expect(await modeOf(join(root, ".envvault.local"))).toBe(0o700);
  });

  test("saving again replaces the state", async () => {
    await saveState(root, { version: 1, env: "a", targets: {} });
    await saveState(root, { version: 1, targets: {} });
    expect(await loadState(root)).toEqual({ version: 1, targets: {} });
  });

  test.each([
    ["not JSON", "{ broken"],
    ["JSON null", "null"],
    ["another version", '{"version": 2, "targets": {}}'],
    ["targets missing", '{"version": 1}'],
  ])("a damaged state file (%s) is an invalid file with a hint to delete it", async (_what, text) => {
    const e = await damaged(text);
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(".envvault.local/state.json is damaged");
    expect(e.data).toEqual({ file: ".envvault.local/state.json" });
    expect(e.hints).toEqual(["delete .envvault.local/state.json; the next `vault unlock` rebuilds it (local edits of targets are then kept as conflicts)"]);
  });
});

describe("localKey", () => {
  test("is 32 bytes, stored with mode 0600, and the same on every call", async () => {
    const a = await localKey(root);
    const b = await localKey(root);
    expect(a).toHaveLength(32);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const path = join(root, ".envvault.local", "state.key");
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(a))).toBe(true);
    expect(await modeOf(path)).toBe(0o600);
  });

  test("differs between clones", async () => {
    const other = await mkdtemp(join(tmpdir(), "envvault-state-"));
    try {
      expect(Buffer.from(await localKey(other)).equals(Buffer.from(await localKey(root)))).toBe(false);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test("replaces a key file of the wrong length", async () => {
    await mkdir(join(root, ".envvault.local"), { recursive: true });
    await writeFile(join(root, ".envvault.local", "state.key"), "short");
    const k = await localKey(root);
    expect(k).toHaveLength(32);
    expect((await readFile(join(root, ".envvault.local", "state.key"))).length).toBe(32);
  });
});
