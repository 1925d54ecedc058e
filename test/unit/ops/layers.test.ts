import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvFiles } from "../../../src/app/environment.js";
import { envFilesOf } from "../../../src/model/config.js";
import { configValues, explain, type Layer, resolve, resolveEnv, type ResolveInput, stack, type VaultSide } from "../../../src/model/layers.js";

/** resolveEnv with the env_file layers read from `root`, as app/environment.ts reads them. */
async function resolveWithFiles(i: Omit<ResolveInput, "files"> & { root: string }) {
  return resolveEnv({ ...i, files: await loadEnvFiles(i.root, envFilesOf(i.cfg, i.env)) });
}
import type { VaultConfig } from "../../../src/model/config.js";
import { rejection, thrown } from "../errors.js";

const layer = (kind: Layer["kind"], name: string, values: Record<string, string>): Layer => ({ kind, name, values: new Map(Object.entries(values)) });
const names = (layers: Layer[]) => layers.map((l) => l.name);

describe("stack", () => {
  const parts = {
    generated: layer("generated", "gen", {}),
    inherited: [layer("inherited", "base", {}), layer("inherited", "development", {})],
    environment: layer("environment", "test", {}),
    context: layer("context", "docker", {}),
    files: [layer("file", ".env.defaults", {}), layer("file", ".env.local", {})],
    process: layer("process", "process environment", {}),
  };

  test("files_win: inherited → environment → context → files → process", () => {
    expect(names(stack("files_win", parts))).toEqual(["gen", "base", "development", "test", "docker", ".env.defaults", ".env.local", "process environment"]);
  });

  test("vault_wins flips only the middle: inherited environments stay lowest, the process highest", () => {
    expect(names(stack("vault_wins", parts))).toEqual(["gen", "base", "development", ".env.defaults", ".env.local", "test", "docker", "process environment"]);
  });
});

describe("resolve", () => {
  const lookup = () => undefined;

  test("a later layer wins, and the winner of each key is recorded", () => {
    const a = layer("environment", "dev", { A: "1", B: "1" });
    const b = layer("file", ".env", { B: "2" });
    const r = resolve([a, b], { interpolate: false, lookup });
    expect(r.values).toEqual(new Map([["A", "1"], ["B", "2"]]));
    expect(r.winners.get("A")).toBe(a);
    expect(r.winners.get("B")).toBe(b);
  });

  test("the process environment overrides only keys a lower layer sets", () => {
    const r = resolve([layer("environment", "dev", { A: "1" }), layer("process", "p", { A: "shell", PATH: "/bin" })], { interpolate: false, lookup });
    expect(r.values).toEqual(new Map([["A", "shell"]]));
  });

  test("interpolation sees every layer, falls back to lookup, never expands a process value", () => {
    const r = resolve(
      [layer("environment", "dev", { URL: "http://${HOST}:${PORT:-80}/${HOME_DIR}", RAW: "${HOST}" }), layer("context", "docker", { HOST: "db" }), layer("process", "p", { RAW: "$HOST stays" })],
      { interpolate: true, lookup: (n) => (n === "HOME_DIR" ? "home" : undefined) },
    );
    expect(r.values.get("URL")).toBe("http://db:80/home");
    expect(r.values.get("RAW")).toBe("$HOST stays");
    expect(r.interpolated).toEqual(["URL"]);
  });

  test("without interpolate, references stay as written", () => {
    expect(resolve([layer("environment", "dev", { A: "${B}", B: "x" })], { interpolate: false, lookup }).values.get("A")).toBe("${B}");
  });

  test("a reference cycle names the keys", () => {
    const e = thrown(() => resolve([layer("environment", "dev", { A: "${B}", B: "${A}" })], { interpolate: true, lookup }));
    expect(e.code).toBe("VALIDATION");
    expect(e.message).toBe("interpolation cycle: A → B → A");
  });
});

describe("env_file layers and resolveEnv", () => {
  let root: string;
  const cfg = (extra: Partial<VaultConfig> = {}, dev: object = {}): VaultConfig => ({
    version: 1,
    environments: { development: { env_file: [".env.defaults", { path: ".env.local", required: false }], ...dev }, test: { extends: "development", unset: ["GONE"] } },
    ...extra,
  });
  const side = (env: string, values: Record<string, string>, inherited: Layer[] = []): VaultSide => ({ inherited, environment: layer("environment", env, values), hidden: [] });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "envvault-layers-"));
    await writeFile(join(root, ".env.defaults"), "A=from-defaults\nB=from-defaults\nbroken line\n");
    await mkdir(join(root, "dir.env"));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test("a missing optional file is skipped and reported; parser warnings are reported", async () => {
    const { layers, report } = await loadEnvFiles(root, [{ path: ".env.defaults", required: true, setting: "env_file" }, { path: ".env.local", required: false, setting: "env_file" }]);
    expect(names(layers)).toEqual([".env.defaults"]);
    expect(report.map((r) => [r.path, r.loaded, r.skipped ?? null, r.keys])).toEqual([
      [".env.defaults", true, null, 2],
      [".env.local", false, "missing (required: false)", 0],
    ]);
    expect(report[0]?.warnings[0]).toMatch(/^\.env\.defaults:3: /);
  });

  test("a missing required file and an unreadable one are errors naming them", async () => {
    const missing = await rejection(loadEnvFiles(root, [{ path: ".env.local", required: true, setting: "environments.development.env_file" }]));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe(".env.local is missing; .envvault/vault.yaml lists it under environments.development.env_file as required");
    const unreadable = await rejection(loadEnvFiles(root, [{ path: "dir.env", required: false, setting: "env_file" }]));
    expect(unreadable.code).toBe("UNSAFE_PATH");
    expect(unreadable.message).toBe("env_file dir.env (env_file in .envvault/vault.yaml) is a directory, not a regular file");
  });

  test("the target being written is not read as a layer of itself", async () => {
    const { layers, report } = await loadEnvFiles(root, [{ path: ".env.defaults", required: true, setting: "env_file" }], "./.env.defaults");
    expect(layers).toEqual([]);
    expect(report[0]?.skipped).toBe("it is the target being written");
  });

  test("generated values sit lowest and are dropped where unset; burned keys are left out", async () => {
    const r = await resolveWithFiles({
      root,
      cfg: cfg({ variables: { OLD: { burned: { at: "2024-01-01T00:00:00Z" } } } }),
      env: "test",
      vault: side("test", { OLD: "x", KEEP: "k" }),
      generated: new Map([["GONE", "g1"], ["KEY", "g2"]]),
      lookup: {},
    });
    expect(Object.fromEntries(r.resolution.values)).toEqual({ KEY: "g2", A: "from-defaults", B: "from-defaults", KEEP: "k" });
    expect(r.burned).toEqual(["OLD"]);
  });

  test("explain lists shadowed and unset ancestor values and marks the winner", async () => {
    const c = cfg({}, { contexts: { docker: { B: "ctx" } } });
    const r = await resolveWithFiles({ root, cfg: c, env: "development", vault: side("development", { B: "env" }), generated: new Map(), context: "docker", lookup: {} });
    const x = explain(c, r, "B", [{ env: "development", value: "env" }]);
    expect(x.rows.map((row) => [row.name, row.value, row.won])).toEqual([
      ["development", "env", false],
      ["docker", "ctx", false],
      [".env.defaults", "from-defaults", true],
    ]);
    const t = await resolveWithFiles({ root, cfg: c, env: "test", vault: side("test", {}, [layer("inherited", "development", {})]), generated: new Map(), lookup: {} });
    expect(explain(c, t, "GONE", [{ env: "development", value: "old" }]).rows).toEqual([{ kind: "inherited", name: "development", value: "old", won: false, note: "unset by test" }]);
  });

  test("an unknown context is a usage error listing the known ones", async () => {
    const c = cfg({}, { contexts: { docker: {}, host: null } });
    const e = await rejection(resolveWithFiles({ root, cfg: c, env: "test", vault: side("test", {}), generated: new Map(), context: "k8s", lookup: {} }));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe('unknown context "k8s" for environment test');
    expect(e.hints[0]).toBe("contexts of test: docker, host");
  });
});

describe("configValues", () => {
  const lookup = (name: string) => (name === "SHELL_ONLY" ? "from-shell" : undefined);
  const cfg: VaultConfig = {
    version: 1,
    environments: { development: {} },
    variables: { LOG_LEVEL: { kind: "config" }, URL: { kind: "config" }, HOST: { kind: "config" }, FROM_FILE: { kind: "config" }, BASE: { kind: "config" } },
  };

  test("the vault's own config values, inherited ones too; not secrets, not a file's value, not an interpolated one", () => {
    const r = resolve(
      [
        layer("inherited", "base", { BASE: "b" }),
        layer("environment", "development", { LOG_LEVEL: "debug", TOKEN: "secret-value", URL: "https://${TOKEN}@host", HOST: "h", FROM_FILE: "vault" }),
        layer("file", ".env.local", { FROM_FILE: "local" }),
      ],
      { interpolate: true, lookup },
    );
    expect(configValues(cfg, r)).toEqual(new Map([["BASE", "b"], ["LOG_LEVEL", "debug"], ["HOST", "h"]]));
  });
});
