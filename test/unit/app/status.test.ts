import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { conflictsIn, status } from "../../../src/app/status.js";
import { mergeEnv, printMerged } from "../../../src/model/merge.js";
import { keepAll, unlock } from "../../../src/app/unlock.js";
import { repo, type Repo, T0 } from "./fixture.js";

let r: Repo;

beforeEach(async () => {
  r = await repo();
});

afterEach(async () => {
  await r.cleanup();
});

describe("status", () => {
  test("a branch with no commit yet: named, no HEAD, nothing unlocked, the new vault's values not committed", async () => {
    await r.set({ API_KEY: "sk-status-value-1" });
    const s = await status(r.deps);
    expect(s).toMatchObject({ env: "development", chosen: false, branch: "main", targets: [], conflicts: [], unmerged: [], staleKeyFiles: [], warnings: [] });
    expect(s.head).toBeUndefined();
    expect(s.uncommitted).toEqual([{ env: "development", added: ["API_KEY"], changed: [], removed: [], rekeyed: [] }]);
  });

  test("a detached HEAD is named by its commit", async () => {
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "vault"]);
    const head = r.git(["rev-parse", "HEAD"]).trim();
    r.git(["checkout", "-q", "--detach"]);
    const s = await status(r.deps);
    expect(s.branch).toBe(`detached at ${head.slice(0, 12)}`);
    expect(s.head).toBe(head);
    expect(s.uncommitted).toEqual([]);
  });

  test("an unlocked target is compared by value with what unlock would write from HEAD's vault", async () => {
    await r.set({ API_KEY: "sk-status-value-1", LOG_LEVEL: "debug" });
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "vault"]);
    await unlock(r.deps, { dryRun: false, decide: keepAll });
    expect((await status(r.deps)).targets).toEqual([{ target: ".env", env: "development", state: "up-to-date", added: [], changed: [], removed: [], editedLocally: [] }]);
    await r.set({ API_KEY: "sk-status-value-2", NEW_KEY: "sk-status-value-3" }, T0 + 1);
    r.git(["commit", "-q", "-am", "new values"]);
    await writeFile(join(r.root, ".env"), "API_KEY=sk-status-value-1\nLOG_LEVEL=info\n");
    expect((await status(r.deps)).targets).toEqual([
      { target: ".env", env: "development", state: "behind", added: ["NEW_KEY"], changed: ["API_KEY"], removed: [], editedLocally: ["LOG_LEVEL"] },
    ]);
  });

  test("a file in conflict is listed under conflicts, not as uncommitted changes", async () => {
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "vault"]);
    const base = await r.withValues({ API_KEY: "sk-base-value-1" });
    const ours = await r.withValues({ API_KEY: "sk-ours-value-2" }, T0 + 1, base);
    const theirs = await r.withValues({ API_KEY: "sk-theirs-value-3" }, T0 + 2, base);
    await writeFile(join(r.root, ".envvault/envs/development.env"), printMerged(mergeEnv("development", base, ours, theirs)));
    const s = await status(r.deps);
    expect(s.uncommitted).toEqual([]);
    expect(s.conflicts).toEqual([
      { file: ".envvault/envs/development.env", name: "API_KEY", kind: "key", reason: "changed on both branches", ours: "set 2023-11-14T22:13:21Z", theirs: "set 2023-11-14T22:13:22Z" },
    ]);
  });
});

describe("conflictsIn", () => {
  test("a side that removed the key says so; a file whose blocks do not parse is one entry", async () => {
    const base = await r.withValues({ GONE: "sk-gone-value-1" });
    const ours = await r.withValues({ GONE: "sk-gone-value-2" }, T0 + 5, base);
    const removed = { ...base, values: new Map(), removed: new Map([["GONE", { scope: "development", t: T0 + 6, prev: "-" }]]) };
    const text = printMerged(mergeEnv("development", base, ours, removed));
    expect(conflictsIn(new Map([["development", text]]))).toEqual([
      { file: ".envvault/envs/development.env", name: "GONE", kind: "key", reason: "changed on ours, removed on theirs", ours: "set 2023-11-14T22:13:25Z", theirs: "removed 2023-11-14T22:13:26Z" },
    ]);
    const absent = printMerged(mergeEnv("development", base, ours, { ...base, values: new Map() }));
    expect(conflictsIn(new Map([["development", absent]]))).toMatchObject([{ name: "GONE", theirs: "absent" }]);
    const broken = conflictsIn(new Map([["staging", "# envvault 1 staging\n<<<<<<< ours X\n"]]));
    expect(broken).toMatchObject([{ file: ".envvault/envs/staging.env", name: "(file)", ours: "", theirs: "" }]);
    expect(conflictsIn(new Map([["dev", "# envvault 1 dev\n"]]))).toEqual([]);
  });
});
