/**
 * Git integration at the edges: a repository with no commit, a bare repository, file names
 * with spaces and newlines, a 50 MB staged binary; and `vault sync` with and without a
 * usable remote.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

const TOKEN = "tok-edge-case-4d9e2b71";

/** A repository whose vault holds TOKEN (nothing committed yet). */
function vaultWithToken(): Sandbox {
  requireBuild();
  const sb = new Sandbox();
  sb.secret(TOKEN);
  expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
  expect(sb.vault("alice", ["set", "TOKEN", "--stdin"], { input: TOKEN }).code).toBe(0);
  return sb;
}

describe("hooks at the edges", () => {
  let sb: Sandbox;

  beforeAll(() => {
    sb = vaultWithToken();
  });

  afterAll(() => sb?.cleanup());

  test("in a repository with no commit yet: status and log say so, unlock --at HEAD is a clear error, and the first commit is checked", () => {
    expect(sb.vault("alice", ["status"]).stdout).toContain("branch: main (no commit yet)");
    expect(sb.vault("alice", ["log"]).stderr).toContain("no commit changed the vault yet");
    const at = sb.vault("alice", ["unlock", "--at", "HEAD"]);
    expect(at.code).toBe(2);
    expect(at.stderr).toContain('unknown revision "HEAD"');
    sb.write("config.js", `// settings\nexport const token = "${TOKEN}";\n`);
    sb.git(["add", "-A"], { user: "alice" });
    const blocked = sb.gitTry(["commit", "-q", "-m", "first"], { user: "alice" });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain("config.js:2: the value of TOKEN (development) [known-secret]");
    sb.git(["rm", "-q", "--cached", "config.js"], { user: "alice" });
    sb.remove("config.js");
    expect(sb.gitTry(["commit", "-q", "-m", "first"], { user: "alice" }).code).toBe(0);
    sb.git(["prune", "--expire=now"]);
    sb.assertNoSecretInGit();
  });

  test("a name with spaces and a newline is reported quoted; a clean file with such a name goes through", () => {
    sb.write("dir with space/line\nbreak.txt", `first line\nthe token is ${TOKEN}\n`);
    sb.write("dir with space/clean\nname.txt", "nothing secret\n");
    sb.git(["add", "-A"], { user: "alice" });
    const r = sb.gitTry(["commit", "-q", "-m", "names"], { user: "alice" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('  "dir with space/line\\nbreak.txt":2: the value of TOKEN (development) [known-secret]');
    expect(r.stderr).not.toContain("clean");
    sb.git(["rm", "-q", "--cached", "dir with space/line\nbreak.txt"], { user: "alice" });
    sb.remove("dir with space/line\nbreak.txt");
    expect(sb.gitTry(["commit", "-q", "-m", "names"], { user: "alice" }).code).toBe(0);
    sb.git(["prune", "--expire=now"]);
    sb.assertNoSecretInGit();
  });

  test("a 50 MB staged binary is skipped without a false block", () => {
    const blob = Buffer.alloc(50 * 1024 * 1024);
    for (let i = 0; i < blob.length; i += 4096) blob.write(`chunk ${i} AKIA`, i); // text-like bits, NUL bytes around them
    sb.write("assets/big.bin", blob);
    sb.git(["add", "assets/big.bin"], { user: "alice" });
    const r = sb.vault("alice", ["hook", "pre-commit"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(sb.gitTry(["commit", "-q", "-m", "big"], { user: "alice" }).code).toBe(0);
    sb.assertNoSecretInGit();
  });

  test("the pre-commit hook run by hand outside any repository says so (exit 1)", () => {
    const outside = join(sb.base, "not-a-repo");
    mkdirSync(outside);
    const r = sb.vault("alice", ["hook", "pre-commit", "--cwd", outside]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${outside} is not in a git repository, so there is nothing staged to check`);
  });

  test("a bare repository: a clear error, no crash", () => {
    const bare = join(sb.base, "bare.git");
    sb.git(["init", "-q", "--bare", bare]);
    for (const args of [["hooks", "install"], ["log"], ["sync"]]) {
      const r = sb.vault("alice", [...args, "--cwd", bare]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain("is a bare repository (it has no work tree)");
    }
  });
});

describe("vault sync", () => {
  let sb: Sandbox;
  let laptop: string;

  beforeAll(() => {
    sb = vaultWithToken();
    sb.commitAll("vault", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("without a remote, and with an unreachable one: a clear error and nothing changed", () => {
    const none = sb.vault("alice", ["sync"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("this repository has no remote to sync with");
    sb.git(["remote", "add", "origin", join(sb.base, "missing.git")]);
    sb.git(["config", "branch.main.remote", "origin"]);
    sb.git(["config", "branch.main.merge", "refs/heads/main"]);
    const bad = sb.vault("alice", ["sync"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("git pull failed");
    expect(bad.stderr).toContain("check the remote's address");
  });

  test("pulls with the merge driver (also in a clone that never installed it), unlocks, reports, and pushes", () => {
    const origin = join(sb.base, "origin.git");
    sb.git(["init", "-q", "--bare", "-b", "main", origin]);
    sb.git(["remote", "set-url", "origin", origin]);
    sb.git(["push", "-q", "-u", "origin", "main"], { user: "alice" });
    laptop = join(sb.base, "laptop");
    mkdirSync(laptop);
    sb.git(["clone", "-q", origin, laptop], { user: "alice" });
    expect(sb.vault("alice", ["unlock"], { cwd: laptop }).code).toBe(0);

    sb.secret("desk-value-only-a1", "laptop-value-only-b2");
    expect(sb.vault("alice", ["set", "FROM_DESK", "--stdin"], { input: "desk-value-only-a1" }).code).toBe(0);
    sb.commitAll("desk", "alice");
    const push = sb.vault("alice", ["sync"]);
    expect(push.code).toBe(0);
    expect(push.stderr).toContain("pushed 1 commit(s)");

    expect(sb.vault("alice", ["set", "FROM_LAPTOP", "--stdin"], { input: "laptop-value-only-b2", cwd: laptop }).code).toBe(0);
    sb.git(["add", "-A"], { user: "alice", cwd: laptop });
    sb.git(["commit", "-q", "-m", "laptop"], { user: "alice", cwd: laptop });
    const r = sb.vault("alice", ["sync", "--json"], { cwd: laptop });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("pulled development: +FROM_DESK");
    expect(r.stderr).toContain("pushed 2 commit(s)"); // the laptop's commit and the merge
    expect(JSON.parse(r.stdout)).toMatchObject({ pushed: 2, changes: [{ env: "development", added: ["FROM_DESK"] }] });
    const env = dotenv.parse(sb.bytes("../laptop/.env"));
    expect(env).toEqual({ TOKEN, FROM_DESK: "desk-value-only-a1", FROM_LAPTOP: "laptop-value-only-b2" });
    sb.assertNoSecretInGit();
  });

  test("a vault set not committed yet: sync says it was not pushed, with how to commit it, and exits non-zero", () => {
    sb.secret("laptop-uncommitted-c3");
    expect(sb.vault("alice", ["set", "LATER", "--stdin"], { input: "laptop-uncommitted-c3", cwd: laptop }).code).toBe(0);
    const r = sb.vault("alice", ["sync"], { cwd: laptop });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nothing to pull: up to date with the upstream branch");
    expect(r.stderr).toContain("not pushed: vault changes are not committed (.envvault/envs/development.env)");
    expect(r.stderr).toContain("git add .envvault && git commit");
    sb.git(["add", "-A"], { user: "alice", cwd: laptop });
    sb.git(["commit", "-q", "-m", "later"], { user: "alice", cwd: laptop });
    const again = sb.vault("alice", ["sync"], { cwd: laptop });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("pushed 1 commit(s)");
  });

  test("a push rejected because the remote moved on after the pull: sync says so and to run it again, not rights or network", () => {
    // Pushes go to a copy of origin that someone else pushed to meanwhile.
    const other = join(sb.base, "other.git");
    sb.git(["clone", "-q", "--bare", join(sb.base, "origin.git"), other]);
    const third = join(sb.base, "third");
    sb.git(["clone", "-q", other, third]);
    sb.write("../third/notes.txt", "someone else\n");
    sb.git(["add", "notes.txt"], { user: "bob", cwd: third });
    sb.git(["-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "meanwhile"], { user: "bob", cwd: third });
    sb.git(["push", "-q", "origin", "main"], { user: "bob", cwd: third });
    sb.git(["config", "remote.origin.pushurl", other], { cwd: laptop });
    sb.write("../laptop/readme.txt", "local\n");
    sb.git(["add", "readme.txt"], { user: "alice", cwd: laptop });
    sb.git(["commit", "-q", "-m", "local"], { user: "alice", cwd: laptop });
    const r = sb.vault("alice", ["sync"], { cwd: laptop });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("git push failed");
    expect(r.stderr).toContain("the remote branch moved on after this pull (someone pushed meanwhile)");
    expect(r.stderr).not.toContain("rights and network");
    sb.assertNoSecretInGit();
  });
});
