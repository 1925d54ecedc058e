import { describe, expect, test } from "@jest/globals";
import { hookBlock, huskyLine, withAttributes, withBlock, withoutBlock } from "../../../src/git/hooks.js";

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
