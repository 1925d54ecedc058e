/**
 * Bad input to the team commands: each is refused with a clear message and the contract's
 * exit code (2, usage), and no byte under .envvault/ changes.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const VALUES = { API_TOKEN: "badteam-api-token-2d7c91", DB_PASSWORD: "badteam-db-password-e04b3a" };

describe("bad input to member, grant, revoke and rotate --remove is refused and changes nothing", () => {
  let sb: Sandbox;
  const recipient: Record<string, string> = {};

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production", "--name", "alice"]).code).toBe(0);
    for (const who of ["bob", "carol"]) {
      const r = sb.vault(who, ["keygen"]);
      expect(r.code).toBe(0);
      recipient[who] = r.stdout.trim();
    }
    for (const who of ["alice", "bob", "carol"]) {
      const identity = readFileSync(join(sb.user(who).home, ".config", "envvault", "identity.txt"), "utf8");
      sb.secret(identity.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!);
    }
    expect(sb.vault("alice", ["member", "add", "bob", ...sb.member("bob").args, "--team", "dev"]).code).toBe(0);
    expect(sb.vault("alice", ["grant", "team:dev", "development"]).code).toBe(0);
    for (const env of ["development", "production"]) {
      expect(sb.vault("alice", ["import", "-", "--env", env], { input: Object.entries(VALUES).map(([k, v]) => `${k}=${v}-${env}\n`).join("") }).code).toBe(0);
      sb.secret(...Object.values(VALUES).map((v) => `${v}-${env}`));
    }
    sb.commitAll("vault");
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  /** Runs `vault args` as `user`, expects exit 2 and an empty stdout, and proves no byte under .envvault/ changed. */
  const refused = (user: string, args: string[]): Run => {
    const before = sb.vaultBytes();
    const r = sb.vault(user, args);
    expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
    expect(sb.vaultBytes()).toBe(before);
    expect(sb.git(["status", "--porcelain", "--", ".envvault"]).stdout).toBe("");
    return r;
  };

  test("an unknown member: member remove, rotate --remove, grant and revoke name it and list the members", () => {
    for (const args of [["member", "remove", "nobody"], ["rotate", "--remove", "nobody"]]) {
      const r = refused("alice", args);
      expect(r.stderr).toBe('vault: error: unknown member "nobody"\nvault: hint: members in .envvault/roster.yaml: alice, bob\n');
    }
    for (const args of [["grant", "nobody", "development"], ["revoke", "nobody", "development"], ["grant", "team:nobody", "production"]]) {
      const r = refused("alice", args);
      expect(r.stderr).toContain('vault: error: no member or team named "nobody"\n');
      expect(r.stderr).toContain("vault: hint: members: alice, bob\n");
      expect(r.stderr).toContain("vault: hint: teams: dev\n");
    }
  });

  test("an unknown member with --json: the error is JSON on stdout, code USAGE, exit 2", () => {
    const before = sb.vaultBytes();
    const r = sb.vault("alice", ["member", "remove", "nobody", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: "USAGE", message: 'unknown member "nobody"', data: { member: "nobody" } } });
    expect(sb.vaultBytes()).toBe(before);
  });

  test("a duplicate member name is refused, even with a new recipient", () => {
    const r = refused("alice", ["member", "add", "bob", "--recipient", recipient.carol!]);
    expect(r.stderr).toContain("vault: error: member bob already exists\n");
    expect(r.stderr).toContain("vault: hint: choose another name");
  });

  test("a duplicate recipient (one an existing member already has) is refused, naming that member", () => {
    const r = refused("alice", ["member", "add", "carol", "--recipient", recipient.bob!]);
    expect(r.stderr).toContain("vault: error: a recipient of carol already belongs to member bob\n");
    const twice = refused("alice", ["member", "add", "carol", "--recipient", recipient.carol!, "--recipient", recipient.bob!]);
    expect(twice.stderr).toContain("already belongs to member bob");
  });

  test("a recipient string that is not an age key is refused, saying what a recipient looks like and where to get one", () => {
    for (const bad of ["age1notakey", "AGE-SECRET-KEY-1QQQQ", recipient.carol!.slice(0, -1) + (recipient.carol!.endsWith("q") ? "p" : "q"), "ssh-ed25519 AAAA"]) {
      const r = refused("alice", ["member", "add", "x", "--recipient", bad]);
      expect(r.stderr).toContain("vault: error: recipient 1 of x is not an age X25519 recipient (age1… of 62 characters)\n");
      expect(r.stderr).toContain("vault: hint: x gets theirs from `vault whoami` or `age-keygen -y identity.txt`\n");
    }
    expect(refused("alice", ["member", "add", "x"]).stderr).toContain("a member needs at least one recipient");
  });

  test("a bad member or team name, an unknown environment or scope is a usage error", () => {
    expect(refused("alice", ["member", "add", "Carol!", "--recipient", recipient.carol!]).stderr).toContain('invalid member name "Carol!"');
    expect(refused("alice", ["grant", "bob", "staging"]).stderr).toContain("unknown environment staging in scope staging");
    expect(refused("alice", ["grant", "bob", "production:nosuch"]).stderr).toContain("environment production has no scope production:nosuch");
    expect(refused("alice", ["revoke", "bob", "production"]).stderr).toContain("bob has no access of its own to production");
  });

  test("a device name Windows reserves is refused as an environment, member, team or scope name, saying why", () => {
    const device = /^vault: error: invalid (environment|member|team) name "(con|nul|lpt1)": it is a device name on Windows\nvault: hint: Windows reserves con, prn, aux, nul, com1-com9 and lpt1-lpt9 as device names/;
    expect(refused("alice", ["env", "add", "con"]).stderr).toMatch(device);
    expect(refused("alice", ["member", "add", "nul", "--recipient", recipient.carol!]).stderr).toMatch(device);
    expect(refused("alice", ["member", "add", "carol", "--recipient", recipient.carol!, "--team", "lpt1"]).stderr).toMatch(device);
    expect(refused("alice", ["scope", "add", "production:aux"]).stderr).toMatch(/^vault: error: invalid scope "production:aux": aux is a device name on Windows$/m);
  });

  test("removing the last member who can read a scope is refused with an explanation and the way out", () => {
    for (const args of [["member", "remove", "alice"], ["rotate", "--remove", "alice"], ["revoke", "alice", "production"]]) {
      const r = refused("alice", args);
      expect(r.stderr).toBe(
        "vault: error: nobody would be able to read scope production any more\n" +
          "vault: hint: grant it to someone who stays first: `vault grant MEMBER production`\n",
      );
    }
    // development is still read by team dev: revoking alice there is allowed, so the refusal is about production only.
  });

  test("after following the hints, the same removal succeeds", () => {
    expect(sb.vault("alice", ["grant", "bob", "production"]).code).toBe(0);
    sb.commitAll("grant bob production");
    // alice is the only admin too: someone must stay who can change the roster.
    const last = refused("alice", ["member", "remove", "alice"]);
    expect(last.stderr).toBe("vault: error: alice is the last admin: add another admin first (`vault admin add NAME`)\n");
    expect(sb.vault("alice", ["admin", "add", "bob"]).code).toBe(0);
    const r = sb.vault("bob", ["member", "remove", "alice"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("removed alice; new keys for development, production") });
    expect(sb.vault("alice", ["get", "API_TOKEN"]).code).toBe(3);
    const bob = sb.vault("bob", ["get", "API_TOKEN", "--env", "production"], { reveals: [`${VALUES.API_TOKEN}-production`] });
    expect({ code: bob.code, stdout: bob.stdout }).toEqual({ code: 0, stdout: `${VALUES.API_TOKEN}-production\n` });
    sb.commitAll("offboard alice", "bob");
    sb.assertNoSecretInGit();
  });
});

describe("vault init refuses a device name Windows reserves", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
  });

  afterAll(() => sb?.cleanup());

  test.each([
    [["--env", "development,com1"], 'invalid environment name "com1"'],
    [["--name", "prn"], 'invalid member name "prn"'],
  ])("vault init %j is exit 2 and creates nothing", (args, message) => {
    const r = sb.vault("alice", ["init", "--yes", ...args]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
    expect(r.stderr).toContain(`vault: error: ${message}: it is a device name on Windows\n`);
    expect(sb.exists(".envvault")).toBe(false);
  });
});
