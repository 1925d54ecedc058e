/**
 * Real `git merge` of vault files through the envvault merge driver: independent changes
 * merge key by key, the same key changed on both sides is a conflict that `vault status`
 * explains and `vault resolve` or `vault set` settles, and rotations never leave a value no
 * one can open.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

const BASE = { A: "alpha-base-value-01", B: "bravo-base-value-02", C: "charlie-base-val-03", D: "delta-base-value-04", E: "echo-base-value-005" };

function exported(sb: Sandbox): Record<string, string> {
  const r = sb.vault("alice", ["export", "--format", "json"], { reveals: [...sb.secrets] });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** `vault verify` over the whole history passes: every merge's lines follow their sides, choices signed. */
function verified(sb: Sandbox): void {
  const r = sb.vault("alice", ["verify"]);
  expect(r.stderr).toMatch(/^verified HEAD and the work tree: \d+ signed commits?/);
  expect(r.code).toBe(0);
}

function set(sb: Sandbox, key: string, value: string): void {
  sb.secret(value);
  expect(sb.vault("alice", ["set", key, "--stdin"], { input: value }).code).toBe(0);
}

function branch(sb: Sandbox, name: string, from: string, edit: () => void): void {
  sb.git(["checkout", "-q", "-b", name, from], { user: "alice" });
  edit();
  sb.commitAll(name, "alice");
}

describe("merging vault files key by key", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(BASE));
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    for (const [k, v] of Object.entries(BASE)) set(sb, k, v);
    sb.commitAll("base", "alice");
    sb.git(["tag", "base"]);
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
  });

  afterAll(() => sb?.cleanup());

  test("adjacent keys, additions at the end on both sides, a removal beside a change: no conflict, every change kept", () => {
    branch(sb, "left", "base", () => {
      set(sb, "B", "bravo-left-value-11");
      expect(sb.vault("alice", ["remove", "D"]).code).toBe(0);
      set(sb, "Y", "yankee-left-value-12");
    });
    branch(sb, "right", "base", () => {
      set(sb, "C", "charlie-right-val-21");
      set(sb, "E", "echo-right-value-22");
      set(sb, "Z", "zulu-right-value-23");
    });
    sb.git(["checkout", "-q", "left"], { user: "alice" });
    const r = sb.gitTry(["merge", "--no-edit", "right"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/CONFLICT/);
    const expected = { A: BASE.A, B: "bravo-left-value-11", C: "charlie-right-val-21", E: "echo-right-value-22", Y: "yankee-left-value-12", Z: "zulu-right-value-23" };
    expect(exported(sb)).toEqual(expected);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(expected); // the post-merge hook unlocked it
    expect(sb.read(".envvault/envs/development.env")).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    verified(sb);
    sb.assertNoSecretInGit();
  });

  test("the same key changed on both sides: a conflict, explained by vault status, settled either way, reproducibly", () => {
    branch(sb, "x", "base", () => set(sb, "A", "alpha-x-side-value-31"));
    branch(sb, "y", "base", () => set(sb, "A", "alpha-y-side-value-32"));
    const x = sb.git(["rev-parse", "x"]).stdout.trim();
    for (const side of ["ours", "theirs"] as const) {
      sb.git(["checkout", "-q", "x"], { user: "alice" });
      const r = sb.gitTry(["merge", "--no-edit", "y"], { user: "alice" });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain("CONFLICT (content): Merge conflict in .envvault/envs/development.env");
      expect(r.stderr).toContain("1 conflict(s) left: A (changed on both branches)");
      const st = sb.vault("alice", ["status"]);
      expect(st.stdout).toContain(".envvault/envs/development.env: A: changed on both branches");
      expect(st.stdout).toContain("vault resolve NAME --ours|--theirs");
      expect(sb.vault("alice", ["export"]).code).toBe(5); // the normal reader refuses a conflicted file
      const res = sb.vault("alice", ["resolve", "A", `--${side}`]);
      expect(res.code).toBe(0);
      expect(res.stderr).toContain("no conflict left");
      expect(exported(sb).A).toBe(side === "ours" ? "alpha-x-side-value-31" : "alpha-y-side-value-32");
      sb.git(["add", ".envvault"], { user: "alice" });
      sb.git(["commit", "-q", "--no-edit"], { user: "alice" });
      verified(sb);
      sb.git(["reset", "-q", "--hard", x], { user: "alice" });
    }
    sb.assertNoSecretInGit();
  });

  test("both branches setting a key to the same value is no conflict for a member who can read it", () => {
    branch(sb, "same1", "base", () => set(sb, "D", "delta-same-both-sides-35"));
    branch(sb, "same2", "base", () => set(sb, "D", "delta-same-both-sides-35"));
    const r = sb.gitTry(["merge", "--no-edit", "same1"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(exported(sb).D).toBe("delta-same-both-sides-35");
    verified(sb);
    sb.assertNoSecretInGit();
  });

  test("vault set settles a conflict with a new value", () => {
    sb.git(["checkout", "-q", "x"], { user: "alice" });
    expect(sb.gitTry(["merge", "--no-edit", "y"], { user: "alice" }).code).not.toBe(0);
    set(sb, "A", "alpha-settled-by-set-41");
    expect(exported(sb).A).toBe("alpha-settled-by-set-41");
    expect(sb.vault("alice", ["status"]).stdout).not.toContain("merge conflicts");
    sb.git(["add", ".envvault"], { user: "alice" });
    sb.git(["commit", "-q", "--no-edit"], { user: "alice" });
    verified(sb);
    sb.assertNoSecretInGit();
  });

  test("on a terminal the driver asks [1] ours [2] theirs, showing the values to a member who can read them", async () => {
    branch(sb, "tty-x", "base", () => set(sb, "B", "bravo-tty-ours-value-45"));
    branch(sb, "tty-y", "base", () => set(sb, "B", "bravo-tty-theirs-val-46"));
    sb.git(["checkout", "-q", "tty-x"], { user: "alice" });
    const r = await sb.gitOnTerminal("alice", ["merge", "--no-edit", "tty-y"], [{ expect: /choose 1, 2 or 3: /, send: "2\r", delayMs: 50 }], {
      reveals: ["bravo-tty-ours-value-45", "bravo-tty-theirs-val-46"],
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/B in development: changed on both branches\r?\n {2}\[1\] ours {3}\(changed \S+\) "bravo-tty-ours-value-45"\r?\n {2}\[2\] theirs \(changed \S+\) "bravo-tty-theirs-val-46"/);
    expect(exported(sb).B).toBe("bravo-tty-theirs-val-46");
    verified(sb);
    sb.assertNoSecretInGit();
  });

  test("a key set on one branch under a key the other branch rotated away is a conflict, never an unreadable value", () => {
    branch(sb, "rotated", "base", () => expect(sb.vault("alice", ["rotate", "--scope", "development"]).code).toBe(0));
    branch(sb, "added", "base", () => set(sb, "NEW_KEY", "new-key-old-scope-51"));
    sb.git(["checkout", "-q", "rotated"], { user: "alice" });
    const r = sb.gitTry(["merge", "--no-edit", "added"], { user: "alice" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("NEW_KEY (the value from theirs is sealed for a key of scope development that ours replaced)");
    const refused = sb.vault("alice", ["resolve", "NEW_KEY", "--theirs"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("no one could read it");
    set(sb, "NEW_KEY", "new-key-resealed-52");
    expect(exported(sb)).toEqual({ ...BASE, NEW_KEY: "new-key-resealed-52" });
    sb.git(["add", ".envvault"], { user: "alice" });
    sb.git(["commit", "-q", "--no-edit"], { user: "alice" });
    verified(sb);
    sb.assertNoSecretInGit();
  });

  test("a grant on one branch and a rotation on the other: the merge says the granted key file holds the old key, and a rotation fixes it", () => {
    const bob = sb.vault("bob", ["keygen"]).stdout.trim();
    branch(sb, "grant", "base", () => {
      expect(sb.vault("alice", ["member", "add", "bob", "--recipient", bob]).code).toBe(0);
      expect(sb.vault("alice", ["grant", "bob", "development"]).code).toBe(0);
    });
    branch(sb, "rekey", "base", () => expect(sb.vault("alice", ["rotate", "--scope", "development"]).code).toBe(0));
    const r = sb.gitTry(["merge", "--no-edit", "grant"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(".envvault/keys/development/bob.age was written for a key scope development no longer has");
    expect(sb.vault("alice", ["status"]).stdout).toContain("stale key file: .envvault/keys/development/bob.age");
    expect(sb.vault("bob", ["get", "A"]).code).toBe(4);
    expect(sb.vault("alice", ["rotate", "--scope", "development"]).code).toBe(0);
    expect(sb.vault("bob", ["get", "A"], { reveals: [BASE.A] }).stdout).toBe(BASE.A + "\n");
    sb.commitAll("re-key after the merge", "alice");
    verified(sb);
    sb.assertNoSecretInGit();
  });

  test("concurrent rotations of one scope: a scope conflict; picking a side restores a readable vault", () => {
    branch(sb, "rot1", "base", () => expect(sb.vault("alice", ["rotate", "--scope", "development"]).code).toBe(0));
    branch(sb, "rot2", "base", () => expect(sb.vault("alice", ["rotate", "--scope", "development"]).code).toBe(0));
    const r = sb.gitTry(["merge", "--no-edit", "rot1"], { user: "alice" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("scope development (its key was changed on both branches (concurrent rotations))");
    const st = sb.vault("alice", ["status"]).stdout;
    expect(st).toContain("scope development: its key was changed on both branches");
    expect(st).toContain("run `vault rotate --scope SCOPE` again");
    const res = sb.vault("alice", ["resolve", "development", "--theirs"]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("took theirs's key file");
    expect(exported(sb)).toEqual(BASE);
    sb.git(["add", ".envvault"], { user: "alice" });
    sb.git(["commit", "-q", "--no-edit"], { user: "alice" });
    verified(sb);
    sb.assertNoSecretInGit();
  });
});
