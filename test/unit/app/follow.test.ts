import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { followHead } from "../../../src/app/follow.js";
import { keepAll, unlock } from "../../../src/app/unlock.js";
import { repo, type Repo, T0 } from "./fixture.js";

let r: Repo;

beforeEach(async () => {
  r = await repo();
  await r.set({ API_KEY: "sk-follow-value-1" });
  r.git(["add", "-A"]);
  r.git(["commit", "-q", "-m", "vault"]);
});

afterEach(async () => {
  await r.cleanup();
});

const nothing = { keyFiles: [], changes: [], warnings: [] };

describe("followHead", () => {
  test("a clone that never unlocked is left alone", async () => {
    expect(await followHead(r.deps, "post-merge", [])).toEqual(nothing);
  });

  test("an unlocked clone's targets follow HEAD, summarized per environment", async () => {
    await unlock(r.deps, { dryRun: false, decide: keepAll });
    await r.set({ API_KEY: "sk-follow-value-2" }, T0 + 1);
    r.git(["commit", "-q", "-am", "new value"]);
    const out = await followHead(r.deps, "post-rewrite", []);
    expect(out).toEqual({ keyFiles: [], changes: [{ env: "development", added: [], changed: ["API_KEY"], removed: [] }], warnings: [] });
    expect(await readFile(join(r.root, ".env"), "utf8")).toContain("sk-follow-value-2");
  });

  test("nothing happens with ENVVAULT_NO_AUTO_UNLOCK=1, after a checkout of files, or when HEAD did not move", async () => {
    await unlock(r.deps, { dryRun: false, decide: keepAll });
    await r.set({ API_KEY: "sk-follow-value-3" }, T0 + 1);
    const quiet = { ...r.deps, processEnv: { ...r.deps.processEnv, ENVVAULT_NO_AUTO_UNLOCK: "1" } };
    expect(await followHead(quiet, "post-merge", [])).toEqual(nothing);
    expect(await followHead(r.deps, "post-checkout", ["a", "b", "0"])).toEqual(nothing);
    expect(await followHead(r.deps, "post-checkout", ["a", "a", "1"])).toEqual(nothing);
    expect(await readFile(join(r.root, ".env"), "utf8")).not.toContain("sk-follow-value-3");
  });

  test("a failure is a warning with its hints, never an error: git itself went through", async () => {
    await mkdir(join(r.root, ".envvault.local"), { recursive: true });
    await writeFile(join(r.root, ".envvault.local", "state.json"), "{ damaged");
    const out = await followHead(r.deps, "post-checkout", ["a", "b", "1"]);
    expect(out.changes).toEqual([]);
    expect(out.warnings).toEqual([
      "post-checkout: the targets were not unlocked for the new HEAD: .envvault.local/state.json is damaged",
      expect.stringMatching(/^hint: delete \.envvault\.local\/state\.json/),
      "hint: run `vault unlock` when it is fixed; git itself went through",
    ]);
  });
});
