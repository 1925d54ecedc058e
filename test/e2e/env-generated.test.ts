/**
 * Generated values (`kind: generated`): made on this clone's first unlock, kept outside git
 * in .envvault.local/, the same in every target, stable across unlocks, another clone's own,
 * new with `vault rotate KEY`.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { statSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

const VAULT_YAML = `version: 1
default_env: development
environments:
  development: {}
  production: {}
variables:
  X_API_KEY: { kind: generated, generate: "hex:40", required_in: [production] }
  SESSION_ID: { kind: generated, generate: uuid }
targets:
  - path: api/.env
  - path: worker/.env
    keys: [X_API_KEY]
`;

describe("generated values", () => {
  let sb: Sandbox;
  const key = (target: string, cwd?: string) => dotenv.parse(sb.bytes(cwd === undefined ? target : join("clone", target))).X_API_KEY ?? "";

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production"]).code).toBe(0);
    sb.writeSigned(".envvault/vault.yaml", VAULT_YAML);
    expect(sb.vault("alice", ["set", "DB_URL=postgres://db/app"]).code).toBe(0);
    sb.write(".gitignore", sb.read(".gitignore") + "/clone/\n");
    sb.commitAll("vault with a generated key");
  });

  afterAll(() => sb?.cleanup());

  test("the first unlock makes one value that every target gets, kept in .envvault.local/ (0600)", () => {
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    const value = key("api/.env");
    expect(value).toMatch(/^[0-9a-f]{40}$/);
    expect(key("worker/.env")).toBe(value);
    expect(dotenv.parse(sb.bytes("worker/.env"))).toEqual({ X_API_KEY: value });
    expect(dotenv.parse(sb.bytes("api/.env")).SESSION_ID).toMatch(/^[0-9a-f-]{36}$/);
    expect(statSync(join(sb.repo, ".envvault.local/generated.json")).mode & 0o777).toBe(0o600);
    sb.secret(value);
    sb.commitAll("after unlock");
    sb.assertNoSecretInGit();
  });

  test("it is stable over unlocks and the same in vault run", () => {
    const value = key("api/.env");
    const again = sb.vault("alice", ["unlock"]);
    expect(again.stderr).toMatch(/unlocked development into api\/\.env: no change/);
    expect(key("api/.env")).toBe(value);
    const run = sb.vault("alice", ["run", "--", process.execPath, "-e", "process.stdout.write(process.env.X_API_KEY)"], { reveals: [value] });
    expect(run.stdout).toBe(value);
  });

  test("another clone (another state directory) makes its own", () => {
    sb.git(["clone", "-q", sb.repo, join(sb.repo, "clone")]);
    expect(sb.vault("alice", ["unlock"], { cwd: join(sb.repo, "clone") }).code).toBe(0);
    const theirs = key("api/.env", "clone");
    expect(theirs).toMatch(/^[0-9a-f]{40}$/);
    expect(theirs).not.toBe(key("api/.env"));
    expect(key("worker/.env", "clone")).toBe(theirs);
  });

  test("vault rotate KEY makes a new one; the next unlock writes it into every target", () => {
    const old = key("api/.env");
    const r = sb.vault("alice", ["rotate", "X_API_KEY"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/new value for X_API_KEY on this clone/);
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    const fresh = key("api/.env");
    expect(fresh).toMatch(/^[0-9a-f]{40}$/);
    expect(fresh).not.toBe(old);
    expect(key("worker/.env")).toBe(fresh);
  });

  test("a generated variable counts as present for validate", () => {
    const r = sb.vault("alice", ["validate", "--env", "production"]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: "" });
  });

  test("rotate refuses a value from --stdin or another spec for a generated variable", () => {
    const stdin = sb.vault("alice", ["rotate", "X_API_KEY", "--stdin"], { input: "mine" });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toMatch(/X_API_KEY is generated on each machine; it takes no value from --stdin/);
    const spec = sb.vault("alice", ["rotate", "X_API_KEY", "--generate", "uuid"]);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toMatch(/generated from its spec in \.envvault\/vault\.yaml \(hex:40\)/);
  });

  test("the pre-commit hook looks for this clone's generated values too", () => {
    const value = key("api/.env");
    sb.secret(value);
    sb.write("docker-compose.override.yml", `services:\n  api:\n    environment:\n      X_API_KEY: ${value}\n`);
    sb.git(["add", "docker-compose.override.yml"]);
    const r = sb.gitTry(["commit", "-q", "-m", "compose"], { user: "alice" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("docker-compose.override.yml:4: the value of X_API_KEY (generated in this clone) [known-secret]");
    sb.git(["rm", "-q", "--cached", "docker-compose.override.yml"]);
    sb.remove("docker-compose.override.yml");
    sb.git(["prune", "--expire=now"]);
    sb.assertNoSecretInGit();
  });
});
