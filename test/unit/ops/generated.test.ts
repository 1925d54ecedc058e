import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GENERATED_FILE, generatedValues, regenerate } from "../../../src/store/generated.js";
import type { VaultConfig } from "../../../src/model/config.js";
import { rejection } from "../errors.js";

const cfg = (generate: Record<string, string | undefined>): VaultConfig => ({
  version: 1,
  environments: { development: {} },
  variables: { ...Object.fromEntries(Object.entries(generate).map(([k, spec]) => [k, spec === undefined ? { kind: "generated" as const } : { kind: "generated" as const, generate: spec }])), PLAIN: { kind: "config" } },
});

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-generated-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("generatedValues", () => {
  test("makes each generated variable once from its spec and keeps it, mode 0600", async () => {
    const c = cfg({ X_API_KEY: "hex:40", ID: "uuid", DEFAULT: undefined });
    const first = await generatedValues(root, c, { save: true, locked: false });
    expect([...first.keys()]).toEqual(["DEFAULT", "ID", "X_API_KEY"]);
    expect(first.get("X_API_KEY")).toMatch(/^[0-9a-f]{40}$/);
    expect(first.get("ID")).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.get("DEFAULT")).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await generatedValues(root, c, { save: true, locked: true })).toEqual(first);
    expect((await stat(join(root, GENERATED_FILE))).mode & 0o777).toBe(0o600);
  });

  test("another state directory gets its own values", async () => {
    const other = await mkdtemp(join(tmpdir(), "envvault-generated-"));
    try {
      const c = cfg({ K: "hex:32" });
      expect((await generatedValues(root, c, { save: true, locked: false })).get("K")).not.toBe((await generatedValues(other, c, { save: true, locked: false })).get("K"));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test("a dry run makes values without keeping them", async () => {
    await generatedValues(root, cfg({ K: "16" }), { save: false, locked: false });
    await expect(stat(join(root, GENERATED_FILE))).rejects.toThrow();
  });

  test("a changed spec makes a new value; values of variables no longer defined are kept", async () => {
    const before = await generatedValues(root, cfg({ K: "hex:16", GONE: "8" }), { save: true, locked: false });
    const after = await generatedValues(root, cfg({ K: "base64:16" }), { save: true, locked: false });
    expect(after.get("K")).not.toBe(before.get("K"));
    expect(after.get("K")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.parse(await readFile(join(root, GENERATED_FILE), "utf8")).values.GONE.value).toBe(before.get("GONE"));
  });

  test("regenerate makes new values for the keys named; others stay", async () => {
    const c = cfg({ A: "hex:20", B: "hex:20" });
    const before = await generatedValues(root, c, { save: true, locked: false });
    await regenerate(root, c, ["A"]);
    const after = await generatedValues(root, c, { save: true, locked: false });
    expect(after.get("A")).not.toBe(before.get("A"));
    expect(after.get("B")).toBe(before.get("B"));
    expect((await rejection(regenerate(root, c, ["PLAIN"]))).message).toBe("PLAIN is not a generated variable");
  });

  test("a damaged state file is an invalid file with a way out", async () => {
    await generatedValues(root, cfg({ K: "8" }), { save: true, locked: false });
    await writeFile(join(root, GENERATED_FILE), "{not json");
    const e = await rejection(generatedValues(root, cfg({ K: "8" }), { save: true, locked: false }));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.hints[0]).toMatch(/^delete \.envvault\.local\/generated\.json/);
  });
});
