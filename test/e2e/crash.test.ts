/**
 * Crash safety of `vault rotate --remove alice`, by fault injection: ENVVAULT_CRASH_AT=N makes
 * the process SIGKILL itself at the N-th step of its journaled commit. For N = 1, 2, … until a
 * run completes, the repository is reset to the commit before the rotation, the run is killed
 * at step N, and the next vault command (a read as bob, or bob running the rotation again)
 * must find the vault entirely old (alice still reads) or entirely new (alice exit 3), bob
 * reading every value, never an integrity error.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BIN, requireBuild, Sandbox } from "./harness.js";

const DEV = { API_TOKEN: "crash-dev-token-1f9a3c", DATABASE_URL: "postgres://dev:crash-devpw-77b2@db/dev" };
const PROD = { API_TOKEN: "crash-prod-token-c40e1d", DATABASE_URL: "postgres://prod:crash-prodpw-0a5e@db/prod" };
const PAYMENTS = { STRIPE_SECRET: "crash-stripe-secret-e3d2b1" };
const ENVS = ["development", "production"] as const;

/** Files a completed `rotate --remove alice` changes, as `git status --porcelain` shows them. */
const ROTATED = [
  " D .envvault/keys/development/alice.age",
  " D .envvault/keys/production/alice.age",
  " M .envvault/chain",
  " M .envvault/envs/development.env",
  " M .envvault/envs/production.env",
  " M .envvault/keys/development/bob.age",
  " M .envvault/keys/development/ci.age",
  " M .envvault/keys/production/bob.age",
  " M .envvault/keys/production/ci.age",
  " M .envvault/roster.yaml",
  "?? .envvault/exposed.json",
].sort();

/** How many values exposed.json records (0 when it does not exist). */
function countExposures(text: string | undefined): number {
  if (text === undefined) return 0;
  const data = JSON.parse(text) as { records: { keys: Record<string, number> }[] };
  return data.records.reduce((n, r) => n + Object.keys(r.keys).length, 0);
}

type State = "old" | "new";

describe("crash safety of vault rotate --remove alice (fault injection at every step)", () => {
  let sb: Sandbox;
  let base: string;
  const before: Record<string, Record<string, string>> = {};
  let scopesBefore: Map<string, string>;

  /** `vault ARGS` as `user`, the exit signal kept (the harness folds it into code 128); output checked for secrets. */
  const vault = (user: string, args: string[], env: NodeJS.ProcessEnv = {}, reveals: readonly string[] = []) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: sb.repo, env: { ...sb.user(user).env, ...env }, encoding: "utf8" });
    for (const s of sb.secrets) {
      if (!reveals.includes(s) && r.stdout.includes(s)) throw new Error(`secret leaked on stdout of vault ${args.join(" ")}`);
      if (r.stderr.includes(s)) throw new Error(`secret leaked on stderr of vault ${args.join(" ")}`);
    }
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (user: string, args: string[], input?: string) => {
    const r = sb.vault(user, args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const exportJson = (user: string, env: string) => {
    const r = vault(user, ["export", "--format", "json", "--env", env], {}, [...sb.secrets]);
    return r.status === 0 ? { code: 0, values: JSON.parse(r.stdout) as Record<string, string> } : { code: r.status, stderr: r.stderr };
  };
  const scopeLines = () => {
    const out = new Map<string, string>();
    for (const env of ENVS) for (const m of sb.read(`.envvault/envs/${env}.env`).matchAll(/^#@scope (\S+) (age1[0-9a-z]+) \S+$/gm)) out.set(m[1]!, m[2]!);
    return out;
  };
  const strayTemps = () =>
    readdirSync(join(sb.repo, ".envvault"), { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith(".tmp"));

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(DEV), ...Object.values(PROD), ...Object.values(PAYMENTS));
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production", "--name", "alice"]).code).toBe(0);
    ok("bob", ["keygen"]);
    ok("ci", ["keygen"]);
    for (const who of ["alice", "bob", "ci"]) {
      const identity = readFileSync(join(sb.user(who).home, ".config", "envvault", "identity.txt"), "utf8");
      sb.secret(identity.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!);
    }
    ok("alice", ["member", "add", "bob", ...sb.member("bob").args, "--team", "dev"]);
    ok("alice", ["member", "add", "ci", ...sb.member("ci").args, "--kind", "machine"]);
    ok("alice", ["import", "-"], Object.entries(DEV).map(([k, v]) => `${k}=${v}\n`).join(""));
    ok("alice", ["import", "-", "--env", "production"], Object.entries(PROD).map(([k, v]) => `${k}=${v}\n`).join(""));
    ok("alice", ["grant", "team:dev", "development"]);
    ok("alice", ["grant", "bob", "production"]);
    ok("alice", ["grant", "ci", "development"]);
    ok("alice", ["grant", "ci", "production"]);
    // bob, a second admin, makes a scope alice never reads and later removes alice (roster changes).
    ok("alice", ["admin", "add", "bob"]);
    ok("bob", ["scope", "add", "production:payments"]);
    ok("bob", ["set", "STRIPE_SECRET", "--stdin", "--scope", "payments", "--env", "production"], PAYMENTS.STRIPE_SECRET);
    sb.commitAll("team vault before the rotation", "alice");
    sb.assertNoSecretInGit();
    base = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    before.development = DEV;
    before.production = { ...PROD, ...PAYMENTS };
    for (const env of ENVS) expect(exportJson("bob", env)).toEqual({ code: 0, values: before[env] });
    scopesBefore = scopeLines();
  });

  afterAll(() => sb?.cleanup());

  /** Back to the commit before the rotation, with nothing a previous trial left (its journal was consumed). */
  const reset = () => {
    expect(existsSync(join(sb.repo, ".envvault.local", "journal.json"))).toBe(false);
    sb.git(["reset", "-q", "--hard", base]);
    sb.git(["clean", "-q", "-f", "-d", "-x"]);
  };

  /** The vault as bob, alice and the files see it: entirely old or entirely new, or a description of the mix. */
  const classify = (): State | string => {
    for (const env of ENVS) {
      const r = exportJson("bob", env);
      if (r.code !== 0 || JSON.stringify(r.values) !== JSON.stringify(before[env])) return `bob's export of ${env}: ${JSON.stringify(r)}`;
    }
    const alice = vault("alice", ["get", "API_TOKEN"], {}, [DEV.API_TOKEN]).status;
    const scopes = scopeLines();
    const rekeyed = ENVS.map((env) => scopes.get(env) !== scopesBefore.get(env));
    const facts = {
      alice,
      aliceInRoster: /^ {2}alice:$/m.test(sb.read(".envvault/roster.yaml")),
      aliceKeyFiles: ENVS.filter((env) => sb.exists(`.envvault/keys/${env}/alice.age`)).length,
      rekeyed: rekeyed.filter(Boolean).length,
      paymentsKept: scopes.get("production:payments") === scopesBefore.get("production:payments"),
      exposures: countExposures(sb.exists(".envvault/exposed.json") ? sb.read(".envvault/exposed.json") : undefined),
    };
    const check = vault("bob", ["check", "--json"]);
    const drift = (JSON.parse(check.stdout) as { problems: { kind: string }[] }).problems.filter((p) => p.kind !== "exposed");
    const state = JSON.stringify({ ...facts, drift });
    if (state === JSON.stringify({ alice: 0, aliceInRoster: true, aliceKeyFiles: 2, rekeyed: 0, paymentsKept: true, exposures: 0, drift: [] })) return "old";
    if (state === JSON.stringify({ alice: 3, aliceInRoster: false, aliceKeyFiles: 0, rekeyed: 2, paymentsKept: true, exposures: 4, drift: [] })) return "new";
    return `mixed: ${state}`;
  };

  test("every step killed leaves the old or the new vault; the next command recovers; bob reads every value throughout", () => {
    const outcomes: string[] = [];
    let completedAt: number | undefined;
    for (let at = 1; at <= 60 && completedAt === undefined; at++) {
      reset();
      const run = vault("bob", ["rotate", "--remove", "alice"], { ENVVAULT_CRASH_AT: String(at) });
      if (run.signal === null) {
        expect({ at, status: run.status, stderr: run.stderr }).toEqual({ at, status: 0, stderr: expect.stringContaining("removed alice") });
        expect(classify()).toBe("new");
        completedAt = at;
        break;
      }
      expect({ at, status: run.status, signal: run.signal }).toEqual({ at, status: null, signal: "SIGKILL" });
      // What the crash left is recovered by whatever vault command comes next: a read, or a write.
      const next = at % 2 === 1 ? "read" : "write";
      if (next === "write") {
        const again = vault("bob", ["rotate", "--remove", "alice"]);
        // Rolled forward already (alice is gone: usage error), or old and rotated now.
        expect({ at, status: again.status }).toEqual({ at, status: again.stderr.includes('unknown member "alice"') ? 2 : 0 });
        outcomes.push(`${at} ${again.status === 2 ? "new" : "old"}`);
        expect({ at, state: classify() }).toEqual({ at, state: "new" });
      } else {
        const state = classify();
        expect({ at, state }).toEqual({ at, state: expect.stringMatching(/^(old|new)$/) });
        outcomes.push(`${at} ${state}`);
        // Finish the offboarding if the crash came before the commit point.
        if (state === "old") expect(vault("bob", ["rotate", "--remove", "alice"]).status).toBe(0);
      }
      // After recovery and the finished rotation: exactly the rotation's files, no stray temp file, no journal.
      expect({ at, temps: strayTemps() }).toEqual({ at, temps: [] });
      const status = sb.git(["status", "--porcelain", "--", ".envvault"]).stdout.split("\n").filter(Boolean).sort();
      expect({ at, status }).toEqual({ at, status: ROTATED });
      expect(existsSync(join(sb.repo, ".envvault.local", "journal.json"))).toBe(false);
    }
    expect(completedAt).toBeDefined();
    // Old before the commit point (the journal), new from it on: never back and forth.
    const states = outcomes.map((o) => o.split(" ")[1]);
    const firstNew = states.indexOf("new");
    expect(firstNew).toBeGreaterThan(0);
    expect(states.slice(0, firstNew).every((s) => s === "old")).toBe(true);
    expect(states.slice(firstNew).every((s) => s === "new")).toBe(true);
    // One kill point per file renamed or deleted (10), plus staging, journal, journal removed.
    expect(outcomes.length).toBeGreaterThanOrEqual(ROTATED.length + 2);
    // ci (the other remaining reader) reads development unchanged after all those kills.
    expect(exportJson("ci", "development")).toEqual({ code: 0, values: DEV });
    sb.commitAll("offboard alice", "bob");
    sb.assertNoSecretInGit();
  });

  test("a stale lock and stray temp files left by a kill before the commit point do not stop the next writer", () => {
    reset();
    const run = vault("bob", ["rotate", "--remove", "alice"], { ENVVAULT_CRASH_AT: "1" });
    expect(run.signal).toBe("SIGKILL");
    expect(existsSync(join(sb.repo, ".envvault.local", "lock"))).toBe(true);
    expect(strayTemps().length).toBe(ROTATED.length - 2);
    const value = "crash-after-stale-lock-5e0c";
    sb.secret(value);
    const set = sb.vault("bob", ["set", "NEW_KEY", "--stdin", "--env", "production"], { input: value });
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: "production: +NEW_KEY\n" });
    expect(strayTemps()).toEqual([]);
    expect(existsSync(join(sb.repo, ".envvault.local", "lock"))).toBe(false);
    // The rotation never happened: alice still reads, bob reads the new value too.
    expect(vault("alice", ["get", "API_TOKEN"], {}, [DEV.API_TOKEN]).status).toBe(0);
    expect(sb.vault("bob", ["get", "NEW_KEY", "--env", "production"], { reveals: [value] }).stdout).toBe(value + "\n");
    sb.commitAll("a value after the crash", "bob");
    sb.assertNoSecretInGit();
  });
});
