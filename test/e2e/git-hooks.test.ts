/**
 * The pre-commit hook, installed by `vault init`, in the four places git can run hooks from:
 * the plain hooks directory, husky's `.husky/`, a `core.hooksPath` directory, and a linked
 * worktree (which shares the main clone's hooks but has no fingerprint cache of its own).
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, requireBuild, ROOT, Sandbox } from "./harness.js";

const API_KEY = "sk-envvault-test-7f3a9c2e51";
const DATABASE_URL = "postgres://app:hunter2-db-88c1@db.internal/app";

type Kind = "plain" | "husky" | "core.hooksPath" | "linked worktree";

function setUp(kind: Kind): { sb: Sandbox; cwd: string } {
  const sb = new Sandbox();
  sb.secret(API_KEY, DATABASE_URL);
  if (kind === "husky") {
    // A project with husky 9 and envvault as dev dependencies: `vault` is in node_modules/.bin.
    sb.write("node_modules/.bin/vault", `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(sb.repo, "node_modules/.bin/vault"), 0o755);
    sb.write(".gitignore", "node_modules/\n");
    sb.exec("alice", process.execPath, ["--input-type=module", "-e", `import husky from ${JSON.stringify(join(ROOT, "node_modules/husky/index.js"))}; process.stdout.write(husky())`]);
  }
  if (kind === "core.hooksPath") {
    // A committed hooks directory: its hooks find the project's own vault (node_modules/.bin).
    sb.git(["config", "core.hooksPath", ".githooks"]);
    sb.write("node_modules/.bin/vault", `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(sb.repo, "node_modules/.bin/vault"), 0o755);
    sb.write(".gitignore", "node_modules/\n");
  }
  expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
  expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY }).code).toBe(0);
  expect(sb.vault("alice", ["set", "DATABASE_URL", "--stdin"], { input: DATABASE_URL }).code).toBe(0);
  sb.commitAll("the vault", "alice");
  let cwd = sb.repo;
  if (kind === "linked worktree") {
    cwd = join(sb.base, "linked");
    sb.git(["worktree", "add", "-q", "-b", "work", cwd], { user: "alice" });
  }
  return { sb, cwd };
}

describe.each<Kind>(["plain", "husky", "core.hooksPath", "linked worktree"])("pre-commit in a %s repository", (kind) => {
  let sb: Sandbox;
  let cwd: string;

  beforeAll(() => {
    requireBuild();
    ({ sb, cwd } = setUp(kind));
  });

  afterAll(() => sb?.cleanup());

  const where = { plain: ".git/hooks/pre-commit", husky: ".husky/pre-commit", "core.hooksPath": ".githooks/pre-commit", "linked worktree": ".git/hooks/pre-commit" }[kind];

  test("the hook is where git runs it", () => {
    expect(sb.read(where)).toMatch(/vault\S* hook pre-commit/);
    // A committed hooks directory holds no path of this machine.
    if (kind === "core.hooksPath") for (const name of ["pre-commit", "post-checkout", "post-commit"]) expect(sb.read(`.githooks/${name}`)).not.toContain(ROOT);
  });

  test("blocks a force-added .env.production and a secret on line 2 of the third of three staged files, names file:line, lets .env.example through", () => {
    const write = (path: string, text: string) => sb.write(join(cwd === sb.repo ? "" : "../linked", path), text);
    write(".env.production", `DATABASE_URL=${DATABASE_URL}\n`);
    write(".env.example", "API_KEY=your-key-here\nDATABASE_URL=postgres://user:password@localhost/app\n");
    write("a.txt", "nothing here\n");
    write("b.md", "# notes\n");
    write("c.py", `import os\nAPI_KEY = "${API_KEY}"\n`);
    sb.git(["add", "-f", ".env.production"], { user: "alice", cwd });
    sb.git(["add", ".env.example", "a.txt", "b.md", "c.py"], { user: "alice", cwd });
    const r = sb.gitTry(["commit", "-q", "-m", "leak"], { user: "alice", cwd });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("commit blocked: 3 problems in staged files");
    expect(r.stderr).toContain("  .env.production: plaintext env file [plaintext-env-file]");
    expect(r.stderr).toContain("  .env.production:1: the value of DATABASE_URL (development) [known-secret]");
    expect(r.stderr).toContain("  c.py:2: the value of API_KEY (development) [known-secret]");
    expect(r.stderr).not.toContain(".env.example");
    expect(r.stderr).toContain("git commit --no-verify");
    const direct = sb.vault("alice", ["hook", "pre-commit"], { cwd });
    expect(direct.code).toBe(6);
  });

  test("once the leaks are unstaged the commit goes through, .env.example included", () => {
    sb.git(["rm", "-q", "--cached", ".env.production"], { user: "alice", cwd });
    sb.git(["restore", "--staged", "c.py"], { user: "alice", cwd });
    const r = sb.gitTry(["commit", "-q", "-m", "clean"], { user: "alice", cwd });
    expect(r).toMatchObject({ code: 0 });
    expect(sb.gitTry(["show", "--name-only", "--format=", "HEAD"], { cwd }).stdout.split("\n").sort()).toEqual(["", ".env.example", "a.txt", "b.md"]);
    // `git add` itself wrote the leaked blobs; no commit holds them, so pruning removes them.
    sb.git(["prune", "--expire=now"]);
    sb.assertNoSecretInGit();
  });

  test("uninstall takes envvault out of the hooks again", () => {
    expect(sb.vault("alice", ["hooks", "uninstall"], { cwd }).code).toBe(0);
    expect(existsSync(join(sb.repo, where)) ? sb.read(where) : "").not.toMatch(/vault\S* hook/);
  });
});

describe("installing next to other hooks", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(API_KEY);
    sb.write(".git/hooks/pre-commit", "#!/bin/sh\necho lint >> \"$(git rev-parse --git-dir)/ran\"\n");
    sb.write(".git/hooks/post-merge", "#!/usr/bin/env node\nrequire('fs').appendFileSync(require('path').join(process.env.GIT_DIR || '.git', 'ran'), 'node-post-merge\\n')\n");
    chmodSync(join(sb.repo, ".git/hooks/pre-commit"), 0o755);
    chmodSync(join(sb.repo, ".git/hooks/post-merge"), 0o755);
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY }).code).toBe(0);
  });

  afterAll(() => sb?.cleanup());

  test("an existing shell hook keeps running after ours; a node hook is chained; installing again changes nothing", () => {
    const before = sb.read(".git/hooks/pre-commit");
    expect(before).toContain("echo lint");
    expect(sb.read(".git/hooks/post-merge")).toContain('exec "$(dirname "$0")/post-merge.envvault-chained" "$@"');
    const again = sb.vault("alice", ["hooks", "install"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already installed");
    expect(sb.read(".git/hooks/pre-commit")).toBe(before);
    sb.commitAll("vault", "alice");
    expect(readFileSync(join(sb.repo, ".git/ran"), "utf8")).toBe("lint\n");
    sb.git(["checkout", "-q", "-b", "side"], { user: "alice" });
    sb.write("side.txt", "side\n");
    sb.commitAll("side", "alice");
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    sb.git(["merge", "-q", "--no-ff", "-m", "m", "side"], { user: "alice" });
    expect(readFileSync(join(sb.repo, ".git/ran"), "utf8")).toBe("lint\nlint\nnode-post-merge\n");
    sb.assertNoSecretInGit();
  });

  test("uninstall gives the other hooks back byte for byte and removes the merge driver config", () => {
    const r = sb.vault("alice", ["hooks", "uninstall"]);
    expect(r.code).toBe(0);
    expect(sb.read(".git/hooks/pre-commit")).toBe("#!/bin/sh\necho lint >> \"$(git rev-parse --git-dir)/ran\"\n");
    expect(sb.read(".git/hooks/post-merge")).toContain("node-post-merge");
    expect(existsSync(join(sb.repo, ".git/hooks/post-checkout"))).toBe(false);
    expect(sb.gitTry(["config", "--get", "merge.envvault.driver"]).code).toBe(1);
  });
});
