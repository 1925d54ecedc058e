/**
 * The attacks of docs/SECURITY.md, "Trusted writes", played by mallory: she can push any
 * commit and rewrite any file under .envvault/, and holds an identity of her own, none of the
 * team's. Each attack is a branch alice checks out with the hooks on, and a pull-request range
 * CI verifies with the pinned trust root. Each must be refused with an error naming the
 * commit, file and key; nothing of mallory's may reach alice's .env, and nothing alice writes
 * afterwards may be sealed for mallory.
 */
import { join } from "node:path";
import dotenv from "dotenv";
import { ROOT, requireBuild, Sandbox } from "./harness.js";

const FORGE = join(ROOT, "test/e2e/tools/forge.mjs");
const SECRETS = { DB_PASS: "alice-db-pass-1", API_KEY: "alice-api-key-1" };
const EVIL = "postgres://mallory.example/steal";

describe("an attacker with push access cannot make a member use or seal anything of hers", () => {
  let sb: Sandbox;
  let root: string;
  let base: string;
  let mallory: { recipient: string; signingKey: string };

  const vaultOk = (user: string, args: string[], input?: string) => {
    const r = sb.vault(user, args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
    return r;
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(SECRETS), EVIL, "rolled-back-old", "rotated-new-value");
    vaultOk("alice", ["init", "--yes", "--env", "production"]);
    vaultOk("alice", ["set", "DB_PASS", "--stdin"], "rolled-back-old");
    sb.commitAll("first value", "alice");
    vaultOk("alice", ["set", "DB_PASS", "--stdin"], SECRETS.DB_PASS);
    vaultOk("alice", ["set", "API_KEY", "--stdin"], SECRETS.API_KEY);
    sb.commitAll("values", "alice");
    const verified = vaultOk("alice", ["verify"]);
    root = verified.stdout.trim();
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    base = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    vaultOk("mallory", ["keygen"]);
    const who = JSON.parse(sb.vault("mallory", ["whoami", "--json"]).stdout) as { recipients: string[]; signingKeys: string[] };
    mallory = { recipient: who.recipients[0]!, signingKey: who.signingKeys[0]! };
  });

  afterAll(() => sb?.cleanup());

  /** Mallory's commit on a branch of its own from main, made by `attack` in the work tree. */
  function branch(name: string, attack: () => void): string {
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-B", name, base], { user: "mallory" });
    attack();
    sb.git(["add", "-A", "."], { user: "mallory" });
    if (sb.exists(".envvault.local/planted.json")) sb.git(["add", "-f", ".envvault.local/planted.json"], { user: "mallory" });
    sb.git(["-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", `mallory: ${name}`], { user: "mallory" });
    const sha = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-f", "main"], { user: "alice" });
    return sha;
  }

  const forge = (...args: string[]) => {
    const r = sb.exec("mallory", process.execPath, [FORGE, ...args]);
    if (r.code !== 0) throw new Error(`forge ${args.join(" ")}: ${r.stderr}`);
  };

  /**
   * Alice checks the branch out (hooks on): the auto-unlock refuses, .env keeps main's values,
   * every reader exits 4 naming the commit, file and key, a write is refused too, and CI's
   * range check with the pinned root fails.
   */
  function refused(name: string, sha: string, expected: { file: string; key?: string; what: RegExp }) {
    const before = sb.read(".env");
    const co = sb.gitTry(["checkout", "-q", name], { user: "alice" });
    expect(co.code).toBe(0);
    expect(co.stderr).toContain("not verified");
    expect(sb.read(".env")).toBe(before);
    expect(sb.read(".env")).not.toContain(EVIL);
    for (const args of [["get", "DB_PASS"], ["export"], ["unlock"], ["run", "--", process.execPath, "-e", "0"]]) {
      const r = sb.vault("alice", args);
      expect(r.code).toBe(4);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(expected.file);
      if (expected.key !== undefined) expect(r.stderr).toContain(expected.key);
      expect(r.stderr).toMatch(expected.what);
    }
    const vaultBefore = sb.vaultBytes();
    const write = sb.vault("alice", ["set", "NEW_SECRET", "--stdin"], { input: "rotated-new-value" });
    expect(write.code).toBe(4);
    expect(sb.vaultBytes()).toBe(vaultBefore);
    const ci = sb.vault("ci", ["verify", `${base}..${sha}`], { env: { ENVVAULT_TRUST_ROOT: root } });
    expect(ci.code).toBe(4);
    expect(ci.stdout).toContain(sha.slice(0, 12));
    expect(ci.stdout).toContain(expected.file);
    expect(ci.stdout).toMatch(expected.what);
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-f", "main"], { user: "alice" });
    sb.assertNoSecretInGit();
  }

  test("a replaced production value, signed by nobody", () => {
    const sha = branch("replace-value", () => forge("value", "production", "DB_PASS", EVIL));
    refused("replace-value", sha, { file: ".envvault/envs/production.env", key: "DB_PASS", what: /signed by nobody/ });
  });

  test("a replaced value whose record claims alice's signature", () => {
    const sha = branch("claim-alice", () => forge("value", "production", "DB_PASS", EVIL, "alice"));
    refused("claim-alice", sha, { file: ".envvault/envs/production.env", key: "DB_PASS", what: /claims a signature of alice that does not verify/ });
  });

  test("a value moved to another key", () => {
    const sha = branch("move-value", () => {
      const text = sb.read(".envvault/envs/production.env");
      const api = /^API_KEY=(.*)$/m.exec(text)![1]!;
      sb.write(".envvault/envs/production.env", text.replace(/^DB_PASS=.*$/m, `DB_PASS=${api}`));
    });
    refused("move-value", sha, { file: ".envvault/envs/production.env", key: "DB_PASS", what: /signed by nobody/ });
  });

  test("a swapped scope key pair wrapped to alice's real recipient", () => {
    const alice = JSON.parse(sb.vault("alice", ["whoami", "--json"]).stdout) as { recipients: string[] };
    const sha = branch("swap-scope", () => forge("scope", "production", "alice", alice.recipients[0]!));
    refused("swap-scope", sha, { file: ".envvault/envs/production.env", key: "scope production", what: /signed by nobody/ });
  });

  test("her recipient added under alice in roster.yaml", () => {
    const sha = branch("roster-recipient", () => {
      const text = sb.read(".envvault/roster.yaml");
      sb.write(".envvault/roster.yaml", text.replace(/(    recipients:\n)/, `$1      - ${mallory.recipient}\n`));
    });
    refused("roster-recipient", sha, { file: ".envvault/roster.yaml", what: /changed without an admin's signature/ });
  });

  test("herself made admin with a chain link she signed", () => {
    const sha = branch("self-admin", () => {
      const text = sb.read(".envvault/roster.yaml");
      sb.write(".envvault/roster.yaml", text.replace(/^admins: .*$/m, "admins: [alice, mallory]").replace(/^members:\n/m, `members:\n  mallory:\n    recipients:\n      - ${mallory.recipient}\n    signing_keys:\n      - ${mallory.signingKey}\n`));
      forge("link");
    });
    refused("self-admin", sha, { file: ".envvault/chain", what: /signed by mallory, who is not an admin/ });
  });

  test("vault.yaml steering values to another target", () => {
    const sha = branch("steer-target", () => sb.write(".envvault/vault.yaml", sb.read(".envvault/vault.yaml").replace("path: .env", "path: leak.env")));
    refused("steer-target", sha, { file: ".envvault/vault.yaml", what: /changed without an admin's signature/ });
    expect(sb.exists("leak.env")).toBe(false);
  });

  test("a deleted secret line", () => {
    const sha = branch("delete-line", () => sb.write(".envvault/envs/production.env", sb.read(".envvault/envs/production.env").replace(/^API_KEY=.*\n/m, "")));
    refused("delete-line", sha, { file: ".envvault/envs/production.env", key: "API_KEY", what: /deleted without a signed removal/ });
  });

  test("a rotated secret's old line put back (rollback)", () => {
    const old = sb.git(["show", `${base}~1:.envvault/envs/production.env`]).stdout;
    const sha = branch("rollback", () => {
      const now = sb.read(".envvault/envs/production.env");
      const oldLine = /^DB_PASS=.*$/m.exec(old)![0];
      const oldBatch = /^#@batch .*$/m.exec(old)![0];
      const oldSigs = old.split("\n").filter((l) => l.startsWith("#@sig "));
      let text = now.replace(/^DB_PASS=.*$/m, oldLine);
      if (!text.includes(oldBatch)) text = text.replace(/^(#@batch .*\n)/m, `${oldBatch}\n$1`);
      for (const sig of oldSigs) if (!text.includes(sig)) text = text.replace(/^(#@sig .*\n)/m, `${sig}\n$1`);
      sb.write(".envvault/envs/production.env", text);
    });
    refused("rollback", sha, { file: ".envvault/envs/production.env", key: "DB_PASS", what: /rollback|older version/ });
  });

  test("a commit that plants .envvault.local/ (a trust cache) in teammates' clones", () => {
    const sha = branch("plant-local", () => sb.write(".envvault.local/planted.json", '{"version":1}\n'));
    const ci = sb.vault("ci", ["verify", `${base}..${sha}`], { env: { ENVVAULT_TRUST_ROOT: root } });
    expect(ci.code).toBe(4);
    expect(ci.stdout).toContain(".envvault.local");
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-f", "main"], { user: "alice" });
  });

  test("the whole .envvault/ replaced by her own vault that lists alice as a reader", () => {
    const alice = JSON.parse(sb.vault("alice", ["whoami", "--json"]).stdout) as { recipients: string[]; signingKeys: string[] };
    const sha = branch("replace-vault", () => {
      const own = join(sb.base, "mallory-vault");
      sb.exec("mallory", "sh", ["-c", `rm -rf ${own} && mkdir ${own} && cd ${own} && git init -q`]);
      const inOwn = (args: string[], input?: string) => {
        const r = sb.vault("mallory", args, { cwd: own, ...(input === undefined ? {} : { input }) });
        if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
      };
      inOwn(["init", "--yes", "--no-hooks", "--env", "production", "--name", "mallory"]);
      inOwn(["member", "add", "alice", "--recipient", alice.recipients[0]!, "--signing-key", alice.signingKeys[0]!]);
      inOwn(["grant", "alice", "production"]);
      inOwn(["set", "DB_PASS", "--stdin"], EVIL);
      sb.exec("mallory", "sh", ["-c", `rm -rf .envvault && cp -r ${own}/.envvault .envvault`]);
    });
    refused("replace-vault", sha, { file: ".envvault/chain", what: /trust root is [0-9a-f]{64}, not the pinned/ });
    // A fresh clone with the pin refuses it too, before using anything.
    const fresh = sb.vault("ci", ["verify", sha], { env: { ENVVAULT_TRUST_ROOT: root } });
    expect(fresh.code).toBe(4);
  });

  test("an older roster and chain replayed (a removed member back), each signed in its day", () => {
    // main: bob joins, then leaves; mallory's commit puts back the roster and chain of the day bob was in.
    vaultOk("bob", ["keygen"]);
    const bob = JSON.parse(sb.vault("bob", ["whoami", "--json"]).stdout) as { recipients: string[]; signingKeys: string[] };
    vaultOk("alice", ["member", "add", "bob", "--recipient", bob.recipients[0]!, "--signing-key", bob.signingKeys[0]!]);
    sb.commitAll("bob joins", "alice");
    const withBob = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    vaultOk("alice", ["member", "remove", "bob"]);
    sb.commitAll("bob leaves", "alice");
    const top = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-B", "replay", top], { user: "mallory" });
    for (const f of [".envvault/roster.yaml", ".envvault/chain"]) sb.write(f, sb.git(["show", `${withBob}:${f}`]).stdout);
    sb.git(["add", "-A", "."], { user: "mallory" });
    sb.git(["-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "mallory: replay"], { user: "mallory" });
    const sha = sb.git(["rev-parse", "HEAD"]).stdout.trim();
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-f", "main"], { user: "alice" });
    const co = sb.gitTry(["checkout", "-q", "replay"], { user: "alice" });
    expect(co.stderr).toContain("not verified");
    const r = sb.vault("alice", ["get", "DB_PASS"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(".envvault/chain");
    expect(r.stderr).toMatch(/drops roster version/);
    expect(sb.vault("alice", ["grant", "bob", "production"]).code).toBe(4);
    const ci = sb.vault("ci", ["verify", `${top}..${sha}`], { env: { ENVVAULT_TRUST_ROOT: root } });
    expect(ci.code).toBe(4);
    expect(ci.stdout).toContain(sha.slice(0, 12));
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-f", "main"], { user: "alice" });
    base = top;
  });

  test("--allow-unverified reads anyway for recovery, and says so", () => {
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "replace-value"], { user: "alice" });
    const r = sb.vault("alice", ["get", "API_KEY", "--allow-unverified"], { reveals: [SECRETS.API_KEY] });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${SECRETS.API_KEY}\n`);
    expect(r.stderr).toContain("reading an unverified vault (--allow-unverified)");
    sb.git(["-c", "core.hooksPath=/dev/null", "checkout", "-q", "-f", "main"], { user: "alice" });
  });

  test("main itself verifies clean, for alice and for CI with the pin", () => {
    expect(sb.vault("alice", ["verify"]).code).toBe(0);
    const ci = sb.vault("ci", ["verify", "main"], { env: { ENVVAULT_TRUST_ROOT: root } });
    expect(ci.code).toBe(0);
    expect(ci.stdout.trim()).toBe(root);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual(SECRETS);
  });
});
