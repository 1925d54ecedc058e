/**
 * Git at the edges: the status line of a detached HEAD, `vault hooks install` in a submodule
 * (whose git config lives in the superproject's `.git/modules/`), and config values shown
 * where `vault list` shows them — by `vault unlock --dry-run` and the textconv diff — while
 * secrets stay masked.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, Sandbox } from "./harness.js";

const API_KEY = "api-key-edges-secret-81";
const TOKEN = "token-edges-secret-82";

describe("a detached HEAD", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(API_KEY);
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY }).code).toBe(0);
    sb.commitAll("vault", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("vault status names the commit once", () => {
    const head = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    expect(sb.vault("alice", ["status"]).stdout).toContain(`\nbranch: main at ${head.slice(0, 12)}\n`);
    sb.git(["checkout", "-q", "--detach"], { user: "alice" });
    const r = sb.vault("alice", ["status"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toContain(`branch: detached at ${head.slice(0, 12)}`);
    expect(r.stdout).not.toContain(`${head.slice(0, 12)} at`);
    expect(JSON.parse(sb.vault("alice", ["status", "--json"]).stdout)).toMatchObject({ branch: `detached at ${head.slice(0, 12)}`, detached: true, head });
    sb.assertNoSecretInGit();
  });
});

describe("a vault in a git submodule", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox("super");
    sb.secret(API_KEY);
    const lib = new Sandbox("lib");
    lib.write("README", "lib\n");
    lib.commitAll("lib");
    sb.write("README", "super\n");
    sb.commitAll("super");
    sb.git(["-c", "protocol.file.allow=always", "submodule", "add", "-q", lib.repo, "lib"]);
    sb.commitAll("add lib");
    lib.cleanup();
  });

  afterAll(() => sb?.cleanup());

  test("hooks install names the config file it writes, under the superproject's .git/modules/", () => {
    const cwd = join(sb.repo, "lib");
    expect(sb.vault("alice", ["init", "--yes", "--no-hooks"], { cwd }).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY, cwd }).code).toBe(0);
    const config = join(realpathSync(sb.repo), ".git", "modules", "lib", "config");
    const r = sb.vault("alice", ["hooks", "install"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`merge driver and diff converter: set in ${config} (merge.envvault, diff.envvault)`);
    expect(r.stderr).not.toContain(".git/config");
    expect(existsSync(join(cwd, ".git", "config"))).toBe(false);
    expect(sb.git(["config", "--file", config, "diff.envvault.textconv"]).stdout).toMatch(/textconv\n$/);
    expect(JSON.parse(sb.vault("alice", ["hooks", "install", "--json"], { cwd }).stdout)).toMatchObject({ config });

    const off = sb.vault("alice", ["hooks", "uninstall"], { cwd });
    expect(off.stderr).toContain(`merge driver and diff converter removed from ${config};`);
    expect(sb.gitTry(["config", "--file", config, "diff.envvault.textconv"]).code).toBe(1);
    sb.assertNoSecretInGit();
    sb.assertNoSecretInGit(cwd);
  });
});

describe("config values where vault list shows them", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(API_KEY, TOKEN);
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY }).code).toBe(0);
    expect(sb.vault("alice", ["set", "LOG_LEVEL=info", "--kind", "config"]).code).toBe(0);
    sb.commitAll("first", "alice");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "LOG_LEVEL=debug"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: TOKEN }).code).toBe(0);
    // Without the post-commit hook's unlock, so that --dry-run has a change to show.
    sb.commitAll("second", "alice", { ENVVAULT_NO_AUTO_UNLOCK: "1" });
  });

  afterAll(() => sb?.cleanup());

  test("vault list shows the config value and masks the secret", () => {
    const r = sb.vault("alice", ["list"]);
    expect(r.stdout).toMatch(/^LOG_LEVEL +config .* "debug"$/m);
    expect(r.stdout).toMatch(/^API_KEY +secret .* ••••••$/m);
  });

  test("unlock --dry-run shows the config value it writes; the secret and the value it replaces stay masked", () => {
    const r = sb.vault("alice", ["unlock", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+LOG_LEVEL=debug\n");
    expect(r.stdout).toContain("-LOG_LEVEL=••••\n");
    expect(r.stdout).toContain("-API_KEY=••••\n");
    expect(r.stdout).toContain("+API_KEY=••••\n");
    expect(r.stdout).not.toContain("info");
  });

  test("git log -p shows config values and masks secrets, old and new", () => {
    const r = sb.gitTry(["log", "-p", "-1", "--format=", "--", ".envvault/envs/development.env"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-LOG_LEVEL="info" {2}# \S+ signed by alice$/m);
    expect(r.stdout).toMatch(/^\+LOG_LEVEL="debug" {2}# \S+ signed by alice$/m);
    expect(r.stdout).toMatch(/^-API_KEY=•••• {2}# \S+ [0-9a-f]{8} signed by alice$/m);
    expect(r.stdout).toMatch(/^\+API_KEY=•••• {2}# \S+ [0-9a-f]{8} signed by alice$/m);
  });

  test("without an identity config values are masked too, and git's objects hold no value", () => {
    const r = sb.gitTry(["log", "-p", "-1", "--format=", "--", ".envvault/envs/development.env"], { user: "alice", env: { HOME: join(sb.base, "nobody") } });
    expect(r.stdout).toMatch(/^\+LOG_LEVEL=•••• /m);
    expect(r.stdout).not.toContain("debug");
    sb.assertNoSecretInGit();
    expect(sb.gitObjects()).not.toContain('LOG_LEVEL="debug"');
  });

  test("a config value that interpolation fills with a secret stays masked", () => {
    const yaml = sb.read(".envvault/vault.yaml").replace("development: {}", "development:\n    interpolate: true");
    sb.writeSigned(".envvault/vault.yaml", yaml);
    expect(sb.vault("alice", ["set", "CALLBACK=https://u:${API_KEY}@example.invalid", "--kind", "config"]).code).toBe(0);
    const r = sb.vault("alice", ["unlock", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+CALLBACK=••••\n");
    expect(r.stdout).toContain("+LOG_LEVEL=debug\n");
    sb.assertNoSecretInGit();
  });
});
