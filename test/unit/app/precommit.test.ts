import { afterEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preCommit } from "../../../src/app/precommit.js";
import { rejection } from "../errors.js";
import { repo, type Repo } from "./fixture.js";

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

  test("outside a git repository there is nothing staged: NOT_FOUND", async () => {
    const dir = await mkdtemp(join(tmpdir(), "envvault-nogit-"));
    try {
      expect((await rejection(preCommit({ cwd: dir, processEnv: {} }))).code).toBe("NOT_FOUND");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
