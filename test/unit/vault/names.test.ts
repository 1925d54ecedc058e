import { describe, expect, test } from "@jest/globals";
import { VaultError } from "../../../src/errors.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertKey, assertName, isKey, isName, isWindowsDevice, parseScope, scopeId, scopeKeyDir } from "../../../src/model/names.js";
import { ROOT } from "../../e2e/harness.js";
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

describe("names Windows reserves for devices", () => {
  const DEVICES = ["con", "prn", "aux", "nul", ..."123456789".split("").flatMap((d) => [`com${d}`, `lpt${d}`])];

  test("are never names: con, prn, aux, nul, com1-com9, lpt1-lpt9", () => {
    expect(DEVICES.filter(isName)).toEqual([]);
    expect(DEVICES.every(isWindowsDevice)).toBe(true);
  });

  test("names that only look alike stay valid: com0, lpt0, com10, console, nul_2, aux-db", () => {
    expect(["com0", "lpt0", "com10", "lpt99", "console", "nul_2", "aux-db", "con1", "prnt"].map(isName)).toEqual(Array(9).fill(true));
  });

  test.each([["environment", "con"], ["member", "nul"], ["team", "lpt9"]] as const)("assertName refuses a %s named %s, saying why", (kind, name) => {
    const e = thrown(() => assertName(kind, name));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`invalid ${kind} name "${name}": it is a device name on Windows`);
    expect(e.hints[0]).toMatch(/^Windows reserves con, prn, aux, nul, com1-com9 and lpt1-lpt9/);
  });

  test.each([["production:aux", "aux"], ["com1", "com1"], ["nul:payments", "nul"]])("parseScope refuses %j, naming %s", (scope, device) => {
    const e = thrown(() => parseScope(scope));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe(`invalid scope ${JSON.stringify(scope)}: ${device} is a device name on Windows`);
  });

  test("the schemas' name and scope patterns agree with isName and parseScope", () => {
    const definitions = (file: string) => (JSON.parse(readFileSync(join(ROOT, "schema", file), "utf8")) as { definitions: Record<string, { pattern: string }> }).definitions;
    const candidates = [...DEVICES, "com0", "console", "aux-db", "prod", "a".repeat(64), "a".repeat(65), "Prod", "-a", ""];
    for (const file of ["vault.schema.json", "roster.schema.json"]) {
      const pattern = new RegExp(definitions(file).name!.pattern, "u");
      expect({ file, accepted: candidates.filter((n) => pattern.test(n)) }).toEqual({ file, accepted: candidates.filter(isName) });
    }
    const scope = new RegExp(definitions("roster.schema.json").scope!.pattern, "u");
    const valid = (s: string) => {
      try {
        parseScope(s);
        return true;
      } catch {
        return false;
      }
    };
    const scopes = candidates.flatMap((a) => [a, `production:${a}`, `${a}:payments`]);
    expect(scopes.filter((s) => scope.test(s))).toEqual(scopes.filter(valid));
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
