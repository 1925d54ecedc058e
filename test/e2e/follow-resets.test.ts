/**
 * The targets follow the vault files after the git commands no post-* hook sees: `reset
 * --hard` and `stash` / `stash pop` (the reference-transaction hook unlocks again, local
 * edits kept), with hooks installed in the plain hooks directory, husky's `.husky/` and a
 * committed `core.hooksPath` directory. Every other reference update (a branch, a fetch, a
 * commit that leaves the vault alone) does not start vault at all. Real git, real hooks; no
 * registered secret in any output; none in a git object.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { BIN, requireBuild, ROOT, type Run, Sandbox } from "./harness.js";

const V = { one: "reset-value-one-4a1c", two: "reset-value-two-9e3b", three: "stashed-value-3-77d0", b: "rebased-value-b-51f2" };
type Kind = "plain" | "husky" | "core.hooksPath";

function projectVault(sb: Sandbox): void {
  sb.write("node_modules/.bin/vault", `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(sb.repo, "node_modules/.bin/vault"), 0o755);
  sb.write(".gitignore", "node_modules/\n");
}

describe.each<Kind>(["plain", "husky", "core.hooksPath"])("reset and stash in a %s repository", (kind) => {
  let sb: Sandbox;
  const ok = (args: string[], input?: string): Run => {
    const r = sb.vault("alice", args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (args: string[]): Run => {
    const r = sb.gitTry(args, { user: "alice", env: { GIT_EDITOR: "true" } });
    if (r.code !== 0) throw new Error(`git ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const env = () => dotenv.parse(sb.bytes(".env"));
  const mark = () => statSync(join(sb.repo, ".envvault.local/unlocked")).mtimeMs;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(V));
    if (kind === "husky") {
      projectVault(sb);
      sb.exec("alice", process.execPath, ["--input-type=module", "-e", `import husky from ${JSON.stringify(join(ROOT, "node_modules/husky/index.js"))}; process.stdout.write(husky())`]);
    }
    if (kind === "core.hooksPath") {
      projectVault(sb);
      sb.git(["config", "core.hooksPath", ".githooks"]);
    }
    ok(["init", "--yes"]);
    ok(["set", "A", "--stdin"], V.one);
    sb.commitAll("one", "alice");
    ok(["unlock"]);
    ok(["set", "A", "--stdin"], V.two);
    sb.commitAll("two", "alice");
    expect(env().A).toBe(V.two);
  });

  afterAll(() => sb?.cleanup());

  test("the hook is where git runs it, with no path of this machine in a committed directory", () => {
    const where = { plain: ".git/hooks", husky: ".husky", "core.hooksPath": ".githooks" }[kind];
    expect(sb.read(`${where}/reference-transaction`)).toMatch(/vault\S* hook reference-transaction/);
    if (kind === "husky") expect(sb.read(".husky/_/reference-transaction")).toContain('. "$(dirname "$0")/h"');
    if (kind === "core.hooksPath") expect(sb.read(".githooks/reference-transaction")).not.toContain(ROOT);
  });

  test("reset --hard to the commit before: .env has its value; back again: the newer one", () => {
    const r = git(["reset", "-q", "--hard", "HEAD~1"]);
    expect(r.stderr).toContain("envvault: development ~A");
    expect(env().A).toBe(V.one);
    git(["reset", "-q", "--hard", "ORIG_HEAD"]);
    expect(env().A).toBe(V.two);
  });

  test("stash takes an unlocked, uncommitted value out of .env; stash pop brings it back", () => {
    ok(["set", "A", "--stdin"], V.three);
    ok(["unlock"]);
    expect(env().A).toBe(V.three);
    git(["stash", "-q"]);
    expect(env().A).toBe(V.two);
    git(["stash", "pop", "-q"]);
    expect(env().A).toBe(V.three);
    git(["checkout", "-q", "--", ".envvault"]);
    ok(["unlock"]);
    expect(env().A).toBe(V.two);
  });

  test("a branch, a fetch-like update and a commit that leaves the vault alone do not start vault", () => {
    const before = mark();
    git(["branch", "side"]);
    git(["update-ref", "refs/remotes/origin/main", "HEAD"]);
    sb.write("notes.txt", "notes\n");
    git(["add", "notes.txt"]);
    const r = git(["commit", "-q", "-m", "notes"]);
    expect(r.stderr).not.toContain("envvault:");
    expect(mark()).toBe(before);
    expect(env().A).toBe(V.two);
  });

  test("a local edit of .env is kept through a reset", () => {
    sb.write(".env", sb.read(".env").replace(`A=${V.two}`, "A=my-local-edit"));
    const r = git(["reset", "-q", "--hard", "HEAD~2"]);
    expect(r.stderr).toContain("kept your local value of A");
    expect(env().A).toBe("my-local-edit");
    git(["reset", "-q", "--hard", "ORIG_HEAD"]);
    sb.assertNoSecretInGit();
  });
});

describe("a rebase unlocks once, at the end", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(V));
    const ok = (args: string[], input?: string) => expect(sb.vault("alice", args, input === undefined ? {} : { input }).code).toBe(0);
    ok(["init", "--yes"]);
    ok(["set", "A", "--stdin"], V.one);
    sb.commitAll("one", "alice");
    ok(["unlock"]);
    sb.git(["checkout", "-q", "-b", "feature"], { user: "alice" });
    ok(["set", "B", "--stdin"], V.b);
    sb.commitAll("B", "alice");
    sb.write("f.txt", "feature\n");
    sb.commitAll("f", "alice");
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    ok(["set", "A", "--stdin"], V.two);
    sb.commitAll("A two", "alice");
    sb.git(["checkout", "-q", "feature"], { user: "alice" });
    expect(dotenv.parse(sb.bytes(".env")).A).toBe(V.one);
  });

  afterAll(() => sb?.cleanup());

  test("no unlock per picked commit; .env has the rebased branch's values", () => {
    const r = sb.gitTry(["rebase", "main"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/envvault: development/g) ?? []).toEqual(["envvault: development"]);
    expect(r.stderr).toContain("envvault: development ~A");
    expect(dotenv.parse(sb.bytes(".env"))).toMatchObject({ A: V.two, B: V.b });
    sb.assertNoSecretInGit();
  });
});
