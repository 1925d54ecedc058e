import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { classify, findEnvFiles, planAdoption } from "../../../src/app/adopt.js";

describe("classify", () => {
  test.each([
    [".env", { role: "values", env: undefined, local: false }],
    [".env.local", { role: "values", env: undefined, local: true }],
    ["api/.env", { role: "values", env: undefined, local: false }],
    [".env.production", { role: "values", env: "production", local: false }],
    [".env.prod", { role: "values", env: "production", local: false }],
    [".env.dev.local", { role: "values", env: "development", local: true }],
    [".env.qa", { role: "values", env: "qa", local: false }],
    ["staging.env", { role: "values", env: "staging", local: false }],
    ["docker/db.env", { role: "values", env: undefined, local: false }],
    [".env.example", { role: "definitions" }],
    [".env.sample", { role: "definitions" }],
    ["example.env", { role: "definitions" }],
    [".env.defaults", { role: "layer" }],
  ])("%s", (path, role) => {
    expect(classify(path)).toEqual(role);
  });

  test.each([".env.bak", ".env.production.old", "config/.env.defaults", ".env.a.b", ".env.Ünïcode"])("%s is skipped, with why", (path) => {
    expect(classify(path).role).toBe("skipped");
  });
});

describe("planAdoption", () => {
  let root: string;
  const files: Record<string, string> = {
    ".env": "A=1\nSHARED=root\n",
    ".env.local": "SHARED=local\nL=2\n",
    ".env.production": "A=prod\n",
    "api/.env": "SHARED=api\nAPI=3\n",
    "api/.env.example": "API=\nNEEDED=\n",
    ".env.example": "A=\n",
    ".env.defaults": "D=1\n",
    "node_modules/pkg/.env": "NM=1\n",
    "vendor/x/.env": "V=1\n",
    ".git/x.env": "G=1\n",
    "empty/.env": "",
    "weird/.env": "ok=1\nnot-posix=2\nBROKEN='\n",
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "envvault-adopt-"));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test("findEnvFiles never looks into node_modules, vendor or .git", async () => {
    expect(await findEnvFiles(root)).toEqual([".env", ".env.defaults", ".env.example", ".env.local", ".env.production", "api/.env", "api/.env.example", "empty/.env", "weird/.env"]);
  });

  test("values go to their environments, the first file found wins a key, later files keep their own keys", async () => {
    const a = await planAdoption(root, "development");
    expect(Object.fromEntries([...a.values].map(([e, v]) => [e, Object.fromEntries(v)]))).toEqual({
      development: { A: "1", SHARED: "root", L: "2", API: "3", ok: "1" },
      production: { A: "prod" },
    });
    expect(a.conflicts).toEqual([
      { env: "development", key: "SHARED", kept: ".env", ignored: ".env.local" },
      { env: "development", key: "SHARED", kept: ".env", ignored: "api/.env" },
    ]);
    expect(a.targets).toEqual([
      { path: ".env" },
      { path: ".env.production", env: "production" },
      { path: ".env.local", keys: ["L", "SHARED"] },
      { path: "api/.env", keys: ["API", "SHARED"] },
      { path: "weird/.env", keys: ["ok"] },
    ]);
    expect(a.required).toEqual(["A", "API", "NEEDED"]);
    expect(a.layers).toEqual([".env.defaults"]);
    expect(a.files.find((f) => f.path === "weird/.env")?.warnings).toEqual(["line 3: cannot read it as KEY=value; left out", "not-posix: not a POSIX variable name; left out"]);
  });
});
