/**
 * A vault file that git's own line merge left broken never reaches a commit: a clone whose
 * merges of `.envvault/envs/*.env` go through git's text merge (the driver missing, simulated
 * with `.git/info/attributes` setting `merge=text`, as a server merges) gets conflict markers;
 * the pre-commit hook refuses to commit them, or a hand "keep both" resolution, naming the
 * file and line and the way back (`vault hooks install`, then `git checkout -m -- FILE`, which
 * merges the file again key by key). Following it, the merge is settled with `vault resolve`,
 * committed, and verifies. No registered secret in any output; none in a git object.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const FILE = ".envvault/envs/development.env";
const BASE = { A: "alpha-base-value-001", C: "charlie-base-value-03", E: "echo-base-value-0005" };

describe("a text merge's conflict markers in a vault file are caught before they are committed", () => {
  let sb: Sandbox;
  const ok = (args: string[], input?: string): Run => {
    const r = sb.vault("alice", args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const set = (key: string, value: string) => {
    sb.secret(value);
    ok(["set", key, "--stdin"], value);
  };
  const git = (args: string[]) => sb.git(args, { user: "alice" });
  const commitTry = () => sb.gitTry(["commit", "-q", "--no-edit"], { user: "alice" });

  /** Both branches change C; main merges the other branch with git's text merge. */
  const conflicted = (n: number) => {
    git(["checkout", "-q", "-b", `other-${n}`, "main"]);
    set("C", `charlie-theirs-value-${n}`);
    sb.commitAll(`theirs C ${n}`, "alice");
    git(["checkout", "-q", "main"]);
    set("C", `charlie-ours-value-0${n}`);
    sb.commitAll(`ours C ${n}`, "alice");
    sb.write(".git/info/attributes", "*.env merge=text\n");
    const merged = sb.gitTry(["merge", "--no-edit", `other-${n}`], { user: "alice" });
    expect(merged.code).toBe(1);
    expect(merged.stdout).toContain(`CONFLICT (content): Merge conflict in ${FILE}`);
    expect(sb.read(FILE)).toMatch(/^<<<<<<< HEAD$/m);
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    ok(["init", "--yes"]);
    for (const [k, v] of Object.entries(BASE)) set(k, v);
    sb.commitAll("the vault", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("git's markers staged: the hook refuses, naming file:line and how to merge the file again with the driver", () => {
    conflicted(1);
    git(["add", "-A"]);
    const r = commitTry();
    expect(r.code).not.toBe(0);
    const line = sb.read(FILE).split("\n").findIndex((l) => l.startsWith("<<<<<<<")) + 1;
    expect(r.stderr).toContain(`  ${FILE}:${line}: unresolved merge conflict: vault commands cannot read this file [invalid-vault-file]`);
    expect(r.stderr).toContain(`run \`vault hooks install\`, then \`git checkout -m -- ${FILE}\` merges the file again key by key`);
    expect(git(["rev-parse", "-q", "--verify", "MERGE_HEAD"]).code).toBe(0);
    // vault resolve cannot settle git's own markers, and says what will.
    const resolve = sb.vault("alice", ["resolve", "C", "--theirs"]);
    expect(resolve.code).toBe(5);
    expect(resolve.stderr).toContain("a conflict that git's own line merge wrote, not the envvault merge driver");
    expect(resolve.stderr).toContain(`git checkout -m -- ${FILE}`);
  });

  test("following the hint: the driver merges the file again, vault resolve settles it, the merge commits and verifies", () => {
    sb.remove(".git/info/attributes");
    ok(["hooks", "install"]);
    git(["checkout", "-m", "--", FILE]);
    expect(sb.read(FILE)).toMatch(/^<<<<<<< ours C sealed=age1\S+: /m);
    ok(["resolve", "C", "--theirs"]);
    git(["add", FILE]);
    const r = commitTry();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(ok(["verify"]).code).toBe(0);
    expect(sb.vault("alice", ["get", "C"], { reveals: ["charlie-theirs-value-1"] }).stdout).toBe("charlie-theirs-value-1\n");
    sb.assertNoSecretInGit();
  });

  test("a hand resolution that keeps both sides' lines is refused too: the key is listed twice", () => {
    conflicted(2);
    const text = sb.read(FILE);
    sb.write(FILE, text.split("\n").filter((l) => !/^(<<<<<<<|=======|>>>>>>>)/.test(l)).join("\n"));
    git(["add", "-A"]);
    const r = commitTry();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`  ${FILE.replace(/\./g, "\\.")}:\\d+: (variable C is listed twice|record [0-9a-f]{12} is listed twice|batch [0-9a-f]{12} is listed twice): vault commands cannot read this file \\[invalid-vault-file\\]`));
    git(["merge", "--abort"]);
    sb.remove(".git/info/attributes");
    expect(ok(["verify"]).code).toBe(0);
    sb.assertNoSecretInGit();
  });

  test("a roster.yaml with conflict markers is refused as well", () => {
    const roster = sb.read(".envvault/roster.yaml");
    sb.write(".envvault/roster.yaml", `<<<<<<< HEAD\n${roster}=======\n${roster}>>>>>>> other\n`);
    git(["add", ".envvault/roster.yaml"]);
    const r = sb.gitTry(["commit", "-q", "-m", "broken roster"], { user: "alice" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("  .envvault/roster.yaml:1: unresolved merge conflict: vault commands cannot read this file [invalid-vault-file]");
    git(["checkout", "HEAD", "--", ".envvault/roster.yaml"]);
  });
});

describe("a clone without the merge driver .gitattributes names is told so, with the one-line fix", () => {
  let sb: Sandbox;
  let bob: string;
  const NO_DRIVER = "this clone has no envvault merge driver (merge.envvault.driver is not set, .gitattributes names it)";
  const HALF = 'this clone\'s git config has a [merge "envvault"] section without its driver line';
  const FIX = "run `vault hooks install` in this clone";

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox("alice");
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    sb.secret("bravo-driver-value-01");
    expect(sb.vault("alice", ["set", "B", "--stdin"], { input: "bravo-driver-value-01" }).code).toBe(0);
    sb.commitAll("the vault", "alice");
    const origin = join(sb.base, "origin.git");
    sb.git(["init", "-q", "--bare", "-b", "main", origin]);
    sb.git(["remote", "add", "origin", origin], { user: "alice" });
    sb.git(["push", "-q", "-u", "origin", "main"], { user: "alice" });
    bob = join(sb.base, "bob");
    mkdirSync(bob);
    sb.git(["clone", "-q", origin, bob], { user: "alice" });
  });

  afterAll(() => sb?.cleanup());

  test("in the clone where vault init installed it, nothing is said", () => {
    for (const args of [["unlock"], ["status"]]) expect(sb.vault("alice", args).stderr).not.toContain("merge driver");
  });

  test("a fresh clone: unlock, status and a write say it and how to fix it; export (scripts, CI) does not", () => {
    for (const args of [["unlock"], ["status"], ["set", "C", "--stdin"]]) {
      const r = sb.vault("alice", args, { cwd: bob, input: "charlie-driver-value" });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(NO_DRIVER);
      expect(r.stderr).toContain(FIX);
    }
    sb.secret("charlie-driver-value");
    expect(sb.vault("alice", ["export"], { cwd: bob, reveals: [...sb.secrets] }).stderr).toBe("");
  });

  test("a half-removed driver config is named as such; vault hooks install settles both", () => {
    expect(sb.vault("alice", ["hooks", "install"], { cwd: bob }).code).toBe(0);
    expect(sb.vault("alice", ["status"], { cwd: bob }).stderr).not.toContain("merge driver");
    sb.git(["config", "--unset", "merge.envvault.driver"], { cwd: bob });
    const r = sb.vault("alice", ["status"], { cwd: bob });
    expect(r.stderr).toContain(HALF);
    expect(r.stderr).toContain(FIX);
    expect(sb.vault("alice", ["hooks", "install"], { cwd: bob }).code).toBe(0);
    expect(sb.vault("alice", ["unlock"], { cwd: bob }).stderr).not.toContain("merge driver");
    sb.assertNoSecretInGit(bob);
  });
});
