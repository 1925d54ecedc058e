/** `vault completion`: the script for the shell named, or the one in $SHELL; nothing else is guessed. */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { requireBuild, Sandbox } from "./harness.js";

describe("vault completion", () => {
  let sb: Sandbox;
  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
  });
  afterAll(() => sb?.cleanup());

  test("vault completion bash prints a bash script that registers vault and envvault", () => {
    const r = sb.vault("alice", ["completion", "bash"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("complete -F _vault vault envvault\n");
    expect(r.stderr).toBe("");
  });

  test("without a shell named, the one in $SHELL", () => {
    expect(sb.vault("alice", ["completion"], { env: { SHELL: "/usr/bin/zsh" } }).stdout).toMatch(/^#compdef vault envvault\n/);
    expect(sb.vault("alice", ["completion"], { env: { SHELL: "/bin/bash" } }).stdout).toContain("complete -F _vault");
  });

  test("a $SHELL with no script is a usage error (exit 2) that names the choices", () => {
    const r = sb.vault("alice", ["completion"], { env: { SHELL: "/usr/bin/tcsh" } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("vault completion bash");
  });

  test("a shell out of the choices is refused by the parser (exit 2)", () => {
    const r = sb.vault("alice", ["completion", "tcsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SHELL must be one of bash, zsh, fish (got "tcsh")');
  });
});
