/**
 * `unlock` patches targets safely: only the owned keys' lines change, each keeps its
 * quoting, export prefix and line ending; local edits follow --on-conflict; backups, modes
 * and .gitignore are looked after; `lock` takes back only what unlock wrote; `use` picks
 * the environment.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

const DEV = {
  API_KEY: "dev-api-key-aa01",
  DB_URL: "postgres://dev-user:dev-pass-11@localhost/app",
  EXPORTED_TOKEN: "dev-exported-tok-02",
  QUOTED_SECRET: "dev quoted secret 03",
  NEW_FROM_VAULT: "dev-new-from-vault-04",
};
const PROD = { API_KEY: "prod-api-key-zz99", DB_URL: "postgres://prod-user:prod-pass-88@db/app" };
const STAGING = { API_KEY: "staging-api-key-5c5c" };

/** A hand-kept .env: CRLF, comments, export, three quoting styles, a key the vault does not own. */
const LOCAL_ENV = [
  "# local settings for this machine",
  "export EXPORTED_TOKEN='old-exported-token'",
  'API_KEY="old-api-key-value"',
  "UNKNOWN_LOCAL=keep me  # not in the vault",
  "",
  "# database",
  "DB_URL=postgres://old-user:old-pass@old/app",
  "QUOTED_SECRET=`old quoted secret`",
].map((l) => l + "\r\n").join("");

const crlf = (lines: string[]) => lines.map((l) => l + "\r\n").join("");

describe("unlock patches targets safely", () => {
  let sb: Sandbox;

  const backupDir = () => join(sb.repo, ".envvault.local", "backups");
  const backups = () => (existsSync(backupDir()) ? readdirSync(backupDir()).sort() : []);
  const importValues = (env: string, values: Record<string, string>) => {
    const file = join(sb.base, `${env}.import.env`);
    writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}="${v}"\n`).join(""));
    expect(sb.vault("alice", ["import", file, "--env", env]).code).toBe(0);
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(DEV), ...Object.values(PROD), ...Object.values(STAGING));
    sb.secret("old-exported-token", "old-api-key-value", "postgres://old-user:old-pass@old/app", "old quoted secret");
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production,staging"]).code).toBe(0);
    importValues("development", DEV);
    importValues("production", PROD);
    importValues("staging", STAGING);
    // alice can write staging but not read it: her key file for it is gone.
    sb.remove(".envvault/keys/staging/alice.age");
    sb.commitAll("vault");
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("unlock over a hand-kept CRLF .env changes only the owned keys' lines, keeping export prefix, line endings and each line's quoting where it is shell-safe", () => {
    sb.write(".env", LOCAL_ENV);
    const r = sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\+NEW_FROM_VAULT ~API_KEY ~DB_URL ~EXPORTED_TOKEN ~QUOTED_SECRET/);
    expect(sb.read(".env")).toBe(
      crlf([
        "# local settings for this machine",
        `export EXPORTED_TOKEN='${DEV.EXPORTED_TOKEN}'`,
        `API_KEY="${DEV.API_KEY}"`,
        "UNKNOWN_LOCAL=keep me  # not in the vault",
        "",
        "# database",
        `DB_URL=${DEV.DB_URL}`,
        // A backtick-quoted line becomes single-quoted: a shell sourcing .env would run backticks.
        `QUOTED_SECRET='${DEV.QUOTED_SECRET}'`,
        `NEW_FROM_VAULT=${DEV.NEW_FROM_VAULT}`,
      ]),
    );
    expect(dotenv.parse(sb.bytes(".env"))).toEqual({ ...DEV, UNKNOWN_LOCAL: "keep me" });
  });

  test("unlock made a backup of the previous .env in .envvault.local/backups/, ignored by git", () => {
    const files = backups();
    expect(files.length).toBe(1);
    expect(readFileSync(join(backupDir(), files[0]!), "utf8")).toBe(LOCAL_ENV);
    sb.git(["check-ignore", "-q", `.envvault.local/backups/${files[0]!}`]);
  });

  test("unlock --dry-run prints a diff with values masked and writes nothing", () => {
    const rotated = "dev-api-key-rotated-bb02";
    sb.secret(rotated);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: rotated }).code).toBe(0);
    const before = { env: sb.read(".env"), backups: backups(), state: sb.read(".envvault.local/state.json"), ignore: sb.read(".gitignore") };
    const r = sb.vault("alice", ["unlock", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- a\/\.env$/m);
    expect(r.stdout).toMatch(/^\+\+\+ b\/\.env$/m);
    expect(r.stdout).toMatch(/^-API_KEY=/m);
    expect(r.stdout).toMatch(/^\+API_KEY=/m);
    expect(r.stdout).not.toContain(DEV.API_KEY);
    expect(r.stdout).not.toContain(rotated);
    expect({ env: sb.read(".env"), backups: backups(), state: sb.read(".envvault.local/state.json"), ignore: sb.read(".gitignore") }).toEqual(before);
    // The real unlock then changes that one line: the local value was the one unlock wrote.
    const real = sb.vault("alice", ["unlock"]);
    expect(real.code).toBe(0);
    expect(real.stderr).toMatch(/: ~API_KEY\n/);
    expect(sb.read(".env")).toBe(before.env.replace(`API_KEY="${DEV.API_KEY}"`, `API_KEY="${rotated}"`));
    DEV.API_KEY = rotated;
  });

  test("a value edited locally is kept by default (and said so), kept with --on-conflict keep, replaced with --on-conflict overwrite", () => {
    const local = "my-local-api-key-77";
    sb.secret(local);
    const edited = sb.read(".env").replace(`API_KEY="${DEV.API_KEY}"`, `API_KEY="${local}"`);
    sb.write(".env", edited);
    const byDefault = sb.vault("alice", ["unlock"]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stderr).toMatch(/kept the local value of API_KEY/);
    expect(sb.read(".env")).toBe(edited);
    const keep = sb.vault("alice", ["unlock", "--on-conflict", "keep"]);
    expect(keep.code).toBe(0);
    expect(keep.stderr).toMatch(/kept the local value of API_KEY/);
    expect(sb.read(".env")).toBe(edited);
    const overwrite = sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]);
    expect(overwrite.code).toBe(0);
    expect(overwrite.stderr).toMatch(/~API_KEY/);
    expect(sb.read(".env")).toBe(edited.replace(`API_KEY="${local}"`, `API_KEY="${DEV.API_KEY}"`));
  });

  test("a new .env is created with mode 0600; an existing .env keeps its mode", () => {
    sb.remove(".env");
    const dry = sb.vault("alice", ["unlock", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^\+API_KEY=/m);
    expect(sb.exists(".env")).toBe(false);
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(sb.mode(".env")).toBe(0o600);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(DEV);
    // Drop one owned line so that the next unlock has to write the file again.
    sb.write(".env", sb.read(".env").replace(/^DB_URL=.*\n/m, ""));
    sb.exec("alice", "chmod", ["0640", ".env"]);
    const r = sb.vault("alice", ["unlock"]);
    expect(r.stderr).toMatch(/\+DB_URL/);
    expect(sb.mode(".env")).toBe(0o640);
  });

  test("unlock adds the target to .gitignore when it is missing there", () => {
    sb.write(".gitignore", sb.read(".gitignore").replace(/^\/?\.env\n/m, ""));
    expect(spawnIgnored(sb, ".env")).toBe(false);
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(sb.read(".gitignore")).toMatch(/^\/\.env$/m);
    expect(spawnIgnored(sb, ".env")).toBe(true);
  });

  test("unlock keeps a UTF-8 BOM and an unparseable line, and changes the last of duplicated assignments (the one dotenv reads)", () => {
    const text = [
      "\ufeffAPI_KEY=first-duplicate-kept",
      "this line is not an assignment",
      `DB_URL=${DEV.DB_URL}`,
      "API_KEY=last-duplicate-replaced",
      "",
    ].join("\n");
    sb.secret("first-duplicate-kept", "last-duplicate-replaced");
    sb.write(".env", text);
    const r = sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*API_KEY/);
    expect(r.stderr).toMatch(/warning: .*line 2/);
    const after = sb.read(".env");
    expect(after.startsWith(text.replace("API_KEY=last-duplicate-replaced", `API_KEY=${DEV.API_KEY}`))).toBe(true);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(DEV);
  });

  test("lock removes only the values unlock wrote, keeping other lines and values changed locally", () => {
    sb.write(".env", LOCAL_ENV);
    expect(sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]).code).toBe(0);
    const local = "locally-changed-db-url-19";
    sb.secret(local);
    sb.write(".env", sb.read(".env").replace(`DB_URL=${DEV.DB_URL}`, `DB_URL=${local}`));
    const r = sb.vault("alice", ["lock"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kept DB_URL/);
    expect(sb.read(".env")).toBe(
      crlf(["# local settings for this machine", "UNKNOWN_LOCAL=keep me  # not in the vault", "", "# database", `DB_URL=${local}`]),
    );
  });

  test("when one target's environment cannot be read, unlock is exit 3 and writes no target at all", () => {
    const vaultYaml = sb.read(".envvault/vault.yaml");
    sb.writeSigned(".envvault/vault.yaml", vaultYaml.replace(/^targets:\n/m, "targets:\n  - path: .env.staging\n    env: staging\n"));
    try {
      const before = { env: sb.read(".env"), backups: backups() };
      sb.write(".env", before.env + "LOCAL_AFTER_LOCK=1\n");
      const r = sb.vault("alice", ["unlock", "--on-conflict", "overwrite"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/staging/);
      expect({ env: sb.read(".env"), backups: backups() }).toEqual({ env: before.env + "LOCAL_AFTER_LOCK=1\n", backups: before.backups });
      expect(sb.exists(".env.staging")).toBe(false);
    } finally {
      sb.writeSigned(".envvault/vault.yaml", vaultYaml);
    }
  });

  test("use ENV switches the environment get and unlock use", () => {
    const use = sb.vault("alice", ["use", "production"]);
    expect(use.code).toBe(0);
    const get = sb.vault("alice", ["get", "API_KEY"], { reveals: [PROD.API_KEY] });
    expect({ code: get.code, stdout: get.stdout }).toEqual({ code: 0, stdout: PROD.API_KEY + "\n" });
    sb.remove(".env");
    const unlock = sb.vault("alice", ["unlock"]);
    expect(unlock.code).toBe(0);
    expect(unlock.stderr).toMatch(/production/);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(PROD);
  });

  test("use refuses an environment the user cannot read with exit 3, and keeps the previous choice", () => {
    const r = sb.vault("alice", ["use", "staging"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read.*staging/);
    const get = sb.vault("alice", ["get", "API_KEY"], { reveals: [PROD.API_KEY] });
    expect({ code: get.code, stdout: get.stdout }).toEqual({ code: 0, stdout: PROD.API_KEY + "\n" });
    sb.git(["add", "-A"]);
    sb.assertNoSecretInGit();
  });
});

/** Whether git ignores `path` in the sandbox repository. */
function spawnIgnored(sb: Sandbox, path: string): boolean {
  try {
    sb.git(["check-ignore", "-q", path]);
    return true;
  } catch {
    return false;
  }
}
