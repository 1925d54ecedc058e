/**
 * Every commit carries its own secrets: after `git checkout`, `vault unlock` makes .env
 * follow the branch and reports what changed. `vault run` passes exit codes and signals
 * through like a shell.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { BIN, requireBuild, Sandbox } from "./harness.js";

const MAIN = { DATABASE_URL: "postgres://main-user:main-pw-4e1@db/app", OLD_FLAG: "old-flag-on-main-71", SHARED: "shared-value-both-22" };
const FEATURE = { DATABASE_URL: "postgres://feature-user:feature-pw-9c0@db/app", NEW_KEY: "new-key-on-feature-3b", SHARED: MAIN.SHARED };

describe("the vault follows git branches", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(MAIN), ...Object.values(FEATURE));
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    for (const [k, v] of Object.entries(MAIN)) expect(sb.vault("alice", ["set", k, "--stdin"], { input: v }).code).toBe(0);
    sb.commitAll("main's variables");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
    sb.git(["checkout", "-q", "-b", "feature"]);
    expect(sb.vault("alice", ["set", "DATABASE_URL", "--stdin"], { input: FEATURE.DATABASE_URL }).code).toBe(0);
    expect(sb.vault("alice", ["set", "NEW_KEY", "--stdin"], { input: FEATURE.NEW_KEY }).code).toBe(0);
    expect(sb.vault("alice", ["remove", "OLD_FLAG"]).code).toBe(0);
    sb.commitAll("feature's variables");
    sb.git(["checkout", "-q", "main"]);
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("checkout feature + unlock: .env holds feature's values and +NEW_KEY ~DATABASE_URL -OLD_FLAG is reported", () => {
    sb.git(["checkout", "-q", "feature"]);
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\+NEW_KEY ~DATABASE_URL -OLD_FLAG/);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(FEATURE);
  });

  test("checkout main + unlock: .env is back to main's values and +OLD_FLAG ~DATABASE_URL -NEW_KEY is reported", () => {
    sb.git(["checkout", "-q", "main"]);
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\+OLD_FLAG ~DATABASE_URL -NEW_KEY/);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(MAIN);
  });

  test("checkout feature again + unlock follows the branch again; unlock on the same commit changes nothing", () => {
    sb.git(["checkout", "-q", "feature"]);
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(FEATURE);
    const again = sb.vault("alice", ["unlock"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/no change/);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(FEATURE);
    sb.git(["add", "-A"]);
    sb.assertNoSecretInGit();
  });
});

describe("vault run passes the child's exit status through", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret("run-exit-value-a1b2");
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "RUN_VALUE", "--stdin"], { input: "run-exit-value-a1b2" }).code).toBe(0);
    sb.commitAll("vault");
  });

  afterAll(() => sb?.cleanup());

  test("a child that exits with 7 makes vault run exit with 7", () => {
    const r = sb.vault("alice", ["run", "--", process.execPath, "-e", 'process.exit(process.env.RUN_VALUE ? 7 : 1)']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 7, stderr: "" });
  });

  test("SIGTERM sent to vault run is forwarded to the child, whose exit code comes back", async () => {
    const ready = join(sb.base, "child-ready");
    const script = 'process.on("SIGTERM", () => process.exit(42)); require("fs").writeFileSync(process.argv[1], "ready"); setInterval(() => {}, 1000)';
    const vault = spawn(process.execPath, [BIN, "run", "--", process.execPath, "-e", script, ready], { cwd: sb.repo, env: sb.user("alice").env, stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => vault.on("exit", (code) => resolve(code)));
    for (let waited = 0; !existsSync(ready); waited += 50) {
      if (waited > 15_000) throw new Error("the child of vault run never started");
      await new Promise((r) => setTimeout(r, 50));
    }
    vault.kill("SIGTERM");
    expect(await exited).toBe(42);
  });

  test("a child killed by SIGTERM makes vault run exit with 143 (128 + 15)", () => {
    const r = sb.vault("alice", ["run", "--", process.execPath, "-e", 'process.kill(process.pid, "SIGTERM")']);
    expect(r.code).toBe(143);
    sb.assertNoSecretInGit();
  });
});
