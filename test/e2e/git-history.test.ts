/**
 * History of the vault from git: `vault log [KEY]` (the full history, merges with their
 * sides), `vault diff [REV [REV] | A..B]`, and what `git diff` / `git log -p` show through
 * the textconv driver (values masked).
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { requireBuild, Sandbox } from "./harness.js";

function set(sb: Sandbox, key: string, value: string): void {
  sb.secret(value);
  expect(sb.vault("alice", ["set", key, "--stdin"], { input: value }).code).toBe(0);
}

describe("history and diffs of the vault", () => {
  let sb: Sandbox;
  const commits: string[] = [];

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    const step = (key: string, value: string) => {
      set(sb, key, value);
      sb.commitAll(`set ${key}`, "alice");
      commits.push(sb.git(["rev-parse", "HEAD"]).stdout.trim());
    };
    step("API_KEY", "api-key-first-value-61");
    step("OTHER", "other-value-only-62");
    step("API_KEY", "api-key-second-value-63");
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("vault log API_KEY lists exactly the commits that changed it, newest first", () => {
    const r = sb.vault("alice", ["log", "API_KEY", "--json"]);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as { commit: string; changes: { env: string; added: string[]; changed: string[] }[] }[];
    expect(entries.map((e) => e.commit)).toEqual([commits[2], commits[0]]);
    expect(entries.map((e) => e.changes)).toEqual([
      [{ env: "development", added: [], changed: ["API_KEY"], removed: [], rekeyed: [] }],
      [{ env: "development", added: ["API_KEY"], changed: [], removed: [], rekeyed: [] }],
    ]);
    const text = sb.vault("alice", ["log"]).stdout.split("\n");
    expect(text[0]).toMatch(/^[0-9a-f]{10} \(HEAD -> main\) \d{4}-\d\d-\d\d alice  development: ~API_KEY  set API_KEY$/);
    expect(text[1]).toMatch(/^[0-9a-f]{10} \d{4}-\d\d-\d\d alice  development: \+OTHER  set OTHER$/);
    expect(text).toHaveLength(4);
  });

  test("vault diff shows key-level changes between revisions and against the work tree", () => {
    expect(sb.vault("alice", ["diff", `${commits[0]}..${commits[2]}`]).stdout).toBe("development: +OTHER ~API_KEY\n");
    sb.git(["tag", "v1", commits[0]!]);
    sb.git(["tag", "-a", "-m", "release 3", "v3", commits[2]!]);
    const two = sb.vault("alice", ["diff", "v1", "v3"]);
    expect([two.code, two.stdout]).toEqual([0, "development: +OTHER ~API_KEY\n"]);
    expect(sb.vault("alice", ["diff", "v1..v3"]).stdout).toBe(two.stdout);
    expect(JSON.parse(sb.vault("alice", ["diff", "v3", "v1", "--json"]).stdout)).toEqual({
      from: "v3",
      to: "v1",
      changes: [{ env: "development", added: [], changed: ["API_KEY"], removed: ["OTHER"], rekeyed: [] }],
    });
    const missing = sb.vault("alice", ["diff", "v1", "v9"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('vault: error: unknown revision "v9"');
    expect(missing.stdout).toBe("");
    const both = sb.vault("alice", ["diff", "v1..v3", "v1"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("as A B or as A..B, not both");
    expect(sb.vault("alice", ["diff"]).stderr).toContain("no change to the vault between HEAD and the work tree");
    set(sb, "LOCAL_ONLY", "local-only-value-64");
    expect(sb.vault("alice", ["diff"]).stdout).toBe("development: +LOCAL_ONLY\n");
  });

  test("git diff and git log -p show keys with masked values; ENVVAULT_DIFF_REVEAL=1 shows them to a reader", () => {
    const masked = sb.gitTry(["log", "-p", "-1", "--format=", "--", ".envvault/envs/development.env"], { user: "alice" }).stdout;
    expect(masked).toMatch(/^-API_KEY=•••• {2}# \S+ [0-9a-f]{8} signed by alice$/m);
    expect(masked).toMatch(/^\+API_KEY=•••• {2}# \S+ [0-9a-f]{8} signed by alice$/m);
    for (const raw of ["ev1:", "ev2:", "#@batch", "#@sig", "#@removed"]) expect(masked).not.toContain(raw);
    const work = sb.gitTry(["diff", "--", ".envvault/envs/development.env"], { user: "alice" }).stdout;
    expect(work).toMatch(/^\+LOCAL_ONLY=••••/m);
    const revealed = sb.gitTry(["log", "-p", "-1", "--format=", "--", ".envvault/envs/development.env"], {
      user: "alice",
      env: { ENVVAULT_DIFF_REVEAL: "1" },
      reveals: ["api-key-first-value-61", "api-key-second-value-63", "other-value-only-62"],
    }).stdout;
    expect(revealed).toContain('-API_KEY="api-key-first-value-61"');
    expect(revealed).toContain('+API_KEY="api-key-second-value-63"');
  });

  test("a removed key shows as removed, with its time and signer", () => {
    expect(sb.vault("alice", ["remove", "OTHER"]).code).toBe(0);
    const work = sb.gitTry(["diff", "--", ".envvault/envs/development.env"], { user: "alice" }).stdout;
    expect(work).toMatch(/^-OTHER=•••• {2}# \S+ [0-9a-f]{8} signed by alice$/m);
    expect(work).toMatch(/^\+OTHER removed {2}# \d{4}-\d\d-\d\dT\S+Z signed by alice$/m);
    expect(work).not.toContain("#@removed");
  });
});

describe("the full history: a side branch's change a merge dropped, and the merge", () => {
  let sb: Sandbox;
  const at = (rev: string) => sb.git(["rev-parse", rev]).stdout.trim();

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    set(sb, "API_KEY", "api-key-base-value-71");
    set(sb, "DB_URL", "db-url-base-value-72");
    sb.commitAll("base", "alice");
    sb.git(["checkout", "-q", "-b", "feature"], { user: "alice" });
    set(sb, "API_KEY", "api-key-feature-value-73");
    sb.commitAll("feature changes API_KEY", "alice");
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    set(sb, "API_KEY", "api-key-main-value-74");
    sb.commitAll("main changes API_KEY", "alice");
    // Both changed API_KEY; the conflict is settled by taking this branch's file as it is.
    expect(sb.gitTry(["merge", "-m", "merge feature", "feature"], { user: "alice" }).code).not.toBe(0);
    sb.git(["checkout", "--ours", "--", ".envvault/envs/development.env"], { user: "alice" });
    sb.commitAll("merge feature, keeping main's API_KEY", "alice");
    // A branch that changes DB_URL only, merged without taking anything.
    sb.git(["checkout", "-q", "-b", "hotfix", "main~1"], { user: "alice" });
    set(sb, "DB_URL", "db-url-hotfix-value-75");
    sb.commitAll("hotfix changes DB_URL", "alice");
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    sb.git(["merge", "-q", "-s", "ours", "-m", "merge hotfix, keeping nothing", "hotfix"], { user: "alice" });
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("git's default history hides the side branch; vault log API_KEY shows it with the merge that settled it", () => {
    const plain = sb.git(["log", "--format=%s", "--", ".envvault/envs/"]).stdout;
    expect(plain).not.toContain("feature changes API_KEY");
    expect(plain).not.toContain("merge feature");

    const r = sb.vault("alice", ["log", "API_KEY", "--json"]);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as LogJson[];
    // Newest first; commits made in the same second may come in either order.
    expect(entries.map((e) => e.subject)).toEqual(["merge feature, keeping main's API_KEY", expect.any(String), expect.any(String), "base"]);
    expect(entries.slice(1, 3).map((e) => e.subject).sort()).toEqual(["feature changes API_KEY", "main changes API_KEY"]);
    const [merge] = entries;
    const side = entries.find((e) => e.subject === "feature changes API_KEY");
    expect(merge).toMatchObject({ merge: true, parents: [at("main~1^1"), at("feature")], base: at("main~3"), changes: [] });
    expect(merge?.sides).toEqual([
      { parent: at("main~1^1"), refs: [], changes: [{ env: "development", added: [], changed: ["API_KEY"], removed: [], rekeyed: [] }] },
      { parent: at("feature"), refs: ["feature"], changes: [{ env: "development", added: [], changed: ["API_KEY"], removed: [], rekeyed: [] }] },
    ]);
    expect(merge?.settled).toEqual([{ env: "development", key: "API_KEY", changedBy: [at("main~1^1"), at("feature")], kept: at("main~1^1") }]);
    expect(side).toMatchObject({ commit: at("feature"), refs: ["feature"], merge: false });

    const text = sb.vault("alice", ["log", "API_KEY"]).stdout.split("\n");
    const short = (rev: string) => at(rev).slice(0, 7);
    expect(text.slice(0, 4)).toEqual([
      expect.stringMatching(new RegExp(`^[0-9a-f]{10} \\d{4}-\\d\\d-\\d\\d alice \\(merge\\) {2}development: no change against ${short("main~1^1")} {2}merge feature, keeping main's API_KEY$`)),
      `    side ${short("main~1^1")}: ~API_KEY since ${short("main~3")}`,
      `    side ${short("feature")} (feature): ~API_KEY since ${short("main~3")}`,
      `    API_KEY: changed on both sides (a conflict); the merge kept the side of ${short("main~1^1")}`,
    ]);
    expect(text).toContainEqual(expect.stringMatching(/^[0-9a-f]{10} \(feature\) \S+ alice {2}development: ~API_KEY {2}feature changes API_KEY$/));
  });

  test("a merge that kept nothing of a side names the change it lost; the whole log lists every commit once", () => {
    const r = sb.vault("alice", ["log", "DB_URL"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^[0-9a-f]{10} \(HEAD -> main\) \S+ alice \(merge\) {2}development: no change against [0-9a-f]{7} {2}merge hotfix, keeping nothing$/);
    expect(lines).toContain(`    DB_URL: changed only on the side of ${at("hotfix").slice(0, 7)} (hotfix); the merge kept the side of ${at("main~1").slice(0, 7)}, so that change was lost`);
    expect(lines).toContainEqual(expect.stringMatching(/^[0-9a-f]{10} \(hotfix\) \S+ alice {2}development: ~DB_URL {2}hotfix changes DB_URL$/));

    const all = JSON.parse(sb.vault("alice", ["log", "--json"]).stdout) as LogJson[];
    expect(all[0]?.subject).toBe("merge hotfix, keeping nothing");
    expect(all.map((e) => e.subject).sort()).toEqual([
      "base",
      "feature changes API_KEY",
      "hotfix changes DB_URL",
      "main changes API_KEY",
      "merge feature, keeping main's API_KEY",
      "merge hotfix, keeping nothing",
    ]);
    expect(sb.vault("alice", ["log", "-n", "2", "--json"]).stdout).toBe(JSON.stringify(all.slice(0, 2), null, 2) + "\n");
    sb.assertNoSecretInGit();
  });
});

interface LogJson {
  commit: string;
  subject: string;
  merge: boolean;
  parents: string[];
  refs: string[];
  base: string | null;
  changes: unknown[];
  sides: unknown[];
  settled: unknown[];
}
