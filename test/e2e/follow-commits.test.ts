/**
 * The targets follow HEAD after the commits that change the vault without a checkout or a
 * merge hook: an admin's signed revert, a cherry-pick, a conflicted merge concluded by hand
 * (the post-commit hook unlocks again, local edits kept). Real git, real hooks; no registered
 * secret in any output; none in a git object.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import dotenv from "dotenv";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const V = { a1: "alpha-first-value-001", a2: "alpha-bad-value-00002", b: "bravo-picked-value-03", cMain: "charlie-main-value-04", cFeat: "charlie-feat-value-05" };

describe("the post-commit hook keeps the targets on HEAD", () => {
  let sb: Sandbox;
  const ok = (args: string[], input?: string): Run => {
    const r = sb.vault("alice", args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (args: string[]) => sb.git(args, { user: "alice", env: { GIT_EDITOR: "true" } });
  const env = () => dotenv.parse(sb.bytes(".env"));

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(V));
    ok(["init", "--yes"]);
    ok(["set", "A", "--stdin"], V.a1);
    sb.commitAll("A", "alice");
    ok(["unlock"]);
  });

  afterAll(() => sb?.cleanup());

  test("an admin's revert, signed and committed: .env has the value from before the reverted commit", () => {
    ok(["set", "A", "--stdin"], V.a2);
    sb.commitAll("a mistake", "alice");
    ok(["unlock"]);
    expect(env().A).toBe(V.a2);
    // git rewrites the vault files at the revert already (the reference-transaction hook), or at the commit.
    const reverted = git(["revert", "--no-commit", "HEAD"]);
    ok(["sign"]);
    const r = sb.gitTry(["commit", "-q", "-a", "-m", "revert the mistake"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(reverted.stderr + r.stderr).toContain("envvault: development ~A");
    expect(env().A).toBe(V.a1);
  });

  test("a cherry-pick of another branch's vault change: .env has the picked value", () => {
    git(["checkout", "-q", "-b", "feature"]);
    ok(["set", "B", "--stdin"], V.b);
    sb.commitAll("B", "alice");
    git(["checkout", "-q", "main"]);
    expect(env().B).toBeUndefined();
    const r = sb.gitTry(["cherry-pick", "feature"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(env().B).toBe(V.b);
  });

  test("a conflicted merge concluded with git commit: .env has the settled value", () => {
    git(["checkout", "-q", "-b", "other"]);
    ok(["set", "C", "--stdin"], V.cFeat);
    sb.commitAll("C on other", "alice");
    git(["checkout", "-q", "main"]);
    ok(["set", "C", "--stdin"], V.cMain);
    sb.commitAll("C on main", "alice");
    ok(["unlock"]);
    expect(sb.gitTry(["merge", "--no-edit", "other"], { user: "alice" }).code).not.toBe(0);
    ok(["resolve", "C", "--theirs"]);
    git(["add", ".envvault"]);
    expect(env().C).toBe(V.cMain);
    const r = sb.gitTry(["commit", "-q", "--no-edit"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(env().C).toBe(V.cFeat);
    expect(ok(["verify"]).code).toBe(0);
    sb.assertNoSecretInGit();
  });
});
