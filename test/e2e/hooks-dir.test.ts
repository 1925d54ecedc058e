/**
 * The hook scripts shipped in hooks/, for repositories that take their hooks from one
 * directory (`core.hooksPath`) instead of `vault hooks install`: the same pre-commit check
 * and post-checkout unlock.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import dotenv from "dotenv";
import { parse } from "yaml";
import { requireBuild, ROOT, Sandbox } from "./harness.js";

const MAIN_TOKEN = "hooks-dir-main-token-8c2f";
const BRANCH_TOKEN = "hooks-dir-branch-token-1e9a";

describe("hooks/ through core.hooksPath", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(MAIN_TOKEN, BRANCH_TOKEN);
    expect(sb.vault("alice", ["init", "--yes", "--no-hooks"]).code).toBe(0);
    sb.git(["config", "core.hooksPath", join(ROOT, "hooks")]);
    expect(sb.vault("alice", ["set", "TOKEN", "--stdin"], { input: MAIN_TOKEN }).code).toBe(0);
    sb.commitAll("main's token", "alice");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
  });

  afterAll(() => sb?.cleanup());

  test("every hook script is there and executable", () => {
    for (const name of ["pre-commit", "post-checkout", "post-merge", "post-rewrite", "post-commit", "reference-transaction"]) {
      expect(statSync(join(ROOT, "hooks", name)).mode & 0o111).toBe(0o111);
    }
  });

  test("pre-commit blocks a staged file holding a vault value", () => {
    sb.write("config/leak.txt", `token = ${MAIN_TOKEN}\n`);
    sb.git(["add", "config/leak.txt"], { user: "alice" });
    const r = sb.gitTry(["commit", "-q", "-m", "leak"], { user: "alice" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("commit blocked");
    expect(r.stderr).toContain("config/leak.txt");
    sb.git(["rm", "-q", "--cached", "config/leak.txt"], { user: "alice" });
    sb.remove("config/leak.txt");
    // `git add` itself wrote the leaked blob; no commit holds it, so pruning removes it.
    sb.git(["prune", "--expire=now"]);
    sb.assertNoSecretInGit();
  });

  test("post-checkout unlocks the other branch's values into .env", () => {
    sb.git(["checkout", "-q", "-b", "other"], { user: "alice" });
    expect(sb.vault("alice", ["set", "TOKEN", "--stdin"], { input: BRANCH_TOKEN }).code).toBe(0);
    sb.commitAll("other token", "alice");
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    expect(dotenv.parse(sb.bytes(".env")).TOKEN).toBe(MAIN_TOKEN);
    sb.git(["checkout", "-q", "other"], { user: "alice" });
    expect(dotenv.parse(sb.bytes(".env")).TOKEN).toBe(BRANCH_TOKEN);
    sb.assertNoSecretInGit();
  });

  test("reference-transaction unlocks after a reset --hard", () => {
    sb.git(["reset", "-q", "--hard", "main"], { user: "alice" });
    expect(dotenv.parse(sb.bytes(".env")).TOKEN).toBe(MAIN_TOKEN);
  });
});

describe(".pre-commit-hooks.yaml: envvault as a hook of the pre-commit framework", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(MAIN_TOKEN);
    expect(sb.vault("alice", ["init", "--yes", "--no-hooks"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "TOKEN", "--stdin"], { input: MAIN_TOKEN }).code).toBe(0);
    sb.commitAll("the vault", "alice");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    // The project's own envvault, where `npm install --save-dev envvault` puts it.
    sb.write("node_modules/.bin/vault", `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin", "vault.js")}" "$@"\n`);
    chmodSync(join(sb.repo, "node_modules/.bin/vault"), 0o755);
    sb.write(".gitignore", "node_modules/\n.env\n");
  });

  afterAll(() => sb?.cleanup());

  /** Runs the hook's entry as the framework does: split like a shell word list, at the top of the work tree, no file names. */
  const runEntry = () => {
    const hooks = parse(readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as { id: string; entry: string; language: string; pass_filenames: boolean }[];
    const hook = hooks.find((h) => h.id === "envvault")!;
    expect([hook.language, hook.pass_filenames]).toEqual(["system", false]);
    const words = [...hook.entry.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    return sb.exec("alice", words[0]!, words.slice(1), { env: { PATH: "/usr/bin:/bin" } });
  };

  // The framework itself (pip or Debian's `pre-commit`, which .ci/run installs): it clones this
  // repository at its commit as a hook repository and runs the hook on `git commit`.
  const framework = spawnSync("pre-commit", ["--version"], { encoding: "utf8" }).status === 0;
  test("the pre-commit framework is installed (set ENVVAULT_SKIP_PRE_COMMIT=1 to skip its test on purpose)", () => {
    expect(framework || process.env["ENVVAULT_SKIP_PRE_COMMIT"] === "1").toBe(true);
  });
  (framework ? test : test.skip)("with the real framework: pre-commit install, then a commit of a vault value is refused and a clean one goes through", () => {
    const rev = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    sb.write(".pre-commit-config.yaml", `repos:\n  - repo: ${ROOT}\n    rev: ${rev}\n    hooks:\n      - id: envvault\n`);
    const env = { PATH: `/usr/bin:/bin:${dirname(process.execPath)}`, PRE_COMMIT_HOME: join(sb.base, "pre-commit-home") };
    const installed = sb.exec("alice", "pre-commit", ["install"], { env });
    expect(installed.code).toBe(0);
    sb.write("leak.txt", `token: ${MAIN_TOKEN}\n`);
    sb.git(["add", "leak.txt", ".pre-commit-config.yaml"], { user: "alice" });
    const blocked = sb.gitTry(["commit", "-q", "-m", "leak"], { user: "alice", env });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("leak.txt:1: the value of TOKEN (development) [known-secret]");
    sb.write("leak.txt", "nothing secret\n");
    sb.git(["add", "leak.txt"], { user: "alice" });
    const clean = sb.gitTry(["commit", "-q", "-m", "clean"], { user: "alice", env });
    expect(clean.code).toBe(0);
    // `git add` itself wrote the staged leak as a blob; refused, nothing refers to it any more.
    sb.git(["prune", "--expire=now"], { user: "alice" });
    sb.assertNoSecretInGit();
  });

  test("a staged file holding a vault value is refused by the hook's entry; a clean one passes", () => {
    sb.write("notes.txt", `token: ${MAIN_TOKEN}\n`);
    sb.git(["add", "notes.txt"], { user: "alice" });
    const r = runEntry();
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("notes.txt:1: the value of TOKEN (development) [known-secret]");
    sb.write("notes.txt", "nothing secret\n");
    sb.git(["add", "notes.txt"], { user: "alice" });
    expect(runEntry().code).toBe(0);
  });
});
