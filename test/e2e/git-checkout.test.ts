/**
 * "Auto sync by git hash": with the hooks installed, `git checkout` itself unlocks the
 * checked-out commit's values into .env and prints what changed; `vault unlock --at REV`
 * reads any commit without checking it out; `vault status` says whether .env matches HEAD.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { join } from "node:path";
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

const MAIN = { DATABASE_URL: "postgres://main:main-pw-61f0@db/app", OLD_KEY: "old-key-on-main-5d2e", SHARED: "shared-both-9a7c41" };
const FEATURE = { DATABASE_URL: "postgres://feat:feat-pw-03b7@db/app", NEW_KEY: "new-key-on-feature-c8e1", SHARED: MAIN.SHARED };

describe("git checkout unlocks through the post-checkout hook", () => {
  let sb: Sandbox;
  let mainSha: string;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(MAIN), ...Object.values(FEATURE));
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    for (const [k, v] of Object.entries(MAIN)) expect(sb.vault("alice", ["set", k, "--stdin"], { input: v }).code).toBe(0);
    sb.commitAll("main's variables", "alice");
    mainSha = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    sb.git(["checkout", "-q", "-b", "feature"], { user: "alice" });
    expect(sb.vault("alice", ["set", "DATABASE_URL", "--stdin"], { input: FEATURE.DATABASE_URL }).code).toBe(0);
    expect(sb.vault("alice", ["set", "NEW_KEY", "--stdin"], { input: FEATURE.NEW_KEY }).code).toBe(0);
    expect(sb.vault("alice", ["remove", "OLD_KEY"]).code).toBe(0);
    sb.commitAll("feature's variables", "alice");
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("checkout feature: .env flips and git prints `envvault: development +NEW_KEY ~DATABASE_URL -OLD_KEY`", () => {
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
    const r = sb.gitTry(["checkout", "-q", "feature"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("envvault: development +NEW_KEY ~DATABASE_URL -OLD_KEY");
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(FEATURE);
  });

  test("status says .env matches HEAD's vault; after a checkout that skipped the hook it says what differs", () => {
    expect(sb.vault("alice", ["status"]).stdout).toContain("target .env (development): matches HEAD's vault");
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "main"], { user: "alice" });
    const r = sb.vault("alice", ["status", "--json"]);
    expect(JSON.parse(r.stdout).targets[0]).toMatchObject({ target: ".env", state: "behind", added: ["OLD_KEY"], changed: ["DATABASE_URL"], removed: ["NEW_KEY"] });
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "feature"], { user: "alice" });
  });

  test("unlock --at reads any commit (a branch, a short sha, an expression) without checking it out", () => {
    expect(sb.vault("alice", ["unlock", "--at", "main"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
    expect(sb.git(["rev-parse", "--abbrev-ref", "HEAD"]).stdout.trim()).toBe("feature");
    expect(sb.vault("alice", ["unlock", "--at", "HEAD"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(FEATURE);
    const short = sb.vault("alice", ["unlock", "--at", mainSha.slice(0, 8)]);
    expect(short.stderr).toContain(`as of ${mainSha.slice(0, 8)} (${mainSha.slice(0, 12)})`);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
    expect(sb.vault("alice", ["unlock", "--at", "feature~1"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
    const bad = sb.vault("alice", ["unlock", "--at", "no-such-branch"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown revision "no-such-branch"');
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
  });

  test("a detached HEAD is followed too", () => {
    const r = sb.gitTry(["checkout", "-q", "--detach", "main"], { user: "alice" });
    expect(r.stderr).toContain("envvault: development +OLD_KEY ~DATABASE_URL -NEW_KEY");
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
    expect(sb.vault("alice", ["status"]).stdout).toContain(`branch: detached at ${mainSha.slice(0, 12)}`);
    sb.git(["checkout", "-q", "feature"], { user: "alice" });
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(FEATURE);
  });

  test("a local edit of .env survives the checkout, with a warning", () => {
    sb.write(".env", sb.read(".env").replace(/^SHARED=.*$/m, "SHARED=my-local-override"));
    const r = sb.gitTry(["checkout", "-q", "main"], { user: "alice" });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kept your local value of SHARED/);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual({ ...MAIN, SHARED: "my-local-override" });
    sb.git(["checkout", "-q", "feature"], { user: "alice" });
    expect(sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]).code).toBe(0);
  });

  test("when the identity cannot read the vault, the checkout still succeeds with a warning, and .env is left alone", () => {
    expect(sb.vault("mallory", ["keygen"]).code).toBe(0);
    const stranger = join(sb.user("mallory").home, ".config", "envvault", "identity.txt");
    const before = sb.bytes(".env");
    const r = sb.gitTry(["checkout", "-q", "main"], { user: "alice", env: { ENVVAULT_IDENTITY_FILE: stranger } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("post-checkout: the targets were not unlocked for the new HEAD");
    expect(sb.bytes(".env")).toEqual(before);
    expect(sb.git(["rev-parse", "--abbrev-ref", "HEAD"]).stdout.trim()).toBe("main");
    sb.assertNoSecretInGit();
  });
});

describe("status compares a target with what unlock would write", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret("status-base-secret-4e1d");
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    sb.writeSigned(".envvault/vault.yaml", "version: 1\ndefault_env: development\nenvironments:\n  development:\n    interpolate: true\n    env_file: .env.defaults\ntargets:\n  - path: .env\n");
    sb.write(".env.defaults", "FROM_FILE=plain-default\n");
    expect(sb.vault("alice", ["set", "BASE", "--stdin"], { input: "status-base-secret-4e1d" }).code).toBe(0);
    expect(sb.vault("alice", ["set", "URL=${BASE}/path"]).code).toBe(0);
    sb.commitAll("layers and interpolation", "alice");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toMatchObject({ URL: "status-base-secret-4e1d/path", FROM_FILE: "plain-default" });
  });

  afterAll(() => sb?.cleanup());

  test("a target written from layers and interpolated values matches HEAD's vault", () => {
    const r = sb.vault("alice", ["status", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).targets[0]).toMatchObject({ target: ".env", state: "up-to-date", added: [], changed: [], removed: [] });
  });

  test("a change to a referenced value shows as a change of the value that uses it", () => {
    sb.secret("status-base-secret-second-77");
    expect(sb.vault("alice", ["set", "BASE", "--stdin"], { input: "status-base-secret-second-77" }).code).toBe(0);
    // Without the post-commit hook's unlock, the target stays behind HEAD.
    sb.commitAll("new base", "alice", { ENVVAULT_NO_AUTO_UNLOCK: "1" });
    const r = sb.vault("alice", ["status", "--json"]);
    expect(JSON.parse(r.stdout).targets[0]).toMatchObject({ state: "behind", added: [], changed: ["BASE", "URL"], removed: [] });
    sb.assertNoSecretInGit();
  });
});
