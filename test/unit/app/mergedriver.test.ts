import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mergeDriver, type Question } from "../../../src/app/mergedriver.js";
import { type EnvFile, parseEnvFile, printEnvFile } from "../../../src/model/envfile.js";
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

describe("mergeDriver", () => {
  test("keys changed on one side each merge, and the result replaces ours", async () => {
    const ours = await r.withValues({ OURS_ONLY: "sk-merge-ours-1" }, T0 + 1, base);
    const theirs = await r.withValues({ THEIRS_ONLY: "sk-merge-theirs-1" }, T0 + 2, base);
    const args = await sides(ours, theirs);
    const out = await mergeDriver(r.deps, args);
    expect(out).toEqual({ path: PATH, status: "merged", added: ["THEIRS_ONLY"], changed: [], removed: [] });
    expect(await valuesOf(args.ours)).toEqual(["API_KEY", "DB_HOST", "OURS_ONLY", "THEIRS_ONLY"]);
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
    expect(parseEnvFile(await readFile(args.ours, "utf8"), PATH, "development").values.get("API_KEY")).toEqual(theirs.values.get("API_KEY"));
  });

  test("with nobody to choose (or no identity to read the values), the conflict stays in the file", async () => {
    const ours = await r.withValues({ API_KEY: "sk-merge-ours-3" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-merge-theirs-3" }, T0 + 2, base);
    const args = await sides(ours, theirs);
    const out = await mergeDriver({ cwd: r.root, processEnv: { XDG_CONFIG_HOME: join(r.root, "no-identity") } }, args);
    expect(out).toMatchObject({ status: "conflicts", conflicts: [{ kind: "key", name: "API_KEY" }] });
    expect(await readFile(args.ours, "utf8")).toContain("<<<<<<< ours API_KEY");
  });

  test("the same value set on both sides (two ciphertexts) settles itself", async () => {
    const ours = await r.withValues({ API_KEY: "sk-merge-same-4" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-merge-same-4" }, T0 + 2, base);
    expect(ours.values.get("API_KEY")?.payload).not.toBe(theirs.values.get("API_KEY")?.payload);
    const out = await mergeDriver(r.deps, await sides(ours, theirs), async () => {
      throw new Error("nothing to ask");
    });
    expect(out.status).toBe("merged");
  });

  test("a side that is not an envvault file is not merged, and ours is left as it was", async () => {
    const args = await sides(base, base);
    await writeFile(args.ours, "garbage\n");
    const out = await mergeDriver(r.deps, args);
    expect(out).toMatchObject({ status: "unmergeable", reason: expect.stringContaining("(ours):1: expected the header") });
    expect(await readFile(args.ours, "utf8")).toBe("garbage\n");
  });
});
