import { describe, expect, test } from "@jest/globals";
import { contextNames, contextValues, envFilesOf, generatedSpecs, interpolates, priorityOf, targetTakes, unsetIn, type VaultConfig } from "../../../src/model/config.js";
import { loadYaml } from "../../../src/model/yamlfile.js";
import { thrown } from "../errors.js";

const cfg: VaultConfig = {
  version: 1,
  env_file: ".env.shared",
  priority: "vault_wins",
  environments: {
    base: { interpolate: true, contexts: { docker: { HOST: "db", PORT: "5432" } }, unset: ["X"] },
    development: { extends: "base", env_file: ["./.env.defaults", { path: ".env.local", required: false }], contexts: { docker: { HOST: "dev-db" }, host: null } },
    test: { extends: "development", env_file: [], priority: "files_win", interpolate: false },
    production: {},
  },
  variables: { A: { kind: "generated" }, B: { kind: "generated", generate: "uuid" }, C: { kind: "secret" } },
};

describe("settings along the inheritance chain", () => {
  test("env_file: the environment's own list, else the nearest ancestor's, else the top-level one", () => {
    expect(envFilesOf(cfg, "development")).toEqual([
      { path: ".env.defaults", required: true, setting: "environments.development.env_file" },
      { path: ".env.local", required: false, setting: "environments.development.env_file" },
    ]);
    expect(envFilesOf(cfg, "test")).toEqual([]);
    expect(envFilesOf(cfg, "production")).toEqual([{ path: ".env.shared", required: true, setting: "env_file" }]);
  });

  test("env_file paths must stay in the repository", () => {
    for (const path of ["/etc/passwd", "../x.env", "a/../../x.env", "C:/x.env"]) {
      const e = thrown(() => envFilesOf({ version: 1, environments: { d: { env_file: path } } }, "d"));
      expect(e.code).toBe("UNSAFE_PATH");
      expect(e.message.startsWith(`.envvault/vault.yaml: environments.d.env_file names the env_file ${JSON.stringify(path)}, which envvault refuses: `)).toBe(true);
      expect(e.message).toMatch(/it is absolute$|its `\.\.` leaves the repository$/);
    }
  });

  test("priority and interpolate: nearest setting wins, priority defaults to the top level, then files_win", () => {
    expect(["base", "development", "test", "production"].map((e) => priorityOf(cfg, e))).toEqual(["vault_wins", "vault_wins", "files_win", "vault_wins"]);
    expect(priorityOf({ version: 1, environments: { d: {} } }, "d")).toBe("files_win");
    expect(["base", "development", "test", "production"].map((e) => interpolates(cfg, e))).toEqual([true, true, false, false]);
  });

  test("contexts merge along the chain, the nearest value of a key winning", () => {
    expect(contextNames(cfg, "test")).toEqual(["docker", "host"]);
    expect(Object.fromEntries(contextValues(cfg, "test", "docker"))).toEqual({ HOST: "dev-db", PORT: "5432" });
    expect(contextValues(cfg, "development", "host").size).toBe(0);
    expect(contextNames(cfg, "production")).toEqual([]);
  });

  test("an unknown context: usage error for --context, invalid file when vault.yaml names it", () => {
    const flag = thrown(() => contextValues(cfg, "production", "docker"));
    expect(flag.code).toBe("USAGE");
    expect(flag.hints[0]).toBe("production defines no contexts");
    const target = thrown(() => contextValues(cfg, "production", "docker", "target web/.env in .envvault/vault.yaml"));
    expect(target.code).toBe("INVALID_FILE");
    expect(target.message).toBe('unknown context "docker" for environment production (target web/.env in .envvault/vault.yaml)');
  });

  test("unset and generated variables", () => {
    expect([...unsetIn(cfg, "test")]).toEqual(["X"]);
    expect([...unsetIn(cfg, "production")]).toEqual([]);
    expect(Object.fromEntries(generatedSpecs(cfg))).toEqual({ A: "32", B: "uuid" });
  });

  test("targetTakes: keys (names or * patterns) and prefix", () => {
    expect(["API_URL", "API_KEY", "DB"].filter((k) => targetTakes({ path: "x", prefix: "API_" }, k))).toEqual(["API_URL", "API_KEY"]);
    expect(["API_URL", "DB_HOST", "DB"].filter((k) => targetTakes({ path: "x", keys: ["DB_*", "API_URL"] }, k))).toEqual(["API_URL", "DB_HOST"]);
    expect(targetTakes({ path: "x", keys: ["API_*"], prefix: "API_K" }, "API_URL")).toBe(false);
    expect(targetTakes({ path: "x" }, "ANY")).toBe(true);
  });
});

describe("schema of the new settings", () => {
  const load = (text: string) => loadYaml<VaultConfig>(text, ".envvault/vault.yaml", "vault");

  test("accepts env_file as a string, an object or a list; contexts; unset; generate; target filters", () => {
    const text = `version: 1
env_file: .env.shared
priority: vault_wins
environments:
  development:
    env_file: [.env.defaults, { path: .env.local, required: false }]
    interpolate: true
    contexts: { docker: { NATS_URL: "nats://nats:4222" }, host: null }
    unset: [OLD]
  test: { env_file: { path: .env.test } }
variables:
  X_API_KEY: { kind: generated, generate: "hex:64" }
targets:
  - { path: web/.env, env: development, prefix: PUBLIC_, context: docker }
  - { path: ops/.env, keys: [DB_*, API_KEY] }
`;
    expect(load(text).data.targets?.[1]?.keys).toEqual(["DB_*", "API_KEY"]);
  });

  test.each([
    ["priority: first", "/priority must be one of files_win, vault_wins"],
    ["environments: { d: { env_file: [{ required: true }] } }", "/environments/d/env_file"],
    ["environments: { d: { contexts: { Docker: {} } } }", "/environments/d/contexts/Docker is not a valid name"],
    ["environments: { d: { unset: [not-a-key] } }", "/environments/d/unset/0"],
    ['variables: { K: { generate: "hex" } }', "/variables/K/generate"],
    ["targets: [{ path: x, keys: [] }]", "/targets/0/keys"],
  ])("rejects %s", (yaml, where) => {
    const text = yaml.startsWith("environments") ? `version: 1\n${yaml}\n` : `version: 1\nenvironments: { d: {} }\n${yaml}\n`;
    expect(thrown(() => load(text)).message).toContain(where);
  });
});
