/**
 * The package as a consumer gets it: the programmatic API a build tool needs (`load`,
 * `listEnvironments`, `explain`, typed errors) in a real vault; the published types compile
 * in a TypeScript project without `@types/node`; and the packed files hold no V8 code cache
 * of this machine.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, ROOT, Sandbox } from "./harness.js";

const SECRET = "library-secret-value-5c1e";

describe("the programmatic API", () => {
  let sb: Sandbox;
  const node = (code: string) => sb.exec("alice", process.execPath, ["--input-type=module", "-e", code], { env: { ENVVAULT_ENV: "" } });

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(SECRET);
    expect(sb.vault("alice", ["init", "--yes", "--env", "development", "--env", "production"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: SECRET }).code).toBe(0);
    expect(sb.vault("alice", ["set", "LOG_LEVEL=info", "--kind", "config", "-e", "production"]).code).toBe(0);
    sb.write(".env.local", "LOG_LEVEL=debug\n");
    sb.write(".gitignore", `${sb.read(".gitignore")}node_modules/\n.env.local\n`);
    mkdirSync(join(sb.repo, "node_modules"), { recursive: true });
    symlinkSync(ROOT, join(sb.repo, "node_modules", "envvault"));
    sb.commitAll("the vault", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("listEnvironments: every environment, which one is in use, which one the identity reads", () => {
    const r = node('import { listEnvironments } from "envvault"; console.log(JSON.stringify(await listEnvironments()))');
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([
      { name: "development", extends: null, variables: 1, readable: true, inUse: true },
      { name: "production", extends: null, variables: 1, readable: true, inUse: false },
    ]);
  });

  test("explain: the layers of a variable, values only for config ones", () => {
    const r = node('import { explain } from "envvault"; console.log(JSON.stringify([await explain("LOG_LEVEL", { env: "production" }), await explain("API_KEY")]))');
    expect(r.stderr).toBe("");
    const [config, secret] = JSON.parse(r.stdout) as [Record<string, unknown>, Record<string, unknown>];
    expect(config).toMatchObject({ key: "LOG_LEVEL", env: "production", value: "info", burned: false });
    expect(config.layers).toEqual([expect.objectContaining({ kind: "environment", won: true, value: "info" })]);
    expect(secret).toMatchObject({ key: "API_KEY", env: "development" });
    expect(secret).not.toHaveProperty("value");
    expect(JSON.stringify(secret)).not.toContain(SECRET);
  });

  test("errors are typed: an unknown environment is a UsageError with code USAGE and exit 2", () => {
    const r = node('import { load, UsageError } from "envvault"; try { await load({ env: "nope" }) } catch (e) { console.log(e instanceof UsageError, e.code, e.exitCode) }');
    expect(r.stdout.trim()).toBe("true USAGE 2");
  });
});

describe("the published package", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
  });

  afterAll(() => sb?.cleanup());

  test("its types compile in a strict project that has no @types/node", () => {
    const dir = join(sb.base, "consumer");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(ROOT, join(dir, "node_modules", "envvault"));
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, types: [], skipLibCheck: false } }),
    );
    writeFileSync(
      join(dir, "build.ts"),
      [
        'import { explain, listEnvironments, load, VaultError, type EnvironmentInfo, type Explained } from "envvault";',
        "const envs: EnvironmentInfo[] = await listEnvironments();",
        "const values: Record<string, string> = await load({ env: envs[0]?.name, processEnv: {} });",
        'const x: Explained = await explain("PORT");',
        "export const out = { values, x, isError: (e: unknown) => e instanceof VaultError && e.code === \"USAGE\" };",
        "",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("npm pack ships no V8 code cache (its name would not match the installed files)", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain("dist/cli/hot.cjs");
    expect(files).toContain("schema/vault.schema.json");
    expect(files.filter((f) => f.endsWith(".v8cache"))).toEqual([]);
  });
});
