/**
 * A legitimate history verifies clean (docs/SECURITY.md, "Trusted writes"): members with
 * different roles, a write-only CI job, rotations, offboarding, members and admins added and
 * removed, several writes between commits, a revert an admin signs, removals and re-adds, and
 * a branch merged with the envvault driver. No false alarm at any step, and each role refused
 * exactly what it may not do.
 */
import dotenv from "dotenv";
import { requireBuild, Sandbox } from "./harness.js";

describe("a team's history with roles, rotations and merges verifies clean", () => {
  let sb: Sandbox;
  let root: string;
  const keys = new Map<string, { recipient: string; signingKey: string }>();

  const ok = (user: string, args: string[], input?: string, reveals?: string[]) => {
    const r = sb.vault(user, args, { ...(input === undefined ? {} : { input }), ...(reveals === undefined ? {} : { reveals }) });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const verifyClean = (what: string) => {
    const r = sb.vault("alice", ["verify"]);
    if (r.code !== 0) throw new Error(`after ${what}: vault verify failed\n${r.stdout}${r.stderr}`);
    const ci = sb.vault("ci-checker", ["verify", "HEAD"], { env: { ENVVAULT_TRUST_ROOT: root } });
    if (ci.code !== 0) throw new Error(`after ${what}: CI's verify failed\n${ci.stdout}${ci.stderr}`);
  };
  const join = (name: string, extra: string[] = []) => {
    ok(name, ["keygen"]);
    const who = JSON.parse(sb.vault(name, ["whoami", "--json"]).stdout) as { recipients: string[]; signingKeys: string[] };
    keys.set(name, { recipient: who.recipients[0]!, signingKey: who.signingKeys[0]! });
    ok("alice", ["member", "add", name, "--recipient", who.recipients[0]!, "--signing-key", who.signingKeys[0]!, ...extra]);
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret("dev-db-one", "dev-db-two", "prod-db-one", "ci-token-one", "ci-token-two", "bad-value-1", "feature-value", "main-value", "prod-db-rotated");
    ok("alice", ["init", "--yes", "--env", "development", "--env", "production"]);
    ok("alice", ["set", "DB", "--stdin"], "dev-db-one");
    ok("alice", ["set", "DB", "--stdin", "--env", "production"], "prod-db-one");
    sb.commitAll("vault", "alice");
    root = ok("alice", ["verify"]).stdout.trim();
  });

  afterAll(() => sb?.cleanup());

  test("a developer who reads and writes development, and a CI job that only writes production", () => {
    join("bob");
    ok("alice", ["grant", "bob", "development"]);
    join("ci", ["--kind", "machine"]);
    ok("alice", ["grant", "ci", "production", "--write-only"]);
    sb.commitAll("team", "alice");
    ok("bob", ["set", "DB", "--stdin"], "dev-db-two");
    ok("ci", ["set", "TOKEN", "--stdin", "--env", "production"], "ci-token-one");
    sb.commitAll("bob and ci write", "bob");
    expect(ok("alice", ["get", "TOKEN", "--env", "production"], undefined, ["ci-token-one"]).stdout).toBe("ci-token-one\n");
    expect(sb.vault("ci", ["get", "TOKEN", "--env", "production"]).code).toBe(3);
    verifyClean("bob's and ci's writes");
  });

  test("each role is refused what it may not do, and nothing is written", () => {
    const before = sb.vaultBytes();
    const grant = sb.vault("bob", ["grant", "ci", "development"]);
    expect(grant.code).toBe(3);
    expect(grant.stderr).toContain("only an admin may");
    expect(sb.vault("bob", ["set", "DB", "--stdin", "--env", "production"], { input: "bad-value-1" }).code).toBe(3);
    expect(sb.vault("ci", ["admin", "add", "ci"]).code).toBe(3);
    expect(sb.vaultBytes()).toBe(before);
  });

  test("several writes between two commits, a rotation of a scope and a revoked right to write", () => {
    ok("alice", ["set", "NEW", "--stdin"], "main-value");
    ok("alice", ["rotate", "--scope", "production"]);
    ok("alice", ["rotate", "DB", "--env", "production", "--stdin"], "prod-db-rotated");
    ok("alice", ["remove", "NEW"]);
    ok("alice", ["revoke", "ci", "production", "--write"]);
    sb.commitAll("rotations", "alice");
    expect(sb.vault("ci", ["set", "TOKEN", "--stdin", "--env", "production"], { input: "ci-token-two" }).code).toBe(3);
    expect(ok("alice", ["get", "TOKEN", "--env", "production"], undefined, ["ci-token-one"]).stdout).toBe("ci-token-one\n");
    verifyClean("rotations and a revoked write");
  });

  test("a value removed and set again, and a change an admin reverts and signs", () => {
    ok("alice", ["set", "GONE", "--stdin"], "feature-value");
    sb.commitAll("gone", "alice");
    ok("alice", ["remove", "GONE"]);
    sb.commitAll("removed", "alice");
    ok("alice", ["set", "GONE", "--stdin"], "feature-value");
    sb.commitAll("back", "alice");
    verifyClean("remove and re-add");
    ok("bob", ["set", "DB", "--stdin"], "bad-value-1");
    sb.commitAll("a mistake", "bob");
    sb.git(["revert", "--no-commit", "HEAD"], { user: "alice" });
    ok("alice", ["sign"]);
    sb.commitAll("revert the mistake", "alice");
    expect(ok("alice", ["get", "DB"], undefined, ["dev-db-two"]).stdout).toBe("dev-db-two\n");
    verifyClean("an admin's signed revert");
  });

  test("vault sign refuses a hand-edited vault.yaml that a vault command would not read, and signs nothing", () => {
    const config = sb.read(".envvault/vault.yaml");
    const chain = sb.read(".envvault/chain");
    for (const [edit, what] of [
      [config + "no_such_setting: true\n", /vault\.yaml:\d+: \/no_such_setting is not a known setting/],
      [config.replace(/^  - path: \.env$/m, "  - path: ../outside.env"), /vault\.yaml: targets\[0\]\.path names the target "\.\.\/outside\.env", which envvault refuses/],
    ] as const) {
      sb.write(".envvault/vault.yaml", edit);
      const r = sb.vault("alice", ["sign"]);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(what);
      expect(sb.read(".envvault/chain")).toBe(chain);
    }
    sb.write(".envvault/vault.yaml", config);
    verifyClean("a refused sign");
  });

  test("admins and members come and go; the one who leaves is rotated away", () => {
    join("carol");
    ok("alice", ["admin", "add", "carol"]);
    sb.commitAll("carol", "alice");
    ok("carol", ["grant", "ci", "development", "--write-only"]);
    ok("alice", ["grant", "carol", "development"]);
    ok("alice", ["admin", "remove", "carol"]);
    sb.commitAll("carol reads development", "alice");
    expect(sb.vault("carol", ["admin", "add", "carol"]).code).toBe(3);
    ok("alice", ["rotate", "--remove", "bob"]);
    sb.commitAll("bob leaves", "alice");
    expect(sb.vault("bob", ["get", "DB"]).code).toBe(3);
    expect(ok("carol", ["get", "DB"], undefined, ["dev-db-two"]).stdout).toBe("dev-db-two\n");
    verifyClean("offboarding");
  });

  test("a branch merged with the envvault driver", () => {
    ok("alice", ["hooks", "install"]);
    sb.git(["checkout", "-q", "-b", "feature"], { user: "alice" });
    ok("carol", ["set", "FEATURE", "--stdin"], "feature-value");
    sb.commitAll("feature", "carol");
    sb.git(["checkout", "-q", "main"], { user: "alice" });
    ok("alice", ["set", "MAIN_ONLY", "--stdin", "--env", "production"], "main-value");
    sb.commitAll("main", "alice");
    sb.git(["merge", "-q", "--no-edit", "feature"], { user: "alice" });
    verifyClean("a merge");
    ok("alice", ["unlock"]);
    expect(dotenv.parse(sb.bytes(".env")).FEATURE).toBe("feature-value");
    sb.assertNoSecretInGit();
  });
});

describe("a vault of an earlier envvault is adopted by one command", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret("old-vault-secret");
    expect(sb.vault("alice", ["init", "--yes", "--env", "production"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "OLD", "--stdin", "--env", "production"], { input: "old-vault-secret" }).code).toBe(0);
    // What an earlier envvault wrote: version 1 lines, no records, no chain, no roles.
    const env = sb.read(".envvault/envs/production.env");
    sb.write(
      ".envvault/envs/production.env",
      env
        .split("\n")
        .filter((l) => !l.startsWith("#@sig ") && !l.startsWith("#@removed "))
        .map((l) => l.replace(/^# envvault 2 /, "# envvault 1 ").replace(/^(#@scope \S+ \S+) \S+$/, "$1").replace(/^(#@batch \S+ \S+) \S+ /, "$1 ").replace(/^([A-Z_]+)=ev2:([0-9a-f]{12}):(\d+):[^:]+:/, "$1=ev1:$2:$3:"))
        .join("\n"),
    );
    sb.remove(".envvault/chain");
    sb.write(".envvault/roster.yaml", sb.read(".envvault/roster.yaml").replace(/^admins: .*\n/m, "").replace(/    signing_keys:\n      - .*\n/, ""));
    sb.commitAll("a version 1 vault", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("readers refuse it with the way out; --adopt signs it and everything reads and verifies", () => {
    const refused = sb.vault("alice", ["get", "OLD", "--env", "production"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("vault verify --adopt");
    const adopt = sb.vault("alice", ["verify", "--adopt"]);
    expect(adopt.code).toBe(0);
    expect(adopt.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(sb.read(".envvault/envs/production.env")).toMatch(/^# envvault 2 production\n/);
    expect(sb.read(".envvault/roster.yaml")).toMatch(/^admins: \[ ?alice ?\]$/m);
    sb.commitAll("adopt", "alice");
    const got = sb.vault("alice", ["get", "OLD", "--env", "production"], { reveals: ["old-vault-secret"] });
    expect(got.stderr).toBe("");
    expect(got.stdout).toBe("old-vault-secret\n");
    const verify = sb.vault("alice", ["verify"]);
    expect(verify.code).toBe(0);
    const ci = sb.vault("ci-checker", ["verify", "HEAD"], { env: { ENVVAULT_TRUST_ROOT: adopt.stdout.trim() } });
    expect(ci.code).toBe(0);
    expect(ci.stderr).toContain("1 from before the vault was signed");
    expect(sb.vault("alice", ["verify", "--adopt"]).code).toBe(2);
    sb.assertNoSecretInGit();
  });
});
