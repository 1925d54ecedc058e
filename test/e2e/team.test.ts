/**
 * Team access end to end, with three identities: alice and bob (people) and ci (a machine
 * whose identity comes from ENVVAULT_IDENTITY). Offboarding with `vault rotate --remove`,
 * exposure records and `vault check`, grants and revokes, named scopes, team grants.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const SKIP_AGE_CLI = process.env.ENVVAULT_SKIP_AGE_CLI === "1";

const DEV = { API_TOKEN: "team-dev-token-8c1d9e", DATABASE_URL: "postgres://dev:team-devpw-5f2a@db/dev" };
const PROD = { API_TOKEN: "team-prod-token-3b9f42", DATABASE_URL: "postgres://prod:team-prodpw-a71c@db/prod" };
const PAYMENTS = { STRIPE_SECRET: "team-stripe-secret-9d8e7f" };

/** The AGE-SECRET-KEY-1 line of an identity file. */
function secretKeyOf(text: string): string {
  const key = text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  if (key === undefined) throw new Error("no AGE-SECRET-KEY-1 line in identity file");
  return key.trim();
}

function dotenv(values: Record<string, string>): string {
  return Object.entries(values).map(([k, v]) => `${k}='${v}'\n`).join("");
}

function json(r: Run): unknown {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** Every `*.age` file under .envvault/keys, repo-relative. */
function keyFiles(sb: Sandbox): string[] {
  const dir = join(sb.repo, ".envvault", "keys");
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((p) => p.endsWith(".age"))
    .map((p) => `.envvault/keys/${p}`)
    .sort();
}

function scopeLines(sb: Sandbox, env: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of sb.read(`.envvault/envs/${env}.env`).matchAll(/^#@scope (\S+) (age1[0-9a-z]+) \S+$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/** `  <env>  <KEY>` lines of the exposure list printed by rotate --remove / revoke. */
function exposureLines(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /^\s+(\S+)\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]} ${m[2]}`)
    .sort();
}

interface AccessJson {
  scopes: string[];
  members: { member: string; scopes: Record<string, { access: "read" | "write"; drift: boolean }> }[];
}

function accessOf(sb: Sandbox, who: string, as = "alice", env?: NodeJS.ProcessEnv): Record<string, string> {
  const r = sb.vault(as, ["access", "--json"], env === undefined ? {} : { env });
  expect(r.code).toBe(0);
  const row = (json(r) as AccessJson).members.find((m) => m.member === who);
  return Object.fromEntries(Object.entries(row?.scopes ?? {}).map(([s, c]) => [s, c.access + (c.drift ? "!" : "")]));
}

/**
 * A repository where alice (init, development + production; its admin) added bob (team dev, a
 * person) and ci (a machine), each with their signing key, and set the values of both
 * environments.
 */
class Team {
  readonly sb = new Sandbox();
  readonly recipient: Record<string, string> = {};
  readonly identityFile: Record<string, string> = {};
  private ciKey = "";

  constructor() {
    const { sb } = this;
    sb.secret(...Object.values(DEV), ...Object.values(PROD), ...Object.values(PAYMENTS));
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production", "--name", "alice"]).code).toBe(0);
    this.identityFile.alice = join(sb.user("alice").home, ".config", "envvault", "identity.txt");
    const bob = sb.vault("bob", ["keygen"]);
    expect(bob.code).toBe(0);
    this.identityFile.bob = join(sb.user("bob").home, ".config", "envvault", "identity.txt");
    this.identityFile.ci = join(sb.user("ci").home, "ci-identity.txt");
    const ci = sb.vault("ci", ["keygen", "--out", this.identityFile.ci]);
    expect(ci.code).toBe(0);
    this.ciKey = secretKeyOf(readFileSync(this.identityFile.ci, "utf8"));
    for (const who of ["alice", "bob", "ci"]) sb.secret(secretKeyOf(readFileSync(this.identityFile[who]!, "utf8")));
    this.recipient.bob = bob.stdout.trim();
    this.recipient.ci = ci.stdout.trim();
    this.ok("alice", ["member", "add", "bob", ...sb.member("bob").args, "--team", "dev"]);
    this.ok("alice", ["member", "add", "ci", ...sb.member("ci", { env: { ENVVAULT_IDENTITY: this.ciKey } }).args, "--kind", "machine"]);
    this.ok("alice", ["import", "-", "--format", "dotenv"], { input: dotenv(DEV) });
    this.ok("alice", ["import", "-", "--format", "dotenv", "--env", "production"], { input: dotenv(PROD) });
  }

  /** `vault ARGS` as `who`; ci's identity is the key text in ENVVAULT_IDENTITY, as in CI. */
  vault(who: string, args: string[], opts: { input?: string; reveals?: string[]; env?: NodeJS.ProcessEnv } = {}): Run {
    const env = who === "ci" ? { ENVVAULT_IDENTITY: this.ciKey, ...opts.env } : opts.env;
    return this.sb.vault(who, args, { ...opts, ...(env === undefined ? {} : { env }) });
  }

  ok(who: string, args: string[], opts: { input?: string; reveals?: string[] } = {}): Run {
    const r = this.vault(who, args, opts);
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${who}: exit ${r.code}\n${r.stderr}`);
    return r;
  }

  /** `vault export --format json` of one environment, parsed; every registered secret may appear. */
  export(who: string, env: string): { code: number; values?: Record<string, string> } {
    const r = this.vault(who, ["export", "--format", "json", "--env", env], { reveals: [...this.sb.secrets] });
    return r.code === 0 ? { code: 0, values: json(r) as Record<string, string> } : { code: r.code };
  }

  get(who: string, key: string, env: string): Run {
    return this.vault(who, ["get", key, "--env", env], { reveals: [...this.sb.secrets] });
  }

  cleanup(): void {
    this.sb.cleanup();
  }
}

function requireAgeCli(): void {
  if (spawnSync("sh", ["-c", "command -v age && command -v age-keygen"]).status !== 0) {
    throw new Error("the reference age CLI (age, age-keygen) is not installed: `apt-get install -y age`, or set ENVVAULT_SKIP_AGE_CLI=1 to skip these tests");
  }
}

describe("offboarding: vault rotate --remove alice", () => {
  let t: Team;
  let sb: Sandbox;
  let rotate: Run;
  const before: Record<string, Record<string, string>> = {};
  const scopesBefore = new Map<string, Map<string, string>>();
  const ageBefore: Record<string, number> = {};

  beforeAll(() => {
    requireBuild();
    t = new Team();
    sb = t.sb;
    t.ok("alice", ["grant", "team:dev", "development"]);
    t.ok("alice", ["grant", "bob", "production"]);
    t.ok("alice", ["grant", "ci", "development"]);
    t.ok("alice", ["grant", "ci", "production"]);
    // bob, a second admin, makes a scope of his own, which alice is never granted, and later
    // removes alice (both change roster.yaml, which only an admin may).
    t.ok("alice", ["admin", "add", "bob"]);
    t.ok("bob", ["scope", "add", "production:payments"]);
    t.ok("bob", ["set", "STRIPE_SECRET", "--stdin", "--scope", "payments", "--env", "production"], { input: PAYMENTS.STRIPE_SECRET });
    sb.commitAll("team vault", "alice");
    sb.assertNoSecretInGit();

    for (const who of ["bob", "ci"]) for (const env of ["development", "production"]) before[`${who}/${env}`] = t.export(who, env).values ?? {};
    for (const env of ["development", "production"]) scopesBefore.set(env, scopeLines(sb, env));
    if (!SKIP_AGE_CLI) {
      requireAgeCli();
      for (const env of ["development", "production"]) ageBefore[env] = sb.exec("alice", "age", ["-d", "-i", t.identityFile.alice!, `.envvault/keys/${env}/alice.age`]).code;
    }

    rotate = t.vault("bob", ["rotate", "--remove", "alice"]);
    sb.commitAll("offboard alice", "bob");
  });

  afterAll(() => t?.cleanup());

  test("the setup is what the scenario needs: bob reads all three scopes, alice two, ci the two plain ones", () => {
    expect(before["bob/development"]).toEqual(DEV);
    expect(before["bob/production"]).toEqual({ ...PROD, ...PAYMENTS });
    expect(before["ci/development"]).toEqual(DEV);
    expect(scopesBefore.get("production")?.has("production:payments")).toBe(true);
  });

  test("rotate --remove alice succeeds and re-keys exactly the scopes alice could read", () => {
    expect({ code: rotate.code, stderr: rotate.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("removed alice; new keys for development, production\n") });
    for (const env of ["development", "production"]) {
      const now = scopeLines(sb, env);
      expect(now.get(env)).not.toBe(scopesBefore.get(env)!.get(env));
    }
    // alice never had production:payments: its key pair stays.
    expect(scopeLines(sb, "production").get("production:payments")).toBe(scopesBefore.get("production")!.get("production:payments"));
    expect(sb.read(".envvault/roster.yaml")).not.toMatch(/\balice\b/);
  });

  test("the printed exposure list names exactly the variables alice could read, not those of production:payments", () => {
    expect(rotate.stdout).toMatch(/^alice could read these values/);
    expect(exposureLines(rotate.stdout)).toEqual(["development API_TOKEN", "development DATABASE_URL", "production API_TOKEN", "production DATABASE_URL"]);
    expect(rotate.stdout).not.toContain("STRIPE_SECRET");
  });

  test("alice gets exit 3 from get, export and unlock in every environment at HEAD, and no target is written", () => {
    for (const env of ["development", "production"]) {
      for (const key of env === "production" ? ["API_TOKEN", "STRIPE_SECRET"] : ["API_TOKEN"]) {
        const get = t.get("alice", key, env);
        expect({ env, key, code: get.code, stdout: get.stdout }).toEqual({ env, key, code: 3, stdout: "" });
      }
      const exp = t.vault("alice", ["export", "--format", "json", "--env", env]);
      expect({ env, code: exp.code, stdout: exp.stdout }).toEqual({ env, code: 3, stdout: "" });
      const unlock = t.vault("alice", ["unlock", "--env", env]);
      expect({ env, code: unlock.code }).toEqual({ env, code: 3 });
      expect(sb.exists(".env")).toBe(false);
    }
  });

  (SKIP_AGE_CLI ? test.skip : test)("the reference age CLI opens no key file with alice's identity (it opened hers before)", () => {
    expect(ageBefore).toEqual({ development: 0, production: 0 });
    const files = keyFiles(sb);
    expect(files).toEqual([
      ".envvault/keys/development/bob.age",
      ".envvault/keys/development/ci.age",
      ".envvault/keys/production.payments/bob.age",
      ".envvault/keys/production/bob.age",
      ".envvault/keys/production/ci.age",
    ]);
    for (const file of files) {
      const r = sb.exec("alice", "age", ["-d", "-i", t.identityFile.alice!, file]);
      expect({ file, code: r.code, stdout: r.stdout }).toEqual({ file, code: 1, stdout: "" });
      expect(r.stderr).toMatch(/no identity matched/i);
    }
  });

  (SKIP_AGE_CLI ? test.skip : test)("the scope key alice can still get from git history is not the key of any scope at HEAD", () => {
    for (const env of ["development", "production"]) {
      const old = spawnSync("git", ["show", `HEAD~1:.envvault/keys/${env}/alice.age`], { cwd: sb.repo });
      const scopeKey = sb.exec("alice", "age", ["-d", "-i", t.identityFile.alice!], { input: old.stdout });
      expect(scopeKey.code).toBe(0);
      const pub = sb.exec("alice", "age-keygen", ["-y"], { input: scopeKey.stdout });
      expect(pub.stdout.trim()).toBe(scopesBefore.get(env)!.get(env));
      expect([...scopeLines(sb, env).values()]).not.toContain(pub.stdout.trim());
    }
  });

  test("alice cannot read HEAD's values even with her old key files and roster entry restored from history", () => {
    for (const path of [".envvault/roster.yaml", ".envvault/keys/development/alice.age", ".envvault/keys/production/alice.age"]) {
      sb.write(path, sb.git(["show", `HEAD~1:${path}`]).stdout);
    }
    try {
      for (const env of ["development", "production"]) {
        // The restored roster.yaml is not the one the chain of trust vouches for: refused before any key is opened.
        const r = t.get("alice", "API_TOKEN", env);
        expect({ env, code: r.code, stdout: r.stdout }).toEqual({ env, code: 4, stdout: "" });
        expect(r.stderr).toContain(".envvault/roster.yaml was changed without an admin's signature");
        // Read anyway: the old scope key no longer matches the scope's #@scope recipient, an integrity failure, never a value.
        const anyway = t.vault("alice", ["--allow-unverified", "get", "API_TOKEN", "--env", env], { reveals: [...sb.secrets] });
        expect({ env, code: anyway.code, stdout: anyway.stdout }).toEqual({ env, code: 4, stdout: "" });
        expect(anyway.stderr).toContain(`.envvault/keys/${env}/alice.age`);
      }
    } finally {
      sb.git(["checkout", "HEAD", "--", ".envvault"]);
      sb.remove(".envvault/keys/development/alice.age");
      sb.remove(".envvault/keys/production/alice.age");
    }
    expect(sb.git(["status", "--porcelain"]).stdout).toBe("");
  });

  test("bob and ci read every value unchanged", () => {
    expect(t.export("bob", "development")).toEqual({ code: 0, values: before["bob/development"] });
    expect(t.export("bob", "production")).toEqual({ code: 0, values: before["bob/production"] });
    expect(t.export("ci", "development")).toEqual({ code: 0, values: before["ci/development"] });
    // ci has plain production only; see "a member with plain production …" below for export.
    for (const [key, value] of Object.entries(PROD)) {
      const r = t.get("ci", key, "production");
      expect({ key, code: r.code, stdout: r.stdout }).toEqual({ key, code: 0, stdout: value + "\n" });
    }
    sb.assertNoSecretInGit();
  });

  test("vault check lists each exposed value (exit 5) until it is changed with vault rotate KEY --stdin", () => {
    const exposed = () => {
      const r = t.vault("bob", ["check", "--json"]);
      const problems = (json(r) as { problems: { kind: string; env?: string; key?: string; to?: string }[] }).problems;
      expect(problems.filter((p) => p.kind !== "exposed")).toEqual([]);
      for (const p of problems) expect(p.to).toBe("alice");
      return { code: r.code, exposed: problems.map((p) => `${p.env} ${p.key}`).sort() };
    };
    expect(exposed()).toEqual({ code: 5, exposed: ["development API_TOKEN", "development DATABASE_URL", "production API_TOKEN", "production DATABASE_URL"] });
    const text = t.vault("bob", ["check"]);
    expect(text.code).toBe(5);
    expect(text.stdout).toMatch(/^exposed: production: DATABASE_URL was readable by alice .*vault rotate DATABASE_URL --env production/m);

    const fresh = { production: "postgres://prod:team-rotated-pw-44e1@db/prod", development: "team-dev-token-rotated-0b7c" };
    sb.secret(...Object.values(fresh));
    t.ok("bob", ["rotate", "DATABASE_URL", "--stdin", "--env", "production"], { input: fresh.production });
    expect(exposed()).toEqual({ code: 5, exposed: ["development API_TOKEN", "development DATABASE_URL", "production API_TOKEN"] });
    expect(t.get("ci", "DATABASE_URL", "production").stdout).toBe(fresh.production + "\n");

    t.ok("bob", ["rotate", "API_TOKEN", "--stdin", "--env", "development"], { input: fresh.development });
    expect(exposed()).toEqual({ code: 5, exposed: ["development DATABASE_URL", "production API_TOKEN"] });
    t.ok("bob", ["rotate", "DATABASE_URL", "--generate", "--env", "development"]);
    t.ok("bob", ["rotate", "API_TOKEN", "--generate", "--env", "production"]);
    expect(exposed()).toEqual({ code: 0, exposed: [] });
    expect(sb.exists(".envvault/exposed.json")).toBe(false);
    sb.commitAll("new values for what alice saw", "bob");
    sb.assertNoSecretInGit();
  });
});

describe("grant and revoke change who can read; vault access shows it", () => {
  let t: Team;
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    t = new Team();
    sb = t.sb;
    sb.commitAll("team vault", "alice");
  });

  afterAll(() => t?.cleanup());

  test("bob gets exit 3 in production until alice grants it, then reads it; vault access and --json show it", () => {
    expect(t.get("bob", "API_TOKEN", "production").code).toBe(3);
    expect(accessOf(sb, "bob")).toEqual({ development: "write", production: "write" });
    const grant = t.ok("alice", ["grant", "bob", "production"]);
    expect(grant.stderr).toContain("granted bob read access to production: new key files for bob");
    expect(sb.exists(".envvault/keys/production/bob.age")).toBe(true);
    expect(t.get("bob", "API_TOKEN", "production")).toMatchObject({ code: 0, stdout: PROD.API_TOKEN + "\n" });
    expect(accessOf(sb, "bob")).toEqual({ development: "write", production: "read" });
    const table = t.ok("alice", ["access"]).stdout.split("\n");
    expect(table[0]).toMatch(/^MEMBER\s+development\s+production$/);
    // The table shows roles: bob reads and writes production, nothing of development (not granted to team dev).
    expect(table.find((l) => l.startsWith("bob "))).toMatch(/^bob\s+-\s+rw$/);
    expect(table.find((l) => l.startsWith("alice "))).toMatch(/^alice \(admin\)\s+rw\s+rw$/);
    expect((json(t.ok("alice", ["access", "--json"])) as { admins: string[]; roles: Record<string, unknown> }).roles.bob).toEqual({ development: "-", production: "rw" });
    sb.commitAll("grant bob production", "alice");
    sb.assertNoSecretInGit();
  });

  test("revoke takes it away: exit 3 again, production re-keyed, bob's key file gone; a write-only grant lets him set what he cannot read", () => {
    const recipient = scopeLines(sb, "production").get("production");
    const revoke = t.ok("alice", ["revoke", "bob", "production"]);
    expect(revoke.stderr).toContain("revoked bob from production; rotated production (bob lost access)");
    expect(exposureLines(revoke.stdout)).toEqual(["production API_TOKEN", "production DATABASE_URL"]);
    expect(t.get("bob", "API_TOKEN", "production").code).toBe(3);
    expect(sb.exists(".envvault/keys/production/bob.age")).toBe(false);
    expect(scopeLines(sb, "production").get("production")).not.toBe(recipient);
    expect(t.export("alice", "production")).toEqual({ code: 0, values: PROD });
    // bob wrote production as one of its readers: that went with the read access.
    const blind = "team-bob-blind-write-6a0d";
    sb.secret(blind);
    const refused = t.vault("bob", ["set", "BOB_WRITES", "--stdin", "--env", "production"], { input: blind });
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 3, stderr: expect.stringContaining("bob may not write scope production") });
    // write-only: granted it, bob can set a production value he cannot read back.
    t.ok("alice", ["grant", "bob", "production", "--write-only"]);
    expect(accessOf(sb, "bob")).toEqual({ development: "write", production: "write" });
    t.ok("bob", ["set", "BOB_WRITES", "--stdin", "--env", "production"], { input: blind });
    expect(t.get("bob", "BOB_WRITES", "production").code).toBe(3);
    expect(t.get("alice", "BOB_WRITES", "production").stdout).toBe(blind + "\n");
    t.ok("alice", ["remove", "BOB_WRITES", "--env", "production"]);
    sb.commitAll("revoke bob production", "alice");
    sb.assertNoSecretInGit();
  });

  test("production:payments stays unreadable (exit 3) to a member with plain production, until granted", () => {
    t.ok("alice", ["scope", "add", "production:payments"]);
    t.ok("alice", ["set", "STRIPE_SECRET", "--stdin", "--scope", "payments", "--env", "production"], { input: PAYMENTS.STRIPE_SECRET });
    t.ok("alice", ["grant", "ci", "production"]);
    expect(t.get("ci", "API_TOKEN", "production")).toMatchObject({ code: 0, stdout: PROD.API_TOKEN + "\n" });
    const denied = t.get("ci", "STRIPE_SECRET", "production");
    expect({ code: denied.code, stdout: denied.stdout }).toEqual({ code: 3, stdout: "" });
    expect(denied.stderr).toContain("production:payments");
    expect(accessOf(sb, "ci")).toEqual({ development: "write", production: "read", "production:payments": "write" });
    const list = t.ok("ci", ["list", "--env", "production"]).stdout;
    expect(list).toMatch(/^STRIPE_SECRET\s+secret\s+production:payments\s/m);
    expect(t.get("alice", "STRIPE_SECRET", "production").stdout).toBe(PAYMENTS.STRIPE_SECRET + "\n");

    t.ok("alice", ["grant", "ci", "production:payments"]);
    expect(t.get("ci", "STRIPE_SECRET", "production")).toMatchObject({ code: 0, stdout: PAYMENTS.STRIPE_SECRET + "\n" });
    expect(accessOf(sb, "ci")["production:payments"]).toBe("read");
    t.ok("alice", ["revoke", "ci", "production:payments"]);
    expect(t.get("ci", "STRIPE_SECRET", "production").code).toBe(3);
    expect(t.get("ci", "API_TOKEN", "production").code).toBe(0);
    expect(accessOf(sb, "ci")).toEqual({ development: "write", production: "read", "production:payments": "write" });
    sb.commitAll("payments scope", "alice");
    sb.assertNoSecretInGit();
  });

  // Fails today: readEnv decrypts every key of the environment, so one value in a scope the
  // reader lacks makes export, run and unlock of the whole environment exit 3.
  test("a member with plain production still exports and runs with the production variables outside production:payments", () => {
    expect(t.export("ci", "production")).toEqual({ code: 0, values: PROD });
    const run = t.vault("ci", ["run", "--env", "production", "--", process.execPath, "-e", "process.exit(process.env.STRIPE_SECRET === undefined && process.env.API_TOKEN !== undefined ? 0 : 9)"]);
    expect(run.code).toBe(0);
  });

  test("grant team:dev development gives every dev member a key file", () => {
    t.ok("alice", ["member", "add", "dave", ...sb.member("dave").args, "--team", "dev"]);
    expect(t.get("bob", "API_TOKEN", "development").code).toBe(3);
    const grant = t.ok("alice", ["grant", "team:dev", "development"]);
    expect(grant.stderr).toContain("granted team dev read access to development: new key files for bob, dave");
    for (const who of ["bob", "dave"]) {
      expect(sb.exists(`.envvault/keys/development/${who}.age`)).toBe(true);
      expect(t.export(who, "development")).toEqual({ code: 0, values: DEV });
    }
    expect(sb.read(".envvault/roster.yaml")).toMatch(/^ {2}development:\n {4}teams:\n {6}- dev\n/m);
    sb.commitAll("grant team dev", "alice");
    sb.assertNoSecretInGit();
  });

  test("a member added later with --team dev by a reader gets a key file at once", () => {
    // Adding a member changes roster.yaml: the one adding is an admin (bob, a reader of development).
    t.ok("alice", ["admin", "add", "bob"]);
    const add = t.ok("bob", ["member", "add", "erin", ...sb.member("erin").args, "--team", "dev"]);
    expect(add.stderr).toContain("added member erin (teams: dev); can read: development");
    expect(sb.exists(".envvault/keys/development/erin.age")).toBe(true);
    expect(t.export("erin", "development")).toEqual({ code: 0, values: DEV });
    expect(accessOf(sb, "erin")).toMatchObject({ development: "read", production: "write" });
  });

  test("a member added with --team dev by a non-reader is drift for vault check until a reader grants again", () => {
    // ci is made an admin that cannot read development.
    t.ok("alice", ["admin", "add", "ci"]);
    const add = t.ok("ci", ["member", "add", "frank", ...sb.member("frank").args, "--team", "dev"]);
    expect(add.stderr).toMatch(/warning: you cannot read development, so frank has no key for it yet/);
    expect(sb.exists(".envvault/keys/development/frank.age")).toBe(false);
    expect(t.get("frank", "API_TOKEN", "development").code).toBe(3);
    expect(accessOf(sb, "frank").development).toBe("write!");
    const check = t.vault("alice", ["check", "--json"]);
    expect(check.code).toBe(5);
    expect((json(check) as { problems: unknown[] }).problems).toContainEqual({ kind: "drift", scope: "development", member: "frank", detail: "missing key file" });
    t.ok("bob", ["grant", "team:dev", "development"]);
    expect(t.export("frank", "development")).toEqual({ code: 0, values: DEV });
    const after = json(t.vault("alice", ["check", "--json"])) as { problems: { kind: string }[] };
    expect(after.problems.filter((p) => p.kind === "drift")).toEqual([]);
    sb.commitAll("frank", "alice");
    sb.assertNoSecretInGit();
  });
});
