/**
 * bin/vault.js: the hot commands run from dist/cli/hot.cjs with a V8 code cache made on
 * first use; everything else, and any trouble with the bundle or its cache, falls back to
 * the full CLI with the same result. Run against a copy of bin/ and dist/, so the cache
 * files of the shared build are left alone.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, ROOT, Sandbox } from "./harness.js";

const VALUE = "launcher-secret-value-5b1e";

describe("the launcher and its code cache", () => {
  let sb: Sandbox;
  let pkg: string;
  let bin: string;
  const cacheFiles = () => readdirSync(join(pkg, "dist", "cli")).filter((f) => f.endsWith(".v8cache"));
  const run = (args: string[], env: NodeJS.ProcessEnv = {}, reveals: string[] = []) => sb.exec("alice", process.execPath, [bin, ...args], { env, reveals });

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(VALUE);
    pkg = join(sb.base, "pkg");
    mkdirSync(pkg);
    cpSync(join(ROOT, "bin"), join(pkg, "bin"), { recursive: true });
    cpSync(join(ROOT, "dist"), join(pkg, "dist"), { recursive: true, filter: (src) => !src.endsWith(".v8cache") && !src.endsWith(".tmp") });
    cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
    symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
    bin = join(pkg, "bin", "vault.js");
    expect(run(["init", "--yes"]).code).toBe(0);
    expect(sb.exec("alice", process.execPath, [bin, "set", "API_KEY", "--stdin"], { input: VALUE }).code).toBe(0);
  });

  afterAll(() => sb?.cleanup());

  test("a command that is not hot leaves no cache; the first hot command makes one; later ones keep it", () => {
    expect(run(["--version"]).code).toBe(0);
    expect(cacheFiles()).toEqual([]);
    const first = run(["list"]);
    expect(first.code).toBe(0);
    const made = cacheFiles();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatch(new RegExp(`^hot-[0-9a-f]{16}-\\d+-\\d+-${process.version.replace(/\./g, "\\.")}-${process.arch}\\.v8cache$`));
    const path = join(pkg, "dist", "cli", made[0]!);
    const before = statSync(path).mtimeMs;
    expect(run(["list"]).stdout).toBe(first.stdout);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  test("the cache's name carries the bundle's content hash from its first line", () => {
    const id = /^\/\/ envvault-hot ([0-9a-f]{16})\n/.exec(readFileSync(join(pkg, "dist", "cli", "hot.cjs"), "utf8"))?.[1];
    expect(id).toBeDefined();
    expect(cacheFiles()[0]).toContain(`hot-${id}-`);
  });

  test("an edit of the bundle by hand is never run with the old cache", () => {
    const bundle = join(pkg, "dist", "cli", "hot.cjs");
    const text = readFileSync(bundle, "utf8");
    const before = cacheFiles();
    // Same length, other behaviour: V8's own check (the source length) would not see it.
    writeFileSync(bundle, text.replace("`locked ${", "`LOCKED ${"));
    try {
      expect(run(["unlock"]).code).toBe(0);
      expect(run(["lock"]).stderr).toContain("LOCKED .env: -API_KEY");
      expect(cacheFiles().filter((f) => !before.includes(f))).toHaveLength(1);
    } finally {
      writeFileSync(bundle, text);
    }
  });

  test("a damaged cache is rejected by V8, the command still works, and the cache is made again", () => {
    for (const f of cacheFiles()) rmSync(join(pkg, "dist", "cli", f));
    expect(run(["list"]).code).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
    const path = join(pkg, "dist", "cli", cacheFiles()[0]!);
    const good = readFileSync(path);
    writeFileSync(path, Buffer.alloc(good.length, 0x5a));
    const r = run(["get", "API_KEY"], {}, [VALUE]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `${VALUE}\n`, stderr: "" });
    expect(readFileSync(path).equals(Buffer.alloc(good.length, 0x5a))).toBe(false);
    expect(run(["get", "API_KEY"], {}, [VALUE]).stdout).toBe(`${VALUE}\n`);
  });

  test("ENVVAULT_CODE_CACHE=0 neither reads nor writes a cache", () => {
    for (const f of cacheFiles()) rmSync(join(pkg, "dist", "cli", f));
    const r = run(["export", "--format", "json"], { ENVVAULT_CODE_CACHE: "0" }, [VALUE]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ API_KEY: VALUE });
    expect(cacheFiles()).toEqual([]);
  });

  test("a hot command written in a way the fast parser declines goes to the full CLI", () => {
    const r = run(["list", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("vault list");
  });

  test("without the hot bundle the full CLI runs the hot commands, with the same output", () => {
    const viaHot = run(["export", "--format", "json"], {}, [VALUE]).stdout;
    rmSync(join(pkg, "dist", "cli", "hot.cjs"));
    const r = run(["export", "--format", "json"], {}, [VALUE]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: viaHot, stderr: "" });
    sb.assertNoSecretInGit();
  });
});
