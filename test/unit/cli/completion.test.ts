/**
 * The completion scripts of cli/completion.ts complete what the command table holds: bash's
 * is run (its function called as bash calls it on TAB), zsh's is checked by zsh where
 * zsh is installed.
 */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { completionScript } from "../../../src/cli/completion.js";
import { type CommandDef, COMMANDS, CONFLICT_CHOICES, GLOBAL_OPTIONS } from "../../../src/cli/table.js";
import { EXPORT_FORMATS } from "../../../src/model/formats.js";

const table = COMMANDS as readonly CommandDef[];
const hasZsh = spawnSync("zsh", ["-c", "exit 0"]).status === 0;
const hasFish = spawnSync("fish", ["-c", "exit 0"]).status === 0;

/** What fish offers for each command line (its own `complete -C`), the words without their descriptions. */
function fishOffers(lines: string[]): string[][] {
  const calls = lines.map((l) => `complete -C ${JSON.stringify(l)} | string replace -r '\\t.*' ''; echo '---'`).join("\n");
  const r = spawnSync("fish", ["--no-config", "-c", `${completionScript("fish")}\n${calls}`], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout.split("---\n").slice(0, lines.length).map((b) => b.split("\n").filter((w) => w !== ""));
}

/** What bash offers for each command line, the last word being the one completed. */
function bashOffers(lines: string[][]): string[][] {
  const calls = lines.map((words) => `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _vault; printf '%s\\n' "\${COMPREPLY[*]}"`);
  const r = spawnSync("bash", ["--norc", "-c", `${completionScript("bash")}\n${calls.join("\n")}`], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").slice(0, lines.length).map((l) => (l === "" ? [] : l.split(" ")));
}

describe("shell completion from the command table", () => {
  test("bash completes command names, choices, options and positionals", () => {
    const [all, ex, formats, short, afterEnv, conflict, hook, completion] = bashOffers([
      ["vault", ""],
      ["vault", "ex"],
      ["vault", "export", "--format", ""],
      ["vault", "export", "-f", "y"],
      ["vault", "--env", "prod", "export", "--format", "="],
      ["vault", "unlock", "--on-conflict", ""],
      ["vault", "hook", ""],
      ["vault", "completion", ""],
    ]);
    expect(all).toEqual(table.map((c) => c.name));
    expect(ex).toEqual(["export"]);
    expect(formats).toEqual([...EXPORT_FORMATS]);
    expect(short).toEqual(["yaml"]);
    expect(afterEnv).toEqual([...EXPORT_FORMATS]);
    expect(conflict).toEqual([...CONFLICT_CHOICES]);
    expect(hook).toEqual(["pre-commit", "post-checkout", "post-merge", "post-rewrite", "post-commit", "reference-transaction"]);
    expect(completion).toEqual(["bash", "zsh", "fish"]);
  });

  test("bash offers each command's own options and the globals", () => {
    const offers = bashOffers(table.map((c) => ["vault", c.name, "--"]));
    table.forEach((c, i) => {
      expect(offers[i]).toEqual(expect.arrayContaining([...Object.keys(c.options), ...Object.keys(GLOBAL_OPTIONS)].map((o) => `--${o}`)));
    });
  });

  test("bash counts positionals past options and their values", () => {
    const [action, afterAction, hookName] = bashOffers([
      ["vault", "--env", "prod", "member", "--team", "ops", "-r", "age1x", ""],
      ["vault", "member", "add", ""],
      ["vault", "-q", "--cwd", "/tmp", "hook", "pre"],
    ]);
    expect(action).toEqual(["add", "list", "remove", "keys", "teams"]);
    expect(afterAction).toEqual([]);
    expect(hookName).toEqual(["pre-commit"]);
  });

  (hasZsh ? test : test.skip)("zsh reads the script and registers it for vault and envvault", () => {
    const script = completionScript("zsh");
    expect(spawnSync("zsh", ["-n"], { input: script }).status).toBe(0);
    const r = spawnSync("zsh", ["-f", "-c", 'autoload -U compinit && compinit -u -D && eval "$(cat)" && print -r -- $_comps[vault] $_comps[envvault]'], { input: script, encoding: "utf8" });
    expect(r.stdout.trim()).toBe("_vault _vault");
  });

  (hasFish ? test : test.skip)("fish completes command names, choices and options, for vault and envvault", () => {
    const [ex, formats, actions, conflict, globals, other] = fishOffers(["vault ex", "vault export --format ", "vault member ", "vault unlock --on", "vault --e", "envvault sy"]);
    expect(ex).toEqual(["export"]);
    expect(formats).toEqual([...EXPORT_FORMATS].sort());
    expect(actions).toEqual(["add", "keys", "list", "remove", "teams"]);
    expect(conflict).toEqual(["--on-conflict"]);
    expect(globals).toEqual(["--env"]);
    expect(other).toEqual(["sync"]);
  });

  test("fish's script names every command with its help text, and every option", () => {
    const script = completionScript("fish");
    for (const c of table) {
      expect(script).toContain(`-a '${c.name}' -d`);
      for (const o of Object.keys(c.options)) expect(script).toContain(`-l ${o}`);
    }
  });

  test("zsh's script names every command with its help text, and every option", () => {
    const script = completionScript("zsh");
    for (const c of table) {
      expect(script).toContain(`'${c.name}:`);
      for (const o of Object.keys(c.options)) expect(script).toContain(`--${o}`);
    }
  });
});
