/**
 * Read access is cryptographic, identities interoperate with the reference age CLI, and
 * any tampering is an integrity failure (exit 4) before anything is written or started.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, Sandbox } from "./harness.js";

const SKIP_AGE_CLI = process.env.ENVVAULT_SKIP_AGE_CLI === "1";

/** These tests fail, not skip, without the reference CLI, unless ENVVAULT_SKIP_AGE_CLI=1. */
function requireAgeCli(): void {
  if (spawnSync("sh", ["-c", "command -v age && command -v age-keygen"]).status !== 0) {
    throw new Error("the reference age CLI (age, age-keygen) is not installed: `apt-get install -y age`, or set ENVVAULT_SKIP_AGE_CLI=1 to skip these tests");
  }
}

/** The AGE-SECRET-KEY-1 line of an identity file. */
function secretKeyOf(text: string): string {
  const key = text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  if (key === undefined) throw new Error("no AGE-SECRET-KEY-1 line in identity file");
  return key.trim();
}

/** The recipient in an environment file's `#@scope <env> <recipient> <prev>` line. */
function scopeRecipient(sb: Sandbox, env: string): string {
  const m = new RegExp(`^#@scope ${env} (age1[0-9a-z]+) \\S+$`, "m").exec(sb.read(`.envvault/envs/${env}.env`));
  if (m === null) throw new Error(`no #@scope line for ${env}`);
  return m[1]!;
}

(SKIP_AGE_CLI ? describe.skip : describe)("identities and key files interoperate with the reference age CLI", () => {
  let sb: Sandbox;
  let identityFile: string;
  const VALUE = "age-interop-value-7d3f1a";

  beforeAll(() => {
    requireAgeCli();
    requireBuild();
    sb = new Sandbox();
    sb.secret(VALUE);
    // kim's identity comes from age-keygen, at the default place.
    const kim = sb.user("kim");
    identityFile = join(kim.home, ".config", "envvault", "identity.txt");
    mkdirSync(join(kim.home, ".config", "envvault"), { recursive: true, mode: 0o700 });
    expect(sb.exec("kim", "age-keygen", ["-o", identityFile]).code).toBe(0);
    sb.secret(secretKeyOf(readFileSync(identityFile, "utf8")));
    expect(sb.vault("kim", ["init", "--yes", "--env", "development,production"]).code).toBe(0);
    expect(sb.vault("kim", ["set", "API_KEY", "--stdin"], { input: VALUE }).code).toBe(0);
    sb.commitAll("vault");
  });

  afterAll(() => sb?.cleanup());

  test("an age-keygen identity at ~/.config/envvault/identity.txt reads values", () => {
    const r = sb.vault("kim", ["get", "API_KEY"], { reveals: [VALUE] });
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 0, stdout: VALUE + "\n" });
  });

  // "ci" has no identity of its own: each lookup below is the only place it can come from.
  test("an age-keygen identity works with --identity FILE", () => {
    const r = sb.vault("ci", ["get", "API_KEY", "--identity", identityFile], { reveals: [VALUE] });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: VALUE + "\n", stderr: "" });
  });

  test("an age-keygen identity works with ENVVAULT_IDENTITY_FILE", () => {
    const r = sb.vault("ci", ["get", "API_KEY"], { env: { ENVVAULT_IDENTITY_FILE: identityFile }, reveals: [VALUE] });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: VALUE + "\n", stderr: "" });
  });

  test("an age-keygen identity works with ENVVAULT_IDENTITY (the key text itself)", () => {
    const key = secretKeyOf(readFileSync(identityFile, "utf8"));
    const r = sb.vault("ci", ["get", "API_KEY"], { env: { ENVVAULT_IDENTITY: key }, reveals: [VALUE] });
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: VALUE + "\n", stderr: "" });
  });

  test("run does not pass ENVVAULT_IDENTITY on to the child", () => {
    const key = secretKeyOf(readFileSync(identityFile, "utf8"));
    const r = sb.vault("ci", ["run", "--", process.execPath, "-e", "process.exit(process.env.ENVVAULT_IDENTITY === undefined && process.env.API_KEY !== undefined ? 0 : 9)"], {
      env: { ENVVAULT_IDENTITY: key },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  });

  test("age -d -i <identity> opens the key file of every environment the member can read, giving that scope's identity", () => {
    for (const env of ["development", "production"]) {
      const r = sb.exec("kim", "age", ["-d", "-i", identityFile, `.envvault/keys/${env}/kim.age`]);
      expect({ env, code: r.code, stderr: r.stderr }).toEqual({ env, code: 0, stderr: "" });
      expect(r.stdout).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/m);
      const pub = sb.exec("kim", "age-keygen", ["-y"], { input: r.stdout });
      expect({ env, code: pub.code, recipient: pub.stdout.trim() }).toEqual({ env, code: 0, recipient: scopeRecipient(sb, env) });
    }
  });

  test("a #@batch line is a binary age file that the scope identity opens with age -d to a 32-byte key", () => {
    const scopeKey = sb.exec("kim", "age", ["-d", "-i", identityFile, ".envvault/keys/development/kim.age"]).stdout;
    const keyFile = join(sb.base, "scope-key.txt");
    writeFileSync(keyFile, scopeKey, { mode: 0o600 });
    const batch = /^#@batch [0-9a-f]{12} development [A-Za-z_][A-Za-z0-9_]* ([A-Za-z0-9+/=]+)$/m.exec(sb.read(".envvault/envs/development.env"));
    expect(batch).not.toBeNull();
    const batchFile = join(sb.base, "batch.age");
    writeFileSync(batchFile, Buffer.from(batch![1]!, "base64"));
    const r = spawnSync("age", ["-d", "-i", keyFile, batchFile]);
    expect({ code: r.status, stderr: r.stderr.toString() }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout.length).toBe(32);
    sb.assertNoSecretInGit();
  });
});

describe("read access is cryptographic", () => {
  let sb: Sandbox;
  const DEV = { API_KEY: "dev-api-key-5b81c0", OTHER_KEY: "dev-other-key-c2e9" };
  const PROD = { API_KEY: "prod-api-key-97aa04" };

  const marker = () => join(sb.base, "child-started");
  const childCommand = () => ["run", "--", process.execPath, "-e", `require("fs").writeFileSync(process.argv[1], "started")`, marker()];

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(DEV), ...Object.values(PROD));
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production"]).code).toBe(0);
    expect(sb.vault("alice", ["import", writeTemp(sb, "dev.env", DEV)]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin", "--env", "production"], { input: PROD.API_KEY }).code).toBe(0);
    expect(sb.vault("bob", ["keygen"]).code).toBe(0);
    sb.commitAll("vault");
  });

  afterAll(() => sb?.cleanup());

  const notMember = /not a member|cannot read|not a recipient/i;

  test("a non-member gets exit 3 from get, unlock and export, with a message saying so", () => {
    const get = sb.vault("bob", ["get", "API_KEY"]);
    expect({ code: get.code, stdout: get.stdout }).toEqual({ code: 3, stdout: "" });
    expect(get.stderr).toMatch(notMember);
    const unlock = sb.vault("bob", ["unlock"]);
    expect(unlock.code).toBe(3);
    expect(unlock.stderr).toMatch(notMember);
    expect(sb.exists(".env")).toBe(false);
    const exp = sb.vault("bob", ["export"]);
    expect({ code: exp.code, stdout: exp.stdout }).toEqual({ code: 3, stdout: "" });
    expect(exp.stderr).toMatch(notMember);
  });

  test("a non-member gets exit 3 from run, with a message saying so, and the child never starts", () => {
    const run = sb.vault("bob", childCommand());
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(notMember);
    expect(existsSync(marker())).toBe(false);
  });

  test("a member given write-only access, without a key file, can set a value but gets exit 3 reading it", () => {
    expect(sb.vault("alice", ["member", "add", "bob", ...sb.member("bob").args]).code).toBe(0);
    expect(sb.vault("alice", ["grant", "bob", "production", "--write-only"]).code).toBe(0);
    expect(sb.exists(".envvault/keys/production/bob.age")).toBe(false);
    sb.commitAll("add bob to the roster, without key files");
    const value = "bob-write-only-token-31f0";
    sb.secret(value);
    const set = sb.vault("bob", ["set", "BOB_TOKEN", "--stdin", "--env", "production"], { input: value });
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("+BOB_TOKEN") });
    const denied = sb.vault("bob", ["get", "BOB_TOKEN", "--env", "production"]);
    expect({ code: denied.code, stdout: denied.stdout }).toEqual({ code: 3, stdout: "" });
    expect(denied.stderr).toMatch(/keys\/production\/bob\.age/);
    const reader = sb.vault("alice", ["get", "BOB_TOKEN", "--env", "production"], { reveals: [value] });
    expect({ code: reader.code, stdout: reader.stdout }).toEqual({ code: 0, stdout: value + "\n" });
    sb.commitAll("bob sets a production token");
    sb.assertNoSecretInGit();
  });

  test("a member whose key file was removed with git rm can still set in that environment but gets exit 3 reading", () => {
    const keyFile = ".envvault/keys/production/alice.age";
    sb.git(["rm", "-q", keyFile]);
    try {
      const value = "set-without-key-file-e7d2";
      sb.secret(value);
      const set = sb.vault("alice", ["set", "BLIND_SET", "--stdin", "--env", "production"], { input: value });
      expect(set.code).toBe(0);
      const denied = sb.vault("alice", ["get", "BLIND_SET", "--env", "production"]);
      expect({ code: denied.code, stdout: denied.stdout }).toEqual({ code: 3, stdout: "" });
      expect(denied.stderr).toMatch(/no key file/);
      sb.git(["checkout", "HEAD", "--", keyFile]);
      const back = sb.vault("alice", ["get", "BLIND_SET", "--env", "production"], { reveals: [value] });
      expect({ code: back.code, stdout: back.stdout }).toEqual({ code: 0, stdout: value + "\n" });
    } finally {
      sb.git(["checkout", "HEAD", "--", keyFile]);
    }
    sb.commitAll("a value set blind");
    sb.assertNoSecretInGit();
  });

  test("a key file that is not encrypted to the reader is exit 3 (not a recipient), not exit 4", () => {
    const copy = ".envvault/keys/development/bob.age";
    sb.write(copy, sb.bytes(".envvault/keys/development/alice.age"));
    try {
      const r = sb.vault("bob", ["get", "API_KEY"]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 3, stdout: "" });
    } finally {
      sb.remove(copy);
    }
  });
});

/** Writes a dotenv file outside the repository, for `vault import`. */
function writeTemp(sb: Sandbox, name: string, values: Record<string, string>): string {
  const file = join(sb.base, name);
  writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(""));
  return file;
}

/** One way of damaging the vault, and what a reader must name in the error. */
interface Tamper {
  what: string;
  env: string;
  /** The key `get` asks for. */
  key: string;
  /** What the error must name: the key, or the key file. */
  names: RegExp;
  /**
   * How it is caught: a changed line is covered by no signature, so the vault is not verified
   * before anything is decrypted; a damaged key file (which needs no signature) fails to open.
   */
  says: RegExp;
  apply: (sb: Sandbox) => void;
}

const DEV_FILE = ".envvault/envs/development.env";
const UNSIGNED = /the vault is not verified: .* is signed by nobody/;
const INTEGRITY = /integrity/i;
const PROD_FILE = ".envvault/envs/production.env";

function editLines(sb: Sandbox, path: string, edit: (lines: string[]) => string[]): void {
  sb.write(path, edit(sb.read(path).split("\n")).join("\n"));
}

function valueLine(lines: string[], key: string): number {
  const i = lines.findIndex((l) => l.startsWith(`${key}=ev2:`));
  if (i < 0) throw new Error(`no value line for ${key}`);
  return i;
}

/** Replaces the character at `index` by another character of the same alphabet. */
function flipChar(text: string, index: number): string {
  const c = text[index]!;
  return text.slice(0, index) + (c === "A" ? "B" : "A") + text.slice(index + 1);
}

const TAMPERS: Tamper[] = [
  {
    what: "one character of a value's ciphertext is changed",
    env: "development",
    key: "API_KEY",
    names: /API_KEY/,
    says: UNSIGNED,
    apply: (sb) =>
      editLines(sb, DEV_FILE, (lines) => {
        const i = valueLine(lines, "API_KEY");
        const line = lines[i]!;
        lines[i] = flipChar(line, line.lastIndexOf(":") + 10);
        return lines;
      }),
  },
  {
    what: "a value's timestamp is changed",
    env: "development",
    key: "API_KEY",
    names: /API_KEY/,
    says: UNSIGNED,
    apply: (sb) =>
      editLines(sb, DEV_FILE, (lines) => {
        const i = valueLine(lines, "API_KEY");
        lines[i] = lines[i]!.replace(/^(API_KEY=ev2:[0-9a-f]{12}:)(\d+):/, (_, head: string, t: string) => `${head}${Number(t) + 1}:`);
        return lines;
      }),
  },
  {
    what: "a value line is moved to another key name",
    env: "development",
    key: "MOVED_KEY",
    names: /MOVED_KEY/,
    says: UNSIGNED,
    apply: (sb) =>
      editLines(sb, DEV_FILE, (lines) => {
        const i = valueLine(lines, "API_KEY");
        lines[i] = lines[i]!.replace(/^API_KEY=/, "MOVED_KEY=");
        return lines;
      }),
  },
  {
    what: "a value line (with its #@batch line) is copied into another environment's file",
    env: "production",
    key: "API_KEY",
    names: /API_KEY/,
    says: UNSIGNED,
    apply: (sb) => {
      const dev = sb.read(DEV_FILE).split("\n");
      const line = dev[valueLine(dev, "API_KEY")]!;
      const batchId = line.split(":")[1]!;
      const batch = dev.find((l) => l.startsWith(`#@batch ${batchId} `))!.replace(" development ", " production ");
      editLines(sb, PROD_FILE, (lines) => {
        lines[valueLine(lines, "API_KEY")] = line;
        const firstValue = lines.findIndex((l) => /^[A-Za-z_]/.test(l));
        lines.splice(firstValue, 0, batch);
        return lines;
      });
    },
  },
  {
    what: "the base64 of a #@batch line is altered",
    env: "development",
    key: "API_KEY",
    names: /API_KEY/,
    says: UNSIGNED,
    apply: (sb) =>
      editLines(sb, DEV_FILE, (lines) => {
        const batchId = lines[valueLine(lines, "API_KEY")]!.split(":")[1]!;
        const i = lines.findIndex((l) => l.startsWith(`#@batch ${batchId} `));
        lines[i] = flipChar(lines[i]!, lines[i]!.length - 40);
        return lines;
      }),
  },
  {
    what: "one character of a key file is changed",
    env: "development",
    key: "API_KEY",
    names: /keys\/development\/alice\.age/,
    says: INTEGRITY,
    apply: (sb) =>
      editLines(sb, ".envvault/keys/development/alice.age", (lines) => {
        // The last full line of the armored body: the payload, past the header's MAC.
        const i = lines.findIndex((l) => l.startsWith("-----END")) - 2;
        lines[i] = flipChar(lines[i]!, 10);
        return lines;
      }),
  },
  {
    what: "the key files of two environments are swapped",
    env: "development",
    key: "API_KEY",
    names: /keys\/development\/alice\.age/,
    says: INTEGRITY,
    apply: (sb) => {
      const dev = sb.bytes(".envvault/keys/development/alice.age");
      sb.write(".envvault/keys/development/alice.age", sb.bytes(".envvault/keys/production/alice.age"));
      sb.write(".envvault/keys/production/alice.age", dev);
    },
  },
];

describe("tampering is an integrity failure (exit 4) and nothing is half-done", () => {
  let sb: Sandbox;
  const DEV = { API_KEY: "tamper-dev-api-4410ab", OTHER_KEY: "tamper-dev-other-87cd" };
  const PROD = { API_KEY: "tamper-prod-api-0e5d77" };
  let envBefore: Buffer;
  const marker = () => join(sb.base, "tampered-child-started");
  const backups = () => (existsSync(join(sb.repo, ".envvault.local/backups")) ? readdirSync(join(sb.repo, ".envvault.local/backups")).length : 0);

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(DEV), ...Object.values(PROD));
    expect(sb.vault("alice", ["init", "--yes", "--env", "development,production"]).code).toBe(0);
    expect(sb.vault("alice", ["import", writeTemp(sb, "dev.env", DEV)]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin", "--env", "production"], { input: PROD.API_KEY }).code).toBe(0);
    sb.commitAll("vault");
    // A target unlocked before the damage, and changed since in the vault, so a write would show.
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    sb.write(".env", sb.read(".env") + "LOCAL_ONLY=1\n");
    envBefore = sb.bytes(".env");
  });

  afterAll(() => sb?.cleanup());

  /** Applies the damage, runs `check`, then restores the committed vault. */
  const withTamper = (t: Tamper, check: () => void) => {
    t.apply(sb);
    expect(sb.git(["status", "--porcelain", "--", ".envvault"]).stdout).not.toBe("");
    try {
      check();
    } finally {
      sb.git(["checkout", "HEAD", "--", ".envvault"]);
      rmSync(marker(), { force: true });
    }
    sb.assertNoSecretInGit();
  };

  test.each(TAMPERS)("get is exit 4 naming the damaged key when $what", (t) => {
    withTamper(t, () => {
      const r = sb.vault("alice", ["get", t.key, "--env", t.env]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 4, stdout: "" });
      expect(r.stderr).toMatch(t.names);
      expect(r.stderr).toMatch(t.says);
      // Read anyway (recovery): what was damaged still fails its integrity check, never a value.
      const anyway = sb.vault("alice", ["--allow-unverified", "get", t.key, "--env", t.env]);
      expect({ code: anyway.code, stdout: anyway.stdout }).toEqual({ code: 4, stdout: "" });
      expect(anyway.stderr).toMatch(t.names);
      expect(anyway.stderr).toMatch(/integrity|tamper|damaged/i);
    });
  });

  test.each(TAMPERS)("unlock is exit 4 and writes no target when $what", (t) => {
    withTamper(t, () => {
      const before = backups();
      const r = sb.vault("alice", ["unlock", "--env", t.env, "--on-conflict", "overwrite"]);
      expect(r.code).toBe(4);
      expect(sb.bytes(".env").equals(envBefore)).toBe(true);
      expect(backups()).toBe(before);
      expect(r.stderr).toMatch(t.says);
    });
  });

  test.each(TAMPERS)("export is exit 4 and prints nothing on stdout when $what", (t) => {
    withTamper(t, () => {
      const r = sb.vault("alice", ["export", "--env", t.env, "--format", "json"]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 4, stdout: "" });
      expect(r.stderr).toMatch(t.says);
    });
  });

  test.each(TAMPERS)("run is exit 4 and does not start the child when $what", (t) => {
    withTamper(t, () => {
      const r = sb.vault("alice", ["run", "--env", t.env, "--", process.execPath, "-e", `require("fs").writeFileSync(process.argv[1], "started")`, marker()]);
      expect(r.code).toBe(4);
      expect(existsSync(marker())).toBe(false);
      expect(r.stderr).toMatch(t.says);
    });
  });
});
