import { describe, expect, test } from "@jest/globals";
import { describeHit, type FoundValue, isBinary, pathRule, scanBlob } from "../../../src/app/precommit.js";
import type { Encoding } from "../../../src/model/encodings.js";
import { FingerprintTable, prefilterKey, type SecretHit, SecretMatcher, valueRows } from "../../../src/store/matcher.js";
import { parseRaw } from "../../../src/git/staged.js";

const none = new Set<string>();

describe("staged paths that must not be committed", () => {
  test.each([".env", ".env.production", "config/.env.local", "deploy/prod.env", "app/.env.staging"])("%s is a plaintext env file", (p) => {
    expect(pathRule(p, none, none)?.rule).toBe("plaintext-env-file");
  });

  test.each([".env.example", ".env.sample", ".env.template", "config/.env.local.example", "README.md", "environment.ts", ".envrc", ".envvault/envs/production.env"])(
    "%s is allowed",
    (p) => expect(pathRule(p, none, none)).toBeUndefined(),
  );

  test("a committed env_file of vault.yaml is allowed; a target of vault.yaml is blocked whatever its name", () => {
    expect(pathRule(".env.defaults", new Set([".env.defaults"]), none)).toBeUndefined();
    expect(pathRule("config/secrets.txt", none, new Set(["config/secrets.txt"]))?.rule).toBe("plaintext-env-file");
  });

  test("this clone's local state (its key) is blocked", () => {
    expect(pathRule(".envvault.local/state.key", none, none)?.rule).toBe("local-state");
  });
});

describe("token shapes", () => {
  const rules = (text: string) => scanBlob("f.txt", Buffer.from(text), undefined).map((f) => `${f.line}:${f.rule}`);

  test("finds each well-known shape on its line", () => {
    const text = [
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "aws = AKIAZ3MSLKV7QXNWYT2B",
      "gh = ghp_" + "a".repeat(36),
      "gl = glpat-" + "b".repeat(20),
      "slack = xoxb-1234567890-abcdefghij",
      "stripe = sk_live_" + "c".repeat(24),
      "google = AIza" + "d".repeat(35),
      "AGE-SECRET-KEY-1" + "Q".repeat(58),
      'aws_secret_access_key = "' + "e".repeat(40) + '"',
    ].join("\n");
    expect(rules(text)).toEqual(["1:private-key", "2:aws-access-key", "3:github-token", "4:gitlab-token", "5:slack-token", "6:stripe-key", "7:google-api-key", "8:age-identity", "9:aws-secret-key"]);
  });

  test("AWS's documentation key and a line marked envvault:allow are not findings", () => {
    expect(rules("key = AKIAIOSFODNN7EXAMPLE\nfixture = ghp_" + "a".repeat(36) + " # envvault:allow\n")).toEqual([]);
  });

  test("a public key block and ordinary code are not findings", () => {
    expect(rules("-----BEGIN PUBLIC KEY-----\nconst sk_test = 1; // sk_live_short\n")).toEqual([]);
  });

  test("binary content is what has a NUL byte in its first 8000 bytes, as git decides", () => {
    expect(isBinary(Buffer.from([0x41, 0x00, 0x42]))).toBe(true);
    expect(isBinary(Buffer.concat([Buffer.alloc(8000, 0x41), Buffer.from([0])]))).toBe(false);
  });
});

describe("git diff --raw -z", () => {
  test("reads additions, changes and renames, with spaces and newlines in names", () => {
    const a = "0".repeat(40);
    const b = "1".repeat(40);
    const raw = [`:000000 100644 ${a} ${b} A`, "dir with space/new\nline.txt", `:100644 100644 ${b} ${a} M`, "x", `:100644 100644 ${b} ${b} R100`, "old name", "new name", ""].join("\0");
    expect(parseRaw(Buffer.from(raw))).toEqual([
      { path: "dir with space/new\nline.txt", oid: b, mode: "100644", status: "A" },
      { path: "x", oid: a, mode: "100644", status: "M" },
      { path: "new name", from: "old name", oid: b, mode: "100644", status: "R" },
    ]);
  });
});

describe("naming what the matcher found", () => {
  const values: Record<number, FoundValue | undefined> = {
    0: { env: "development", key: "API_KEY", earlier: false },
    1: { env: "development", key: "API_KEY", earlier: true },
    2: { env: "production", key: "DB", earlier: true },
    3: { env: "production", key: "DB_COPY", earlier: false },
    4: undefined, // a key whose kind is not secret
  };
  const found = (_table: number, value: number) => values[value];
  const hit = (...matches: [number, Encoding][]): SecretHit => ({ offset: 0, length: 20, matches: matches.map(([value, encoding]) => ({ table: 0, value, encoding })) });

  test("a value and its encoding; an earlier value as such", () => {
    expect(describeHit(hit([0, "raw"]), found)).toEqual(["the value of API_KEY (development)"]);
    expect(describeHit(hit([0, "base64url"]), found)).toEqual(["the value of API_KEY (development), base64url-encoded"]);
    expect(describeHit(hit([2, "json-ascii"]), found)).toEqual(["an earlier value of DB (production), JSON-escaped"]);
  });

  test("keys sharing a value are named together; a current value hides the same key's earlier one; a public key is not named", () => {
    expect(describeHit(hit([0, "percent"], [1, "percent"]), found)).toEqual(["the value of API_KEY (development), percent-encoded"]);
    expect(describeHit(hit([0, "raw"], [3, "raw"], [2, "raw"]), found)).toEqual(["the value of API_KEY (development), DB_COPY (production)", "an earlier value of DB (production)"]);
    expect(describeHit(hit([4, "raw"]), found)).toEqual([]);
  });

  test("scanBlob names the line of each hit and never the value", () => {
    const key = new Uint8Array(32).fill(7);
    const value = "sk-scan-value/42";
    const table = FingerprintTable.build([{ value: 0, rows: valueRows(value, key, prefilterKey(key)) }]);
    const secrets = { matcher: new SecretMatcher(key, [table]), found };
    const findings = scanBlob("f.txt", Buffer.from(`a\nb = "${value}"\nc = ${Buffer.from(value).toString("base64")}\n`), secrets);
    expect(findings).toEqual([
      { path: "f.txt", line: 2, rule: "known-secret", what: "the value of API_KEY (development)" },
      { path: "f.txt", line: 3, rule: "known-secret", what: "the value of API_KEY (development), base64-encoded" },
    ]);
  });
});
