import { afterEach, describe, expect, test } from "@jest/globals";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preCommit } from "../../../src/app/precommit.js";
import { rejection } from "../errors.js";
import { repo, type Repo, T0 } from "./fixture.js";

let r: Repo | undefined;

afterEach(async () => {
  await r?.cleanup();
  r = undefined;
});

describe("preCommit", () => {
  test("without a vault, staged files are checked by name and token shape", async () => {
    r = await repo({ vault: false });
    await writeFile(join(r.root, ".env"), "PASSWORD=hunter2hunter2\n");
    await writeFile(join(r.root, "notes.txt"), "ghp_" + "a".repeat(36) + "\n");
    r.git(["add", "-A"]);
    const out = await preCommit(r.deps);
    expect(out.warnings).toEqual([]);
    expect(out.findings.map((f) => [f.path, f.rule])).toEqual([
      [".env", "plaintext-env-file"],
      ["notes.txt", "github-token"],
    ]);
  });

  test("with a vault, a value of the vault is found in any staged file, once the cache is built with the reader's identity", async () => {
    r = await repo();
    await r.set({ API_KEY: "sk-precommit-value-1" });
    await writeFile(join(r.root, "config.js"), 'const key = "sk-precommit-value-1";\n');
    r.git(["add", "-A"]);
    const out = await preCommit(r.deps);
    expect(out).toEqual({ findings: [{ path: "config.js", line: 1, rule: "known-secret", what: "the value of API_KEY (development)" }], warnings: [] });
    expect(JSON.stringify(out)).not.toContain("sk-precommit-value-1");
  });

  test("without an identity, values the cache does not cover are named as not looked for", async () => {
    r = await repo();
    await r.set({ API_KEY: "sk-precommit-value-2" });
    r.git(["add", "-A"]);
    const out = await preCommit({ cwd: r.root, processEnv: { XDG_CONFIG_HOME: join(r.root, "no-identity") } });
    expect(out.findings).toEqual([]);
    expect(out.warnings).toEqual([expect.stringMatching(/^development: 1 value\(s\) changed since the fingerprint cache was built and were not looked for/)]);
  });

  test("a value rotated out by a later commit is found as an earlier value, in any spelling", async () => {
    r = await repo();
    await r.set({ API_KEY: "sk-earlier-value-1/x" });
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "first"]);
    await r.set({ API_KEY: "sk-current-value-2/y" }, T0 + 60);
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "rotate"]);
    await writeFile(join(r.root, "a.txt"), `old = "sk-earlier-value-1/x"\nold64 = ${Buffer.from("sk-earlier-value-1/x").toString("base64")}\nnew = sk-current-value-2%2Fy\n`);
    r.git(["add", "a.txt"]);
    const out = await preCommit(r.deps);
    expect(out.warnings).toEqual([]);
    expect(out.findings.map((f) => `${f.line}: ${f.what}`)).toEqual([
      "1: an earlier value of API_KEY (development)",
      "2: an earlier value of API_KEY (development), base64-encoded",
      "3: the value of API_KEY (development), percent-encoded",
    ]);
    expect(JSON.stringify(out)).not.toContain("sk-earlier");
  });

  test("a value only another branch holds is found by a clone whose cache never saw it", async () => {
    r = await repo();
    await r.set({ API_KEY: "sk-main-value-3/z" });
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "main"]);
    r.git(["checkout", "-q", "-b", "side"]);
    await r.set({ SIDE_TOKEN: "tok-side-only-4/w" }, T0 + 60);
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "side"]);
    r.git(["checkout", "-q", "main"]);
    await rm(join(r.root, ".envvault.local"), { recursive: true, force: true });
    await writeFile(join(r.root, "b.txt"), "token: tok-side-only-4/w\n");
    r.git(["add", "b.txt"]);
    expect((await preCommit(r.deps)).findings.map((f) => f.what)).toEqual(["an earlier value of SIDE_TOKEN (development)"]);
  });

  test("with pre_commit.history: 0 only current values are looked for", async () => {
    r = await repo();
    await r.set({ API_KEY: "sk-earlier-value-5/v" });
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "first"]);
    await r.set({ API_KEY: "sk-current-value-6/u" }, T0 + 60);
    await r.write({ ".envvault/vault.yaml": (await readFile(join(r.root, ".envvault/vault.yaml"), "utf8")) + "pre_commit:\n  history: 0\n" }, T0 + 120);
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "rotate"]);
    await rm(join(r.root, ".envvault.local", "fingerprints.bin"), { force: true });
    await writeFile(join(r.root, "c.txt"), "sk-earlier-value-5/v\nsk-current-value-6/u\n");
    r.git(["add", "c.txt"]);
    expect((await preCommit(r.deps)).findings.map((f) => `${f.line}: ${f.what}`)).toEqual(["2: the value of API_KEY (development)"]);
  });

  test("without an identity, history the cache has not read is named as not read; a commit of the work tree's own vault is not", async () => {
    r = await repo();
    await r.set({ API_KEY: "sk-precommit-value-7" });
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "first"]);
    expect((await preCommit(r.deps)).warnings).toEqual([]);
    const noIdentity = { cwd: r.root, processEnv: { XDG_CONFIG_HOME: join(r.root, "no-identity") } };
    r.git(["commit", "-q", "--allow-empty", "-m", "a ref moved"]);
    expect((await preCommit(noIdentity)).warnings).toEqual([]);
    r.git(["checkout", "-q", "-b", "side"]);
    await r.set({ OTHER: "sk-precommit-value-8" }, T0 + 60);
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", "side"]);
    r.git(["checkout", "-q", "main"]);
    expect((await preCommit(noIdentity)).warnings).toEqual([expect.stringMatching(/^1 version\(s\) of environment files in the last 50 commits were not read, so their earlier values were not looked for; `vault hooks refresh`/)]);
    expect((await preCommit(r.deps)).warnings).toEqual([]);
  });

  test("a generated value of this clone is found, base64-encoded too, without an identity to read the vault", async () => {
    r = await repo();
    await mkdir(join(r.root, ".envvault.local"), { recursive: true });
    await writeFile(join(r.root, ".envvault.local", "generated.json"), JSON.stringify({ version: 1, values: { X_API_KEY: { value: "gen-value-9/abc", spec: "32" } } }));
    await writeFile(join(r.root, "d.txt"), `${Buffer.from("gen-value-9/abc").toString("base64")}\n`);
    r.git(["add", "d.txt"]);
    const out = await preCommit({ cwd: r.root, processEnv: { XDG_CONFIG_HOME: join(r.root, "no-identity") } });
    expect(out.findings.map((f) => f.what)).toEqual(["the value of X_API_KEY (generated in this clone), base64-encoded"]);
  });

  test("outside a git repository there is nothing staged: NOT_FOUND", async () => {
    const dir = await mkdtemp(join(tmpdir(), "envvault-nogit-"));
    try {
      expect((await rejection(preCommit({ cwd: dir, processEnv: {} }))).code).toBe("NOT_FOUND");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
