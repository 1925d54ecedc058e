/**
 * Contexts (docker vs host values of one environment), interpolation across layers, and
 * several targets each with its environment, key filter or prefix, and context.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

const PASSWORD = "pw-contexts-51b2e8d0";
const PROD_PASSWORD = "pw-prod-contexts-c44a01";

const VAULT_YAML = `version: 1
default_env: development
environments:
  development:
    interpolate: true
    contexts:
      docker: { NATS_URL: "nats://nats:4222", DB_HOST: db }
      host: { NATS_URL: "nats://localhost:4222" }
  production: {}
variables:
  NATS_URL: { kind: config }
  DB_HOST: { kind: config }
targets:
  - path: .env
    context: host
  - path: docker/.env
    context: docker
  - path: web/.env
    prefix: PUBLIC_
  - path: ops/prod.env
    env: production
    keys: [DB_*]
`;

/** `vault run` arguments printing the given variables as JSON. */
const printing = (...keys: string[]) => ["--", process.execPath, "-e", `const o={};for(const k of ${JSON.stringify(keys)})if(k in process.env)o[k]=process.env[k];console.log(JSON.stringify(o))`];

describe("contexts, interpolation and targets", () => {
  let sb: Sandbox;
  const parsed = (path: string) => dotenv.parse(sb.bytes(path));

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(PASSWORD, PROD_PASSWORD);
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production"]).code).toBe(0);
    sb.writeSigned(".envvault/vault.yaml", VAULT_YAML);
    sb.write("docker/.keep", "");
    expect(sb.vault("alice", ["set", "DB_USER=app", "DB_HOST=localhost", "PUBLIC_API=http://${DB_HOST}:8080", "LITERAL=$(echo hacked) `id`"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "DB_PASSWORD", "--stdin"], { input: PASSWORD }).code).toBe(0);
    expect(sb.vault("alice", ["set", "DATABASE_URL=postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:5432/${DB_NAME:-app}"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "DB_HOST=prod-db", "DB_PASSWORD=" + PROD_PASSWORD, "OTHER=x", "--env", "production"]).code).toBe(0);
  });

  afterAll(() => {
    sb.git(["add", "-A"]);
    sb.assertNoSecretInGit();
    sb.cleanup();
  });

  test("--context docker overrides a few values, and interpolation sees the context's value", () => {
    const r = sb.vault("alice", ["run", "--context", "docker", ...printing("NATS_URL", "DATABASE_URL", "PUBLIC_API")], { reveals: [PASSWORD] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ NATS_URL: "nats://nats:4222", DATABASE_URL: `postgres://app:${PASSWORD}@db:5432/app`, PUBLIC_API: "http://db:8080" });
  });

  test("without a context, the environment's own values; references fall back to the process environment", () => {
    const r = sb.vault("alice", ["export", "--format", "json"], { env: { DB_NAME: "from_shell" }, reveals: [PASSWORD] });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    expect(out.DATABASE_URL).toBe(`postgres://app:${PASSWORD}@localhost:5432/from_shell`);
    expect(out.NATS_URL).toBeUndefined();
  });

  test("there is never command substitution", () => {
    const r = sb.vault("alice", ["export", "--format", "json", "--context=host"], { reveals: [PASSWORD] });
    expect(JSON.parse(r.stdout)).toMatchObject({ LITERAL: "$(echo hacked) `id`", NATS_URL: "nats://localhost:4222" });
  });

  test("unlock writes each target with its environment, filter and context", () => {
    const r = sb.vault("alice", ["unlock"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/unlocked development \(context docker\) into docker\/\.env/);
    expect(parsed(".env")).toMatchObject({ NATS_URL: "nats://localhost:4222", DB_HOST: "localhost", DATABASE_URL: `postgres://app:${PASSWORD}@localhost:5432/app` });
    expect(parsed("docker/.env")).toMatchObject({ NATS_URL: "nats://nats:4222", DB_HOST: "db", DATABASE_URL: `postgres://app:${PASSWORD}@db:5432/app` });
    expect(parsed("web/.env")).toEqual({ PUBLIC_API: "http://localhost:8080" });
    expect(parsed("ops/prod.env")).toEqual({ DB_HOST: "prod-db", DB_PASSWORD: PROD_PASSWORD });
    expect(sb.mode("ops/prod.env")).toBe(0o600);
  });

  describe("bad input: clear errors, nothing written", () => {
    test("an unknown context is a usage error naming it and listing the known ones", () => {
      const before = { vault: sb.vaultBytes(), env: sb.read(".env"), docker: sb.read("docker/.env") };
      for (const args of [["run", "--context", "dockr", ...printing("NATS_URL")], ["export", "--context", "dockr"], ["unlock", "--context", "dockr"]]) {
        const r = sb.vault("alice", args);
        expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
        expect(r.stderr).toMatch(/^vault: error: unknown context "dockr" for environment development$/m);
        expect(r.stderr).toMatch(/^vault: hint: contexts of development: docker, host$/m);
      }
      expect({ vault: sb.vaultBytes(), env: sb.read(".env"), docker: sb.read("docker/.env") }).toEqual(before);
    });

    test("a target naming an unknown context is an invalid vault.yaml naming the target", () => {
      sb.writeSigned(".envvault/vault.yaml", VAULT_YAML.replace("context: docker", "context: compose"));
      try {
        const before = sb.read("docker/.env");
        const r = sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]);
        expect(r.code).toBe(5);
        expect(r.stderr).toMatch(/unknown context "compose" for environment development \(target docker\/\.env in \.envvault\/vault\.yaml\)/);
        expect(sb.read("docker/.env")).toBe(before);
      } finally {
        sb.writeSigned(".envvault/vault.yaml", VAULT_YAML);
      }
    });

    test("an interpolation cycle names the keys; nothing runs and no target changes", () => {
      expect(sb.vault("alice", ["set", "LOOP_A=${LOOP_B}/a", "LOOP_B=x${LOOP_A}"]).code).toBe(0);
      try {
        const before = { env: sb.read(".env"), docker: sb.read("docker/.env") };
        for (const args of [["run", ...printing("LOOP_A")], ["unlock", "--on-conflict", "overwrite"], ["export"]]) {
          const r = sb.vault("alice", args);
          expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 5, stdout: "" });
          expect(r.stderr).toMatch(/^vault: error: environment development: interpolation cycle: LOOP_A → LOOP_B → LOOP_A$/m);
        }
        expect({ env: sb.read(".env"), docker: sb.read("docker/.env") }).toEqual(before);
      } finally {
        expect(sb.vault("alice", ["remove", "LOOP_A", "LOOP_B"]).code).toBe(0);
      }
    });
  });
});
