import { describe, expect, test } from "@jest/globals";
import { VaultError } from "../../../src/errors.js";
import { assertKey, assertName, isKey, isName, parseScope, scopeId, scopeKeyDir } from "../../../src/vault/names.js";
import { thrown } from "../errors.js";


describe("names", () => {
  test("isName accepts 1-64 lower-case letters, digits, _ and -, starting with a letter or digit", () => {
    expect(["a", "0", "prod", "my_env-2", "a".repeat(64)].map(isName)).toEqual([true, true, true, true, true]);
    expect(["", "-a", "_a", "Prod", "a.b", "a:b", "a b", "a".repeat(65), "é"].map(isName)).toEqual([false, false, false, false, false, false, false, false, false]);
  });

  test("isKey accepts POSIX variable names only", () => {
    expect(["A", "_", "_A1", "database_url", "X9"].map(isKey)).toEqual([true, true, true, true, true]);
    expect(["", "1A", "A-B", "A.B", "A B", "Ä", "A=B"].map(isKey)).toEqual([false, false, false, false, false, false, false]);
  });

  test("assertName returns a valid name and refuses an invalid one with a usage error naming the kind", () => {
    expect(assertName("member", "alice")).toBe("alice");
    const e = thrown(() => assertName("team", "Ops Team"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe('invalid team name "Ops Team"');
    expect(e.hints).toEqual(["a team name is 1-64 characters of a-z, 0-9, '_' or '-', starting with a letter or digit"]);
  });

  test("assertKey returns a valid key and refuses an invalid one with the key in data", () => {
    expect(assertKey("API_KEY")).toBe("API_KEY");
    const e = thrown(() => assertKey("api-key"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe('invalid variable name "api-key"');
    expect(e.data).toEqual({ key: "api-key" });
  });
});

describe("scopes", () => {
  test("parseScope splits an environment and an optional scope name", () => {
    expect(parseScope("production")).toEqual({ env: "production" });
    expect(parseScope("production:payments")).toEqual({ env: "production", name: "payments" });
  });

  test.each(["", "Prod", "production:", ":payments", "a:b:c", "production:Pay"])("parseScope refuses %j", (scope) => {
    const e = thrown(() => parseScope(scope));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`invalid scope ${JSON.stringify(scope)}`);
  });

  test("scopeId is the inverse of parseScope", () => {
    expect(scopeId({ env: "dev" })).toBe("dev");
    expect(scopeId({ env: "dev", name: "ci" })).toBe("dev:ci");
    expect(scopeId(parseScope("production:payments"))).toBe("production:payments");
  });

  test("scopeKeyDir writes a named scope with a dot, so it is a valid directory name everywhere", () => {
    expect(scopeKeyDir("production")).toBe("production");
    expect(scopeKeyDir("production:payments")).toBe("production.payments");
    expect(() => scopeKeyDir("../etc")).toThrow(VaultError);
  });
});
