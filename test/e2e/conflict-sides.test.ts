/**
 * `vault status` names the two sides of a conflict by branch, commit subject and author, and
 * says which is which in a rebase, where git's "ours" is the branch being rebased onto and
 * "theirs" the member's own commit being replayed. `vault resolve --theirs` during a rebase
 * keeps the replayed commit's value, as status said. No registered secret in any output.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const V = { base: "charlie-base-value-001", main: "charlie-main-value-002", feature: "charlie-feature-val-03" };

describe("conflict sides are named by branch, subject and author, correctly in a rebase", () => {
  let sb: Sandbox;
  const ok = (args: string[], input?: string): Run => {
    const r = sb.vault("alice", args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (args: string[], user = "alice") => sb.git(args, { user, env: { GIT_EDITOR: "true" } });

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(V));
    ok(["init", "--yes"]);
    ok(["set", "C", "--stdin"], V.base);
    sb.commitAll("base", "alice");
    git(["checkout", "-q", "-b", "feature"]);
    ok(["set", "C", "--stdin"], V.feature);
    git(["add", "-A"], "bob");
    git(["commit", "-q", "-m", "feature: C"], "bob");
    git(["checkout", "-q", "main"]);
    ok(["set", "C", "--stdin"], V.main);
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "main: C"]);
  });

  afterAll(() => sb?.cleanup());

  test("a merge: ours is the branch checked out, theirs the branch merged in, each with its subject and author", () => {
    expect(sb.gitTry(["merge", "--no-edit", "feature"], { user: "alice" }).code).not.toBe(0);
    const st = ok(["status"]).stdout;
    expect(st).toMatch(/^ {2}a merge: ours is main \([0-9a-f]{12} "main: C" by alice\); theirs is feature \([0-9a-f]{12} "feature: C" by bob\)$/m);
    const json = JSON.parse(ok(["status", "--json"]).stdout) as { sides: { operation: string; ours: { branch: string; author: string }; theirs: { branch: string; author: string } } };
    expect(json.sides).toMatchObject({ operation: "merge", ours: { branch: "main", author: "alice" }, theirs: { branch: "feature", author: "bob" } });
    git(["merge", "--abort"]);
  });

  test("a rebase: ours is the branch rebased onto, theirs your commit being replayed; --theirs keeps your value", () => {
    git(["checkout", "-q", "feature"], "bob");
    expect(sb.gitTry(["rebase", "main"], { user: "bob", env: { GIT_EDITOR: "true" } }).code).not.toBe(0);
    const st = ok(["status"]).stdout;
    expect(st).toMatch(/^ {2}a rebase: ours is main \([0-9a-f]{12} "main: C" by alice\), the branch being rebased onto; theirs is feature \([0-9a-f]{12} "feature: C" by bob\), your commit being replayed$/m);
    ok(["resolve", "C", "--theirs"]);
    git(["add", ".envvault"], "bob");
    const cont = sb.gitTry(["-c", "core.editor=true", "rebase", "--continue"], { user: "bob", env: { GIT_EDITOR: "true" } });
    expect(cont.code).toBe(0);
    const got = sb.vault("alice", ["get", "C"], { reveals: [V.feature] });
    expect(got.stderr).toBe("");
    expect(got.stdout).toBe(`${V.feature}\n`);
    expect(ok(["verify"]).code).toBe(0);
    sb.assertNoSecretInGit();
  });
});
