import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hookBlock, huskyLine, REF_GATE, withAttributes, withBlock, withoutBlock } from "../../../src/git/hooks.js";

const launcher = { node: "/usr/bin/node", script: "/opt/envvault/bin/vault.js" };

describe("hook files", () => {
  test("a new hook is a sh script holding the block; installing again changes no byte", () => {
    const block = hookBlock("pre-commit", launcher);
    const first = withBlock(undefined, block)!;
    expect(first.startsWith("#!/bin/sh\n# >>> envvault >>>\n")).toBe(true);
    expect(withBlock(first, block)).toBe(first);
  });

  test("an existing shell hook keeps its lines, ours runs first, and uninstall gives its bytes back", () => {
    const existing = "#!/usr/bin/env bash\nset -e\nnpm run lint\n";
    const installed = withBlock(existing, hookBlock("pre-commit", launcher))!;
    expect(installed.startsWith("#!/usr/bin/env bash\n# >>> envvault >>>")).toBe(true);
    expect(installed.endsWith("# <<< envvault <<<\nset -e\nnpm run lint\n")).toBe(true);
    expect(withoutBlock(installed)).toBe(existing);
  });

  test("a hook in another language cannot take a shell block (it is chained instead)", () => {
    expect(withBlock("#!/usr/bin/env python3\nprint('hi')\n", hookBlock("pre-commit", launcher))).toBeUndefined();
  });

  test("pre-commit stops the commit when envvault fails; post hooks never fail git", () => {
    expect(hookBlock("pre-commit", launcher)).toContain(`'/usr/bin/node' '/opt/envvault/bin/vault.js' hook pre-commit "$@" || exit $?`);
    expect(hookBlock("post-checkout", launcher)).toContain(`hook post-checkout "$@" || true`);
    expect(hookBlock("post-rewrite", {})).toContain(`vault hook post-rewrite "$@" </dev/null || true`);
    expect(huskyLine("pre-commit")).toBe(`vault hook pre-commit "$@" # envvault`);
  });

  test("paths with quotes are quoted for the shell", () => {
    expect(hookBlock("pre-commit", { node: "/n", script: "/it's here/vault.js" })).toContain(`'/it'\\''s here/vault.js'`);
  });
});

describe("the reference-transaction gate", () => {
  /** Runs the gate in a directory laid out as a work tree; true when it lets vault start. */
  function gate(dir: string, phase: string): boolean {
    return spawnSync("sh", ["-c", `if ${REF_GATE}; then exit 0; else exit 1; fi`, "hook", phase], { cwd: dir }).status === 0;
  }

  test("starts vault only for a committed update after a vault file got newer than the last unlock", () => {
    const dir = mkdtempSync(join(tmpdir(), "envvault-gate-"));
    try {
      mkdirSync(join(dir, ".envvault/envs"), { recursive: true });
      mkdirSync(join(dir, ".envvault.local"));
      const env = join(dir, ".envvault/envs/development.env");
      const mark = join(dir, ".envvault.local/unlocked");
      writeFileSync(env, "A=1\n");
      // Never unlocked: nothing to follow.
      expect(gate(dir, "committed")).toBe(false);
      writeFileSync(mark, "");
      utimesSync(env, 1000, 1000);
      utimesSync(mark, 2000, 2000);
      expect(gate(dir, "committed")).toBe(false);
      utimesSync(env, 3000, 3000);
      expect(gate(dir, "prepared")).toBe(false);
      expect(gate(dir, "aborted")).toBe(false);
      expect(gate(dir, "committed")).toBe(true);
      // A temp file of a writer (a dot file) is not a vault file.
      utimesSync(env, 1000, 1000);
      writeFileSync(join(dir, ".envvault/envs/.development.env.tmp"), "");
      expect(gate(dir, "committed")).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the block and the husky line are gated and leave stdin to the rest of the hook", () => {
    const block = hookBlock("reference-transaction", launcher);
    expect(block).toContain(`if ${REF_GATE}; then`);
    expect(block).toContain(`hook reference-transaction "$@" </dev/null || true`);
    expect(huskyLine("reference-transaction")).toBe(`if ${REF_GATE}; then vault hook reference-transaction "$@" </dev/null || true; fi # envvault`);
    const installed = withBlock("#!/bin/sh\ncat > refs.log\n", block)!;
    expect(withoutBlock(installed)).toBe("#!/bin/sh\ncat > refs.log\n");
  });
});

describe(".gitattributes", () => {
  test("the vault lines are added once, keeping CRLF files CRLF", () => {
    const once = withAttributes("*.png binary\r\n")!;
    expect(once).toBe("*.png binary\r\n# envvault: key-level merges and diffs of vault files\r\n.envvault/envs/*.env merge=envvault diff=envvault\r\n.envvault/chain merge=envvault\r\n.envvault/roster.yaml merge=envvault\r\n");
    expect(withAttributes(once)).toBeUndefined();
  });

  test("a file from before the chain's and the roster's lines gets those lines alone", () => {
    const old = "# envvault: key-level merges and diffs of vault files\n.envvault/envs/*.env merge=envvault diff=envvault\n";
    expect(withAttributes(old)).toBe(`${old}.envvault/chain merge=envvault\n.envvault/roster.yaml merge=envvault\n`);
    const withChain = `${old}.envvault/chain merge=envvault\n`;
    expect(withAttributes(withChain)).toBe(`${withChain}.envvault/roster.yaml merge=envvault\n`);
  });
});
