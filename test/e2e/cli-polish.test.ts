/**
 * The command line as a newcomer meets it: help with examples and no parser jargon, usage
 * errors in the command's own terms, a member's teams changed with the access that follows,
 * the schema modeline of the generated YAML files, and `vault run`'s shell-like exit codes.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { type CommandDef, COMMANDS } from "../../src/cli/table.js";
import { requireBuild, Sandbox } from "./harness.js";

const V = { dev: "polish-dev-secret-91ab", ops: "polish-ops-secret-27cd" };
/** yargs' own words, which must never reach a user. */
const JARGON = /\[array\]|\[required\]|\[default: |\[string\]|\[boolean\]|non-option arguments|Unknown argument|Invalid values|Not enough arguments/;

describe("help, usage errors, teams, modelines, run's exit codes", () => {
  let sb: Sandbox;
  let bob: string[];

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(V));
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    expect(sb.vault("alice", ["scope", "add", "development:ops"]).code).toBe(0);
    expect(sb.vault("alice", ["set", "DEV_TOKEN", "--stdin"], { input: V.dev }).code).toBe(0);
    expect(sb.vault("alice", ["set", "OPS_TOKEN", "--stdin", "--scope", "development:ops"], { input: V.ops }).code).toBe(0);
    bob = sb.member("bob").args;
    expect(sb.vault("alice", ["member", "add", "bob", ...bob, "--team", "dev"]).code).toBe(0);
    expect(sb.vault("alice", ["grant", "team:dev", "development"]).code).toBe(0);
    expect(sb.vault("alice", ["member", "add", "carol", ...sb.member("carol").args, "--team", "ops"]).code).toBe(0);
    expect(sb.vault("alice", ["grant", "team:ops", "development:ops"]).code).toBe(0);
    sb.commitAll("vault, bob in dev", "alice");
  });

  afterAll(() => sb?.cleanup());

  test("every command's help has an example and no parser jargon", () => {
    for (const c of COMMANDS as readonly CommandDef[]) {
      const r = sb.vault("alice", [c.name, "--help"]);
      expect({ command: c.name, code: r.code }).toEqual({ command: c.name, code: 0 });
      expect({ command: c.name, jargon: JARGON.exec(r.stdout)?.[0] }).toEqual({ command: c.name, jargon: undefined });
      expect({ command: c.name, examples: r.stdout.includes("Examples:") }).toEqual({ command: c.name, examples: true });
    }
  });

  test.each([
    [["get"], "`vault get` needs KEY"],
    [["grant", "bob"], "`vault grant` needs SCOPE"],
    [["get", "A", "B"], "`vault get` takes at most 1 argument: B is too many"],
    [["unlock", "--bogus"], "`vault unlock` does not know --bogus"],
    [["export", "--format", "xml"], '--format must be one of dotenv, json, yaml, shell, k8s, docker, github (got "xml")'],
    [["list", "--env"], "--env needs a value"],
    [["env", "frob"], 'ACTION must be one of add, list (got "frob")'],
    [["unlok"], 'unknown command "unlok". Did you mean unlock?'],
  ])("vault %j is a usage error in our words", (args, message) => {
    const r = sb.vault("alice", args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`vault: error: ${message}`);
    expect(r.stderr).not.toMatch(JARGON);
  });

  test("member add of an existing name says so, before looking at the recipient", () => {
    const r = sb.vault("alice", ["member", "add", "bob", ...bob]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("member bob already exists");
    expect(r.stderr).toContain("vault member teams bob");
  });

  test("member teams: a team that opens a scope gives a key file; leaving it re-keys the scope and lists what bob saw", () => {
    const needs = sb.vault("alice", ["member", "teams", "bob"]);
    expect(needs.code).toBe(2);
    const joined = sb.vault("alice", ["member", "teams", "bob", "--team", "dev", "--team", "ops"]);
    expect(joined.code).toBe(0);
    expect(joined.stderr).toContain("bob's teams: dev, ops; now reads development:ops");
    expect(sb.vault("bob", ["get", "OPS_TOKEN"], { reveals: [V.ops] }).stdout).toBe(`${V.ops}\n`);
    const same = sb.vault("alice", ["member", "teams", "bob", "--team", "ops", "--team", "dev"]);
    expect(same.code).toBe(2);
    const left = sb.vault("alice", ["member", "teams", "bob", "--team", "dev"]);
    expect(left.code).toBe(0);
    expect(left.stderr).toContain("no longer reads development:ops (new keys)");
    expect(left.stdout).toMatch(/bob could read these values[^\n]*\n\s+development\s+OPS_TOKEN/);
    expect(sb.vault("bob", ["get", "OPS_TOKEN"]).code).toBe(3);
    expect(sb.vault("bob", ["get", "DEV_TOKEN"], { reveals: [V.dev] }).code).toBe(0);
    expect(sb.vault("alice", ["check"]).stdout + sb.vault("alice", ["check"]).stderr).toContain("OPS_TOKEN was readable by bob");
    expect(sb.read(".envvault/roster.yaml")).toMatch(/bob:\n(?:.*\n)*?\s+teams:\n\s+- dev\n/);
    sb.commitAll("bob leaves ops", "alice");
    expect(sb.vault("alice", ["verify"]).code).toBe(0);
    sb.assertNoSecretInGit();
  });

  test("the generated YAML files name their schema for editors", () => {
    expect(sb.read(".envvault/vault.yaml").split("\n")[0]).toBe("# yaml-language-server: $schema=../node_modules/envvault/schema/vault.schema.json");
    expect(sb.read(".envvault/roster.yaml").split("\n")[0]).toBe("# yaml-language-server: $schema=../node_modules/envvault/schema/roster.schema.json");
  });

  test("vault run exits as a shell would: 127 not found, 126 not executable, 128+N for a signal", () => {
    const missing = sb.vault("alice", ["run", "--", "no-such-command-4f2a"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("command not found: no-such-command-4f2a");
    sb.write("not-executable.sh", "#!/bin/sh\necho hi\n");
    chmodSync(join(sb.repo, "not-executable.sh"), 0o644);
    expect(sb.vault("alice", ["run", "--", "./not-executable.sh"]).code).toBe(126);
    expect(sb.vault("alice", ["run", "--", "sh", "-c", "kill -TERM $$"]).code).toBe(143);
    expect(sb.vault("alice", ["run", "--", "sh", "-c", "exit 7"]).code).toBe(7);
  });
});
