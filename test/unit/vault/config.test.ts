import { describe, expect, test } from "@jest/globals";
import { defaultEnv, envNames, inheritanceChain, kindOf, requireEnv, targets, type VaultConfig } from "../../../src/model/config.js";
import { thrown } from "../errors.js";


const config = (environments: VaultConfig["environments"], rest: Partial<VaultConfig> = {}): VaultConfig => ({ version: 1, environments, ...rest });

describe("environments", () => {
  test("envNames lists environments sorted", () => {
    expect(envNames(config({ staging: {}, development: null, ci: {} }))).toEqual(["ci", "development", "staging"]);
  });

  test("defaultEnv prefers default_env, then development, then the first name", () => {
    expect(defaultEnv(config({ development: {}, staging: {} }, { default_env: "staging" }))).toBe("staging");
    expect(defaultEnv(config({ staging: {}, development: null }))).toBe("development");
    expect(defaultEnv(config({ staging: {}, qa: {} }))).toBe("qa");
  });

  test("requireEnv returns a known environment", () => {
    expect(requireEnv(config({ dev: {} }), "dev")).toBe("dev");
  });

  test("requireEnv refuses an unknown environment and lists the known ones", () => {
    const e = thrown(() => requireEnv(config({ staging: {}, development: {} }), "prod"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe('unknown environment "prod"');
    expect(e.data).toEqual({ env: "prod" });
    expect(e.hints).toEqual(["environments in .envvault/vault.yaml: development, staging", "create it with `vault env add prod`"]);
  });

  test("requireEnv refuses \"constructor\", a property every object inherits", () => {
    expect(thrown(() => requireEnv(config({ dev: {} }), "constructor")).code).toBe("USAGE");
  });
});

describe("inheritanceChain", () => {
  test("lists the environment and its ancestors, nearest first", () => {
    const cfg = config({ development: {}, test: { extends: "development" }, ci: { extends: "test" }, other: null });
    expect(inheritanceChain(cfg, "ci")).toEqual(["ci", "test", "development"]);
    expect(inheritanceChain(cfg, "development")).toEqual(["development"]);
    expect(inheritanceChain(cfg, "other")).toEqual(["other"]);
  });

  test("a cycle is an invalid vault.yaml naming the whole chain", () => {
    const cfg = config({ a: { extends: "b" }, b: { extends: "c" }, c: { extends: "a" } });
    const e = thrown(() => inheritanceChain(cfg, "a"));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(".envvault/vault.yaml: environments extend each other in a cycle: a -> b -> c -> a");
    expect(e.data).toEqual({ file: ".envvault/vault.yaml", env: "a" });
  });

  test("an environment extending itself is a cycle", () => {
    expect(thrown(() => inheritanceChain(config({ a: { extends: "a" } }), "a")).message).toBe(
      ".envvault/vault.yaml: environments extend each other in a cycle: a -> a",
    );
  });

  test("a cycle further up the chain is reported from the environment asked for", () => {
    const cfg = config({ leaf: { extends: "a" }, a: { extends: "b" }, b: { extends: "a" } });
    expect(thrown(() => inheritanceChain(cfg, "leaf")).message).toBe(
      ".envvault/vault.yaml: environments extend each other in a cycle: leaf -> a -> b -> a",
    );
  });

  test("extending an unknown environment names the one that extends it and the missing base", () => {
    const cfg = config({ ci: { extends: "test" }, test: { extends: "base" } });
    const e = thrown(() => inheritanceChain(cfg, "ci"));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(".envvault/vault.yaml: environment test extends unknown environment base");
    expect(e.hints).toEqual(["add environment base, or fix the `extends`"]);
  });

  test("an unknown starting environment is a usage error", () => {
    expect(thrown(() => inheritanceChain(config({ a: {} }), "b")).code).toBe("USAGE");
  });
});

describe("variables and targets", () => {
  test("kindOf is secret unless vault.yaml says otherwise", () => {
    const cfg = config({ dev: {} }, { variables: { PORT: { kind: "config" }, API: { kind: "generated" }, DESCRIBED: { description: "x" }, NULLED: null } });
    expect(["PORT", "API", "DESCRIBED", "NULLED", "UNLISTED"].map((k) => kindOf(cfg, k))).toEqual(["config", "generated", "secret", "secret", "secret"]);
    expect(kindOf(config({ dev: {} }), "ANY")).toBe("secret");
  });

  test("targets default to .env", () => {
    expect(targets(config({ dev: {} }))).toEqual([{ path: ".env" }]);
    expect(targets(config({ dev: {} }, { targets: [{ path: "web/.env", env: "dev" }] }))).toEqual([{ path: "web/.env", env: "dev" }]);
    expect(targets(config({ dev: {} }, { targets: [] }))).toEqual([]);
  });
});
