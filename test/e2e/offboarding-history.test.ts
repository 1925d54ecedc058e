/**
 * Offboarding is honest about history: git keeps every commit, and a removed member's identity
 * still opens the key files there, so `vault rotate --remove bob` lists not only the values bob
 * can read now but every version bob could read at any commit of any branch — the previous
 * value of a changed key, a key removed since, a feature branch's new key — and records what
 * this branch has not changed since, so `vault check` keeps naming it. No registered secret in
 * any output where it must not be; none in a git object.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const V = { A1: "alpha-first-value-0001", A2: "alpha-second-value-002", OLD: "old-removed-value-0003", NEW: "feature-new-value-0004", KEEP: "kept-value-000000005" };

describe("vault rotate --remove lists what the member could read anywhere in history", () => {
  let sb: Sandbox;
  let oldCommit: string;
  let removal: Run;
  const ok = (user: string, args: string[], input?: string): Run => {
    const r = sb.vault(user, args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (args: string[]) => sb.git(args, { user: "alice" });

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(V));
    ok("alice", ["init", "--yes"]);
    const bob = sb.member("bob");
    ok("alice", ["member", "add", "bob", ...bob.args]);
    ok("alice", ["grant", "bob", "development"]);
    ok("alice", ["set", "A", "--stdin"], V.A1);
    ok("alice", ["set", "OLD", "--stdin"], V.OLD);
    ok("alice", ["set", "KEEP", "--stdin"], V.KEEP);
    sb.commitAll("first values", "alice");
    oldCommit = git(["rev-parse", "HEAD"]).stdout.trim();
    ok("alice", ["set", "A", "--stdin"], V.A2);
    ok("alice", ["remove", "OLD"]);
    sb.commitAll("A changed, OLD removed", "alice");
    git(["checkout", "-q", "-b", "feature"]);
    ok("alice", ["set", "NEW", "--stdin"], V.NEW);
    sb.commitAll("feature: NEW", "alice");
    git(["checkout", "-q", "main"]);
    removal = ok("alice", ["rotate", "--remove", "bob"]);
    sb.commitAll("bob leaves", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("the report lists the current values, then each earlier version with where it could be read", () => {
    const out = removal.stdout;
    expect(out).toMatch(/^bob could read these values; change each at its provider/m);
    expect(out).toMatch(/^ {2}development {2}A$/m);
    expect(out).toMatch(/^ {2}development {2}KEEP$/m);
    expect(out).toContain("bob could also read these versions at earlier commits or on other branches");
    expect(out).toMatch(/^ {2}development {2}A {4}set \S+Z, readable at 1 commit\(s\), the latest [0-9a-f]{12}$/m);
    expect(out).toMatch(new RegExp(`^  development  OLD  set \\S+Z, readable at 1 commit\\(s\\), the latest ${oldCommit.slice(0, 12)}$`, "m"));
    expect(out).toMatch(/^ {2}development {2}NEW  set \S+Z, readable at 1 commit\(s\)/m);
    for (const v of Object.values(V)) expect(out + removal.stderr).not.toContain(v);
  });

  test("the report is true: bob's identity still opens his key file at a past commit (the reference age CLI), though not today's", () => {
    const open = (rev: string) =>
      sb.exec("bob", "sh", ["-c", `git show ${rev}:.envvault/keys/development/bob.age | age -d -i "$HOME/.config/envvault/identity.txt"`]);
    expect(open(oldCommit).stdout).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/m);
    expect(sb.exists(".envvault/keys/development/bob.age")).toBe(false);
    expect(sb.vault("bob", ["get", "A"]).code).toBe(3);
  });

  test("what this branch has not changed since is recorded in exposed.json (a removed key, another branch's key); vault check names today's values", () => {
    const file = JSON.parse(sb.read(".envvault/exposed.json")) as { records: { to: string; keys: Record<string, number | number[]> }[] };
    expect(file.records.every((r) => r.to === "bob")).toBe(true);
    expect(file.records.flatMap((r) => Object.keys(r.keys)).sort()).toEqual(["A", "KEEP", "NEW", "OLD"]);
    const check = sb.vault("alice", ["check", "--json"]);
    const exposed = (JSON.parse(check.stdout) as { problems: { kind: string; key?: string }[] }).problems.filter((p) => p.kind === "exposed").map((p) => p.key).sort();
    expect(exposed).toEqual(["A", "KEEP"]);
    // A new value for A ends its record; the removed key's stays (it may still be in use).
    ok("alice", ["rotate", "A", "--stdin"], "alpha-third-value-0006");
    sb.secret("alpha-third-value-0006");
    const after = JSON.parse(sb.read(".envvault/exposed.json")) as { records: { keys: Record<string, number | number[]> }[] };
    expect(after.records.flatMap((r) => Object.keys(r.keys)).sort()).toEqual(["KEEP", "NEW", "OLD"]);
    sb.assertNoSecretInGit();
  });
});
