/**
 * Bad input is refused with the contract's exit code and a message that says what failed,
 * where, and what to do; and a refused command changes no byte of the vault.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, Sandbox, type Run } from "./harness.js";

const API_KEY = "badinput-api-key-61d2";
const NEW_VALUE = "badinput-new-value-0f3a";

describe("bad input is refused and changes nothing", () => {
  let sb: Sandbox;
  let aliceKey: string;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(API_KEY, NEW_VALUE);
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: API_KEY }).code).toBe(0);
    sb.commitAll("vault");
    const identity = readFileSync(join(sb.user("alice").home, ".config", "envvault", "identity.txt"), "utf8");
    aliceKey = identity.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))!;
    sb.secret(aliceKey);
  });

  afterAll(() => sb?.cleanup());

  /** Runs `vault args` as `user` and proves that no byte under .envvault/ changed. */
  const refused = (user: string, args: string[], input?: string | Buffer): Run => {
    const before = sb.vaultBytes();
    const r = sb.vault(user, args, input === undefined ? {} : { input });
    expect(sb.vaultBytes()).toBe(before);
    expect(r.stdout).toBe("");
    return r;
  };

  /** Edits a committed vault file for one test, then restores it. */
  const withEdit = (path: string, edit: (text: string) => string, check: () => void) => {
    sb.write(path, edit(sb.read(path)));
    try {
      check();
    } finally {
      sb.git(["checkout", "HEAD", "--", ".envvault"]);
    }
  };

  const lineOf = (text: string, pattern: RegExp) => text.split("\n").findIndex((l) => pattern.test(l)) + 1;

  test("a missing identity is exit 1, listing every place tried and how to make one with vault keygen", () => {
    const home = sb.user("nobody").home;
    for (const args of [["get", "API_KEY"], ["unlock"]]) {
      const r = refused("nobody", args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("--identity");
      expect(r.stderr).toContain("ENVVAULT_IDENTITY_FILE");
      expect(r.stderr).toMatch(/ENVVAULT_IDENTITY\b/);
      expect(r.stderr).toContain(join(home, ".config", "envvault", "identity.txt"));
      expect(r.stderr).toContain("vault keygen");
    }
    expect(sb.exists(".env")).toBe(false);
    // A named identity that is missing is an error too, never a reason to look elsewhere.
    const missing = join(home, "no-such-identity.txt");
    const named = refused("alice", ["get", "API_KEY", "--identity", missing]);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain(missing);
    expect(named.stderr).toContain("vault keygen");
  });

  test("a malformed identity file is exit 1 naming the file and line, without echoing the key", () => {
    const broken = aliceKey.slice(0, 20) + (aliceKey[20] === "Q" ? "P" : "Q") + aliceKey.slice(21);
    sb.secret(broken);
    const dir = join(sb.user("mallory").home, ".config", "envvault");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "identity.txt"), `# created: today\n# public key: age1whatever\n${broken}\n`, { mode: 0o600 });
    for (const [args, input] of [[["get", "API_KEY"]], [["set", "NEW_KEY", "--stdin"], NEW_VALUE]] as [string[], string?][]) {
      const r = refused("mallory", args, input);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${join(dir, "identity.txt")}:3`);
      expect(r.stderr).not.toContain(broken.slice(16));
    }
  });

  test("an invalid recipient in roster.yaml is exit 5 naming the file and line", () => {
    withEdit(".envvault/roster.yaml", (t) => t.replace(/- age1[0-9a-z]+/, "- age1notavalidrecipient"), () => {
      const line = lineOf(sb.read(".envvault/roster.yaml"), /age1notavalidrecipient/);
      const r = refused("alice", ["set", "NEW_KEY", "--stdin"], NEW_VALUE);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`.envvault/roster.yaml:${line}:`);
      expect(r.stderr).toMatch(/recipients/);
    });
  });

  test("a recipient with one character changed (its checksum fails) makes roster.yaml invalid on load: exit 5 naming the member and line", () => {
    const roster = sb.read(".envvault/roster.yaml");
    const recipient = /- (age1[0-9a-z]+)/.exec(roster)![1]!;
    const typo = recipient.slice(0, 20) + (recipient[20] === "q" ? "p" : "q") + recipient.slice(21);
    withEdit(".envvault/roster.yaml", (t) => t.replace(recipient, typo), () => {
      const line = lineOf(sb.read(".envvault/roster.yaml"), new RegExp(typo));
      const r = refused("alice", ["list"]);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(new RegExp(`^vault: error: \\.envvault/roster\\.yaml:${line}: recipient 1 of member alice is not a valid age recipient`, "m"));
    });
  });

  test("malformed YAML in vault.yaml is exit 5 naming the file and line", () => {
    withEdit(".envvault/vault.yaml", (t) => t.replace(/^default_env: development$/m, "default_env: development: oops"), () => {
      const line = lineOf(sb.read(".envvault/vault.yaml"), /^default_env:/);
      const r = refused("alice", ["set", "NEW_KEY", "--stdin"], NEW_VALUE);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`.envvault/vault.yaml:${line}: invalid YAML`);
    });
  });

  test("an unknown setting in vault.yaml is exit 5 naming the file, line, setting and the rule broken", () => {
    withEdit(".envvault/vault.yaml", (t) => t.replace(/^(default_env: .*)$/m, "$1\nunknown_setting: true"), () => {
      const line = lineOf(sb.read(".envvault/vault.yaml"), /^unknown_setting:/);
      const r = refused("alice", ["set", "NEW_KEY", "--stdin"], NEW_VALUE);
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`.envvault/vault.yaml:${line}:`);
      expect(r.stderr).toContain("unknown_setting");
      expect(r.stderr).toMatch(/not a known setting|additional propert/);
    });
  });

  test("an unknown environment is exit 2 listing the environments", () => {
    for (const [args, input] of [[["get", "API_KEY", "--env", "nope"]], [["set", "NEW_KEY", "--stdin", "--env", "nope"], NEW_VALUE]] as [string[], string?][]) {
      const r = refused("alice", args, input);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('"nope"');
      expect(r.stderr).toMatch(/environments.*: development/);
    }
  });

  test("an invalid variable name is exit 2", () => {
    const r = refused("alice", ["set", "1BAD=x-value-for-bad-key"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("1BAD");
    expect(r.stderr).not.toContain("x-value-for-bad-key");
  });

  test("a NUL byte in a value given with --stdin is exit 2", () => {
    const r = refused("alice", ["set", "NUL_VALUE", "--stdin"], "before\0after-nul-value");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NUL/);
    expect(r.stderr).not.toContain("after-nul-value");
  });

  test("invalid UTF-8 on stdin is exit 5 for set, rotate and import, naming the byte offset but not the bytes", () => {
    // "ok-" then a lone continuation byte, then text that must not be echoed either.
    const input = Buffer.concat([Buffer.from("ok-"), Buffer.from([0x80]), Buffer.from("after-bad-byte-value\n")]);
    sb.secret("after-bad-byte-value");
    for (const args of [["set", "NEW_KEY", "--stdin"], ["rotate", "API_KEY", "--stdin"], ["import", "-"]]) {
      const r = refused("alice", args, input);
      expect({ args, code: r.code }).toEqual({ args, code: 5 });
      expect(r.stderr).toMatch(/^vault: error: <stdin>:1: is not valid UTF-8 \(byte 3, column 4\)$/m);
      expect(r.stderr).not.toMatch(/unexpected failure/);
    }
  });

  test("--debug prints the error's trace, by class name and frames only, on the fast path, through yargs and before it parses", () => {
    for (const args of [["get", "NO_SUCH_KEY", "--debug"], ["--debug", "member", "remove", "nobody"], ["--debug", "nosuchcommand"]]) {
      const r = refused("alice", args);
      expect({ args, trace: /^vault: debug: trace of \w+Error\n(\s+at .+\n)+/m.test(r.stderr) }).toEqual({ args, trace: true });
    }
    expect(refused("alice", ["get", "NO_SUCH_KEY"]).stderr).not.toMatch(/vault: debug:|^\s+at /m);
  });

  test("no command, an unknown command or an unknown option is exit 2", () => {
    const none = refused("alice", []);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/command/);
    const unknown = refused("alice", ["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("frobnicate");
    for (const word of ["toString", "constructor"]) {
      const proto = refused("alice", [word]);
      expect(proto.code).toBe(2);
      expect(proto.stderr).toContain(word);
    }
    const option = refused("alice", ["get", "API_KEY", "--bogus-option"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("bogus-option");
  });

  test("a mistyped command is exit 2, naming the word it did not know and suggesting the command", () => {
    const r = refused("alice", ["unlok"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unlock/);
    expect(r.stderr).toContain("unlok");
    sb.git(["add", "-A"]);
    sb.assertNoSecretInGit();
  });
});
