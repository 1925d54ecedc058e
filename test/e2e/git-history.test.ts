/**
 * History of the vault from git: `vault log [KEY]`, `vault diff [REV[..REV]]`, and what
 * `git diff` / `git log -p` show through the textconv driver (values masked).
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
    expect(text[0]).toMatch(/^[0-9a-f]{10} \d{4}-\d\d-\d\d alice  development: ~API_KEY  set API_KEY$/);
    expect(text).toHaveLength(4);
  });

  test("vault diff shows key-level changes between revisions and against the work tree", () => {
    expect(sb.vault("alice", ["diff", `${commits[0]}..${commits[2]}`]).stdout).toBe("development: +OTHER ~API_KEY\n");
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
