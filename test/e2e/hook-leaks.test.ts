/**
 * Leaks the pre-commit hook finds beyond a value pasted as it is: a value base64-encoded,
 * percent-encoded or JSON-escaped, a value rotated out of the vault, and a value that only
 * another clone's branch holds (fetched as a remote-tracking ref). The real hook, run by
 * `git commit` in a real repository; no output and no git object ever holds a value.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { join } from "node:path";
import { requireBuild, Sandbox } from "./harness.js";

const API_KEY = "sk_live_4eC39H+qLyjWDarj/tT1zdp7dc";
const ROTATED = "sk_live_9fQ2Zx7uW1mN0pLk+a/b"; // API_KEY's value after the rotation
const DB_PASSWORD = 'p@ss:w0rd/"quoted"!x';
const DB_ROTATED = "n3w-db-pass/after+rotation";
const FEATURE_TOKEN = "tok-feature+only/8c1e9a"; // set on a branch of another clone
const SHORT = "a/b+c=d"; // 7 bytes: too short to look for, in any spelling

const b64 = (v: string) => Buffer.from(v).toString("base64");
const pct = (v: string) => encodeURIComponent(v);
const jsonBody = (v: string) => JSON.stringify(v).slice(1, -1);

describe("the pre-commit hook finds encoded, rotated-out and other branches' values", () => {
  let sb: Sandbox;
  const other = () => join(sb.base, "other");
  const origin = () => join(sb.base, "origin.git");

  /** `git commit` of `files` as alice: exit code and stderr; the files are unstaged again and their blobs pruned. */
  const commit = (files: Record<string, string>) => {
    for (const [p, text] of Object.entries(files)) sb.write(p, text);
    sb.git(["add", "--", ...Object.keys(files)], { user: "alice" });
    const r = sb.gitTry(["commit", "-q", "-m", "try"], { user: "alice" });
    if (r.code === 0) sb.git(["reset", "-q", "--soft", "HEAD~1"], { user: "alice" });
    sb.git(["rm", "-q", "--cached", "--", ...Object.keys(files)], { user: "alice" });
    for (const p of Object.keys(files)) sb.remove(p);
    sb.git(["reflog", "expire", "--expire=now", "--all"]);
    sb.git(["prune", "--expire=now"]);
    return r;
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(API_KEY, ROTATED, DB_PASSWORD, DB_ROTATED, FEATURE_TOKEN);
    // The spellings are secrets too: no output may hold them.
    for (const v of [API_KEY, ROTATED, DB_PASSWORD, DB_ROTATED, FEATURE_TOKEN]) sb.secret(b64(v), pct(v), jsonBody(v));
    sb.write(".gitignore", "/other/\n");
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY }).code).toBe(0);
    expect(sb.vault("alice", ["set", "DB_PASSWORD", "--stdin"], { input: DB_PASSWORD }).code).toBe(0);
    expect(sb.vault("alice", ["set", "SHORT", "--stdin"], { input: SHORT }).code).toBe(0);
    sb.commitAll("the vault", "alice");
    // Another clone of alice's (its own fingerprint cache) sets a value on a branch and pushes it.
    sb.git(["clone", "-q", "--bare", sb.repo, origin()]);
    sb.git(["remote", "add", "origin", origin()]);
    sb.git(["clone", "-q", origin(), other()]);
    sb.git(["checkout", "-q", "-b", "feature"], { cwd: other() });
    expect(sb.vault("alice", ["set", "FEATURE_TOKEN", "--stdin"], { input: FEATURE_TOKEN, cwd: other() }).code).toBe(0);
    sb.git(["add", "-A"], { user: "alice", cwd: other() });
    sb.git(["commit", "-q", "--no-verify", "-m", "feature token"], { user: "alice", cwd: other() });
    sb.git(["push", "-q", "origin", "feature"], { user: "alice", cwd: other() });
  });

  afterAll(() => sb?.cleanup());

  test("a base64, percent-encoded or JSON-escaped value is blocked, naming file:line, key and encoding", () => {
    const r = commit({
      "k8s/secret.yaml": `apiVersion: v1\nkind: Secret\ndata:\n  API_KEY: ${b64(API_KEY)}\n`,
      "config/db.txt": `# the database\nDATABASE_URL=postgres://app:${pct(DB_PASSWORD)}@db.internal/app\n`,
      "fixtures/config.json": `{\n  "password": "${jsonBody(DB_PASSWORD)}"\n}\n`,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("commit blocked: 3 problems in staged files");
    expect(r.stderr).toContain("  config/db.txt:2: the value of DB_PASSWORD (development), percent-encoded [known-secret]");
    expect(r.stderr).toContain("  fixtures/config.json:2: the value of DB_PASSWORD (development), JSON-escaped [known-secret]");
    expect(r.stderr).toContain("  k8s/secret.yaml:4: the value of API_KEY (development), base64-encoded [known-secret]");
  });

  test("after a rotation, the rotated-out value is still blocked, as an earlier value; the new one as the value", () => {
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: ROTATED }).code).toBe(0);
    sb.commitAll("rotate API_KEY", "alice");
    const r = commit({ "notes.md": `# keys\nold: ${API_KEY}\nnew: ${b64(ROTATED)}\n` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("  notes.md:2: an earlier value of API_KEY (development) [known-secret]");
    expect(r.stderr).toContain("  notes.md:3: the value of API_KEY (development), base64-encoded [known-secret]");
  });

  test("after a new scope key, a value of a version under the old key is read with the old key file, also by a fresh cache", () => {
    expect(sb.vault("alice", ["set", "DB_PASSWORD", "--stdin"], { input: DB_ROTATED }).code).toBe(0);
    sb.commitAll("rotate DB_PASSWORD", "alice");
    const rotated = sb.vault("alice", ["rotate", "--scope", "development"]);
    expect(rotated.code).toBe(0);
    sb.commitAll("new key for development", "alice");
    sb.remove(".envvault.local/fingerprints.bin");
    const refreshed = sb.vault("alice", ["hooks", "refresh"]);
    expect(refreshed.stderr).toMatch(/fingerprint cache: \d+ value\(s\) and [1-9]\d* earlier value\(s\) of the last 50 commits/);
    const r = commit({ "app.py": `PASSWORD = "${jsonBody(DB_PASSWORD)}"\n` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("  app.py:1: an earlier value of DB_PASSWORD (development), JSON-escaped [known-secret]");
  });

  test("a value only a fetched branch holds is blocked: the first commit after the fetch reads it", () => {
    sb.git(["fetch", "-q", "origin"], { user: "alice" });
    expect(sb.git(["branch", "-r"]).stdout).toContain("origin/feature");
    const r = commit({ "deploy.sh": `#!/bin/sh\ncurl -H "X-Token: ${pct(FEATURE_TOKEN)}" https://api.example.invalid\n` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("  deploy.sh:2: an earlier value of FEATURE_TOKEN (development), percent-encoded [known-secret]");
  });

  test("unrelated text passes: a short value in any spelling, near misses, other base64", () => {
    const r = commit({
      "README.md": `short: ${SHORT} ${b64(SHORT)} ${pct(SHORT)}\nnear: ${API_KEY.slice(0, -1)} ${b64(API_KEY).slice(0, 20)}\nother: ${b64("hello, world, nothing secret here")}\n`,
    });
    expect(r).toMatchObject({ code: 0 });
  });

  test("pre_commit.history: 0 in vault.yaml limits the hook to current values", () => {
    sb.writeSigned(".envvault/vault.yaml", sb.read(".envvault/vault.yaml") + "pre_commit:\n  history: 0\n");
    sb.commitAll("current values only", "alice");
    expect(commit({ "notes.md": `old: ${API_KEY}\n` })).toMatchObject({ code: 0 });
    const blocked = commit({ "notes.md": `new: ${ROTATED}\n` });
    expect(blocked.stderr).toContain("  notes.md:1: the value of API_KEY (development) [known-secret]");
  });

  test("a history setting that is not a count of commits is refused with where and what to do", () => {
    const before = sb.read(".envvault/vault.yaml");
    sb.write(".envvault/vault.yaml", before.replace("history: 0", "history: many"));
    const r = sb.vault("alice", ["hooks", "refresh"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/vault\.yaml.*pre_commit.*history/s);
    sb.write(".envvault/vault.yaml", before);
  });

  test("no value reached a git object: not here, not in the other clone, not in origin", () => {
    sb.assertNoSecretInGit();
    sb.assertNoSecretInGit(other());
    sb.assertNoSecretInGit(origin());
  });
});
