/**
 * Layering (README, "Layers: env_file and priority"): inherited environments → the
 * environment → env_file files → the process environment, `priority: vault_wins` flipping
 * the middle two. Every worked example of that README section, in both priority modes,
 * through `vault run` as a user types it.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { requireBuild, Sandbox } from "./harness.js";

/** `vault run` arguments printing the given variables as JSON ({} entries for unset ones left out). */
const printing = (...keys: string[]) => ["--", process.execPath, "-e", `const o={};for(const k of ${JSON.stringify(keys)})if(k in process.env)o[k]=process.env[k];console.log(JSON.stringify(o))`];

const TOKEN = "tok-layers-7f3a9c21e5";

function vaultYaml(priority: "files_win" | "vault_wins", extra = ""): string {
  return `version: 1
default_env: development
priority: ${priority}
environments:
  development:
    env_file:
      - .env.defaults
      - .env
      - path: .env.local
        required: false
  test:
    extends: development
    env_file: .env.test
${extra}variables:
  LOG_LEVEL: { kind: config }
  ENABLE_CACHE: { kind: config }
targets:
  - path: out/app.env
`;
}

describe("layers: the worked examples of the README", () => {
  let sb: Sandbox;

  const run = (keys: string[], opts: { env?: NodeJS.ProcessEnv; args?: string[] } = {}) => {
    const r = sb.vault("alice", ["run", ...(opts.args ?? []), ...printing(...keys)], { ...(opts.env === undefined ? {} : { env: opts.env }) });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(TOKEN);
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,test"]).code).toBe(0);
    sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
    expect(sb.vault("alice", ["set", "RAILS_ENV=development", "LOG_LEVEL=info", "DATABASE_HOST=localhost", "DATABASE_NAME=myapp_development"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "RAILS_ENV=test", "--env", "test"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_TOKEN", "--stdin"], { input: TOKEN }).code).toBe(0);
    sb.write(".env.defaults", "ENABLE_CACHE=true\nLOG_LEVEL=warn\n");
    sb.write(".env", "DATABASE_PASSWORD=secret\nLOG_LEVEL=info\n");
    sb.write(".env.local", "LOG_LEVEL=debug\nENABLE_CACHE=false\n");
    sb.write(".env.test", "DATABASE_NAME=myapp_test\nRAILS_LOG_LEVEL=error\n");
  });

  afterAll(() => {
    sb.git(["add", "-A"]);
    sb.assertNoSecretInGit();
    sb.cleanup();
  });

  const FIRST = ["ENABLE_CACHE", "LOG_LEVEL", "DATABASE_PASSWORD", "RAILS_ENV"];
  const TEST = ["DATABASE_HOST", "DATABASE_NAME", "RAILS_ENV", "RAILS_LOG_LEVEL"];

  test("files over the vault (default): the last file wins over the environment", () => {
    sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
    expect(run(FIRST)).toEqual({ ENABLE_CACHE: "false", LOG_LEVEL: "debug", DATABASE_PASSWORD: "secret", RAILS_ENV: "development" });
  });

  test("files under the vault (vault_wins): the environment's LOG_LEVEL wins over every file", () => {
    sb.writeSigned(".envvault/vault.yaml", vaultYaml("vault_wins"));
    expect(run(FIRST)).toEqual({ ENABLE_CACHE: "false", LOG_LEVEL: "info", DATABASE_PASSWORD: "secret", RAILS_ENV: "development" });
  });

  test.each(["files_win", "vault_wins"] as const)("the process environment wins in %s mode", (mode) => {
    sb.writeSigned(".envvault/vault.yaml", vaultYaml(mode));
    expect(run(FIRST, { env: { LOG_LEVEL: "trace" } })).toEqual({ ENABLE_CACHE: "false", LOG_LEVEL: "trace", DATABASE_PASSWORD: "secret", RAILS_ENV: "development" });
  });

  test.each(["files_win", "vault_wins"] as const)("a test environment extending development, with its own env_file, in %s mode", (mode) => {
    sb.writeSigned(".envvault/vault.yaml", vaultYaml(mode));
    expect(run(TEST, { args: ["--env", "test"] })).toEqual({ DATABASE_HOST: "localhost", DATABASE_NAME: "myapp_test", RAILS_ENV: "test", RAILS_LOG_LEVEL: "error" });
  });

  test("run --explain KEY lists every layer that sets it, lowest first, and marks the winner", () => {
    sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
    const r = sb.vault("alice", ["run", "--explain", "LOG_LEVEL"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "LOG_LEVEL in development (priority: files_win; lowest first):",
        '  development (environment)  "info"',
        '  .env.defaults (env_file)   "warn"',
        '  .env (env_file)            "info"',
        '* .env.local (env_file)      "debug"',
        "LOG_LEVEL comes from .env.local (env_file)",
        "",
      ].join("\n"),
    );
    const trace = sb.vault("alice", ["--json", "run", "--explain=LOG_LEVEL"], { env: { LOG_LEVEL: "trace" } });
    const x = JSON.parse(trace.stdout) as { value: string; rows: { layer: string; won: boolean }[] };
    expect(x.value).toBe("trace");
    expect(x.rows.filter((row) => row.won).map((row) => row.layer)).toEqual(["process environment"]);
  });

  test("--explain shows an inherited value a child overrides, and masks secret values", () => {
    const r = sb.vault("alice", ["run", "--env", "test", "--explain", "DATABASE_NAME"]);
    expect(r.stdout).toBe(
      [
        "DATABASE_NAME in test (priority: files_win; lowest first):",
        "  development (inherited)  ********",
        "* .env.test (env_file)     ********",
        "DATABASE_NAME comes from .env.test (env_file)",
        "",
      ].join("\n"),
    );
    const token = sb.vault("alice", ["run", "--explain", "API_TOKEN"]);
    expect(token.stdout).toMatch(/^\* development \(environment\) {2}\*{8}$/m);
  });

  test("unlock --explain KEY explains each target and writes nothing", () => {
    const r = sb.vault("alice", ["unlock", "--explain", "ENABLE_CACHE"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ENABLE_CACHE in development → out\/app\.env/);
    expect(r.stdout).toMatch(/^\* \.env\.local \(env_file\) +"false"$/m);
    expect(sb.exists("out/app.env")).toBe(false);
  });

  test("--debug lists the env_file layers read and skipped; an optional missing file is skipped", () => {
    sb.remove(".env.local");
    try {
      const r = sb.vault("alice", ["--debug", "unlock"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/debug: development \(target out\/app\.env\): loaded \.env\.defaults \(2 variables\)/);
      expect(r.stderr).toMatch(/debug: development \(target out\/app\.env\): skipped \.env\.local: missing \(required: false\)/);
      // The target gets the layered values: without .env.local, .env's LOG_LEVEL wins.
      expect(sb.read("out/app.env")).toMatch(/^LOG_LEVEL=info$/m);
    } finally {
      sb.write(".env.local", "LOG_LEVEL=debug\nENABLE_CACHE=false\n");
    }
  });

  test("a child may unset an inherited variable", () => {
    sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win").replace("    env_file: .env.test\n", "    env_file: .env.test\n    unset: [LOG_LEVEL, API_TOKEN]\n"));
    expect(run(["LOG_LEVEL", "API_TOKEN", "RAILS_ENV"], { args: ["--env", "test"] })).toEqual({ RAILS_ENV: "test" });
    expect(sb.vault("alice", ["get", "API_TOKEN", "--env", "test"]).code).not.toBe(0);
    expect(sb.vault("alice", ["get", "API_TOKEN"], { reveals: [TOKEN] }).stdout).toBe(TOKEN + "\n");
    sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
  });

  describe("bad input: clear errors, nothing written", () => {
    const untouched = () => ({ vault: sb.vaultBytes(), target: sb.exists("out/app.env") ? sb.read("out/app.env") : null });

    test("a missing required env_file names the file and where vault.yaml requires it", () => {
      sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
      sb.remove(".env.defaults");
      try {
        sb.write("out/app.env", "LOCAL=1\n");
        const before = untouched();
        for (const args of [["unlock", "--on-conflict", "overwrite"], ["run", ...printing("LOG_LEVEL")], ["export"]]) {
          const r = sb.vault("alice", args);
          expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 1, stdout: "" });
          expect(r.stderr).toMatch(/^vault: error: \.env\.defaults is missing; \.envvault\/vault\.yaml lists it under environments\.development\.env_file as required$/m);
          expect(r.stderr).toMatch(/^vault: hint: create \.env\.defaults$/m);
        }
        expect(untouched()).toEqual(before);
      } finally {
        sb.write(".env.defaults", "ENABLE_CACHE=true\nLOG_LEVEL=warn\n");
      }
    });

    test("an env_file that exists but cannot be read is an error even when optional", () => {
      sb.remove(".env.local");
      sb.write(".env.local/inside", "x");
      try {
        const r = sb.vault("alice", ["run", ...printing("LOG_LEVEL")]);
        expect(r.code).toBe(5);
        expect(r.stderr).toMatch(/^vault: error: env_file \.env\.local \(environments\.development\.env_file in \.envvault\/vault\.yaml\) is a directory, not a regular file$/m);
        expect(r.stdout).toBe("");
      } finally {
        sb.remove(".env.local");
        sb.write(".env.local", "LOG_LEVEL=debug\nENABLE_CACHE=false\n");
      }
    });

    test("an extends cycle is an invalid vault.yaml naming the chain", () => {
      // `vault sign` refuses to sign such a file; one can still arrive unsigned (a merge of
      // two admins' changes), and a reader that goes on with --allow-unverified names it.
      sb.write(".envvault/vault.yaml", vaultYaml("files_win").replace("  development:\n", "  development:\n    extends: test\n"));
      expect(sb.vault("alice", ["sign"]).code).toBe(5);
      sb.write("out/app.env", "LOCAL=1\n");
      const before = untouched();
      for (const args of [["unlock", "--on-conflict", "overwrite"], ["run", "--env", "test", ...printing("RAILS_ENV")], ["validate"]]) {
        const r = sb.vault("alice", ["--allow-unverified", ...args]);
        expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 5, stdout: "" });
        expect(r.stderr).toMatch(/^vault: error: \.envvault\/vault\.yaml: environments extend each other in a cycle: (development -> test -> development|test -> development -> test)$/m);
        expect(r.stderr).toMatch(/^vault: hint: remove one `extends` of the cycle$/m);
      }
      expect(untouched()).toEqual(before);
      sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
    });

    test("an env_file outside the repository is refused", () => {
      sb.write(".envvault/vault.yaml", vaultYaml("files_win").replace("      - .env.defaults\n", "      - ../elsewhere.env\n"));
      const signing = sb.vault("alice", ["sign"]);
      expect(signing.code).toBe(5);
      expect(signing.stderr).toMatch(/environments\.development\.env_file names the env_file "\.\.\/elsewhere\.env", which envvault refuses/);
      const r = sb.vault("alice", ["--allow-unverified", "export"]);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/environments\.development\.env_file names the env_file "\.\.\/elsewhere\.env", which envvault refuses: its `\.\.` leaves the repository/);
      sb.writeSigned(".envvault/vault.yaml", vaultYaml("files_win"));
    });
  });
});
