/**
 * Policies: `rotate_every` from each value's change time kept in the vault (the clock is
 * ENVVAULT_NOW), and burned variables: marked by `list`, dropped from targets by the next
 * `unlock`, not injected by `run`, reported by `check` while still in a target.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { parseDocument } from "yaml";
import { requireBuild, type Run, Sandbox } from "./harness.js";

/** 2025-01-01T00:00:00Z: every value of the first write is stamped with it. */
const T0 = 1_735_689_600;
const DAY = 86_400;

const VALUES = { API_TOKEN: "policy-api-token-4e1b7a", DB_PASSWORD: "policy-db-password-93c0d2" };

type Problem = { kind: string; env?: string; key?: string; changed?: number; every?: string; target?: string };

function problemsOf(r: Run): Problem[] {
  try {
    return (JSON.parse(r.stdout) as { problems: Problem[] }).problems;
  } catch {
    throw new Error(`vault check --json printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
}

/** Sets one entry of .envvault/vault.yaml, keeping the rest of the file as it is, and signs it as alice, the admin. */
function editYaml(sb: Sandbox, path: string[], value: string): void {
  const doc = parseDocument(sb.read(".envvault/vault.yaml"));
  doc.setIn(path, value);
  sb.writeSigned(".envvault/vault.yaml", String(doc));
}

describe("rotate_every: vault check reports values older than their policy", () => {
  let sb: Sandbox;

  const check = (now: number) => {
    const r = sb.vault("alice", ["check", "--json"], { env: { ENVVAULT_NOW: String(now) } });
    return { code: r.code, overdue: problemsOf(r).filter((p) => p.kind === "overdue").map((p) => `${p.key} ${p.every}`) };
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(VALUES));
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    const at = { env: { ENVVAULT_NOW: "2025-01-01T00:00:00Z" } };
    expect(sb.vault("alice", ["import", "-"], { ...at, input: Object.entries(VALUES).map(([k, v]) => `${k}=${v}\n`).join("") }).code).toBe(0);
    expect(sb.vault("alice", ["set", "LOG_LEVEL=info", "--kind", "config"], at).code).toBe(0);
    // A policy on one variable, written into vault.yaml by hand as a team would.
    editYaml(sb, ["variables", "API_TOKEN", "rotate_every"], "30d");
    sb.commitAll("vault with a rotation policy");
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("a value is not overdue before its policy runs out, and is overdue (exit 5) one second after", () => {
    expect(check(T0 + 20 * DAY)).toEqual({ code: 0, overdue: [] });
    expect(check(T0 + 30 * DAY)).toEqual({ code: 0, overdue: [] });
    expect(check(T0 + 30 * DAY + 1)).toEqual({ code: 5, overdue: ["API_TOKEN 30d"] });
  });

  test("the report names the key, its last change and the policy, as text and as --json", () => {
    const now = { ENVVAULT_NOW: "2025-02-15T00:00:00Z" };
    const text = sb.vault("alice", ["check"], { env: now });
    expect(text.code).toBe(5);
    expect(text.stdout).toBe(
      "overdue: development: API_TOKEN was last changed 2025-01-01, longer ago than its policy (30d); `vault rotate API_TOKEN --env development`\n",
    );
    const r = sb.vault("alice", ["check", "--json"], { env: now });
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, problems: [{ kind: "overdue", env: "development", key: "API_TOKEN", changed: T0, every: "30d" }] });
  });

  test("a new value with vault rotate KEY restarts the clock", () => {
    const fresh = "policy-api-token-rotated-d61f";
    sb.secret(fresh);
    const r = sb.vault("alice", ["rotate", "API_TOKEN", "--stdin"], { input: fresh, env: { ENVVAULT_NOW: String(T0 + 45 * DAY) } });
    expect(r.code).toBe(0);
    expect(check(T0 + 50 * DAY)).toEqual({ code: 0, overdue: [] });
    expect(check(T0 + 75 * DAY + 1)).toEqual({ code: 5, overdue: ["API_TOKEN 30d"] });
    sb.commitAll("rotated API_TOKEN");
    sb.assertNoSecretInGit();
  });

  test("an environment's rotate_every covers its variables; a variable's own policy wins", () => {
    editYaml(sb, ["environments", "development", "rotate_every"], "13w");
    // 13 weeks = 91 days after T0: DB_PASSWORD (environment policy) is not due yet, then is.
    expect(check(T0 + 91 * DAY)).toMatchObject({ overdue: ["API_TOKEN 30d"] });
    expect(check(T0 + 91 * DAY + 1)).toMatchObject({ code: 5, overdue: expect.arrayContaining(["API_TOKEN 30d", "DB_PASSWORD 13w"]) });
    sb.commitAll("environment policy");
    sb.assertNoSecretInGit();
  });
});

describe("vault burn KEY --reason", () => {
  let sb: Sandbox;
  const OLD = "burn-old-token-0c58e1";
  const NEW = "burn-new-token-b7a294";

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(OLD, NEW);
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["import", "-"], { input: `OLD_TOKEN=${OLD}\nNEW_TOKEN=${NEW}\n` }).code).toBe(0);
    sb.commitAll("vault");
    // Unlocked before the burn: .env holds the value that is about to be burned.
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(sb.read(".env")).toBe(`NEW_TOKEN=${NEW}\nOLD_TOKEN=${OLD}\n`);
    const burn = sb.vault("alice", ["burn", "OLD_TOKEN", "--reason", "pasted in a public issue"], { env: { ENVVAULT_NOW: "2025-03-01T12:00:00Z" } });
    expect({ code: burn.code, stderr: burn.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("burned OLD_TOKEN") });
    sb.commitAll("burn OLD_TOKEN");
    sb.assertNoSecretInGit();
  });

  afterAll(() => sb?.cleanup());

  test("vault.yaml records the reason and time; list marks the variable burned and still lists it", () => {
    expect(sb.read(".envvault/vault.yaml")).toContain("  OLD_TOKEN:\n    burned: { reason: pasted in a public issue, at: 2025-03-01T12:00:00Z }\n");
    const list = sb.vault("alice", ["list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^OLD_TOKEN\s+secret \(burned\)\s+development\s/m);
    expect(list.stdout).toMatch(/^NEW_TOKEN\s+secret\s+development\s/m);
  });

  test("check reports the burned key still present in .env (exit 5) before the next unlock", () => {
    const r = sb.vault("alice", ["check", "--json"]);
    expect(r.code).toBe(5);
    expect(problemsOf(r)).toEqual([{ kind: "burned", key: "OLD_TOKEN", target: ".env" }]);
    const text = sb.vault("alice", ["check"]);
    expect(text.stdout).toContain("burned: .env: OLD_TOKEN is burned but still in the file");
  });

  test("run does not inject the burned variable, and warns", () => {
    const probe = `process.exit(process.env.OLD_TOKEN === undefined && process.env.NEW_TOKEN === ${JSON.stringify(NEW)} ? 0 : 9)`;
    const r = sb.vault("alice", ["run", "--", process.execPath, "-e", probe]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: not injecting burned OLD_TOKEN");
  });

  test("the next unlock removes it from .env and keeps the rest; check has nothing left to report", () => {
    const r = sb.vault("alice", ["unlock"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("-OLD_TOKEN") });
    expect(sb.read(".env")).toBe(`NEW_TOKEN=${NEW}\n`);
    const check = sb.vault("alice", ["check", "--json"]);
    expect({ code: check.code, problems: problemsOf(check) }).toEqual({ code: 0, problems: [] });
  });

  test("burning an unknown or an already burned variable is a usage error that changes nothing", () => {
    for (const [args, message] of [
      [["burn", "NO_SUCH_KEY"], "no environment has a variable NO_SUCH_KEY"],
      [["burn", "OLD_TOKEN"], "OLD_TOKEN is already burned"],
    ] as const) {
      const before = sb.vaultBytes();
      const r = sb.vault("alice", [...args]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
      expect(r.stderr).toContain(message);
      expect(sb.vaultBytes()).toBe(before);
    }
  });
});
