// Sources .env files in real shells the way people do (`set -a; . ./.env`) and reads back
// what each variable became, so tests can compare it with what dotenv reads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SHELLS = ["bash", "dash"] as const;
export type Shell = (typeof SHELLS)[number];

/** Commands a value may carry: a shell that runs any of them leaves a file named CANARY. */
export const CANARIES = ["$(touch CANARY)", "`touch CANARY`", ";touch CANARY", "|touch CANARY", "&touch CANARY", "\ntouch CANARY\n"];

export interface Sourced {
  /** For each file, each key's value, `undefined` when the shell left it unset. */
  readonly values: (string | undefined)[][];
  /** What the shell printed on stderr: a command it tried to run, a syntax error. */
  readonly stderr: string;
  readonly status: number | null;
  /** A canary command ran. */
  readonly canary: boolean;
}

/**
 * Sources each file with `shell`, each in its own subshell of one shell process (so a batch
 * costs one process), in a fresh directory with HOME pointing nowhere, and prints `keys`.
 */
export function source(shell: Shell, files: readonly string[], keys: readonly string[]): Sourced {
  const dir = mkdtempSync(join(tmpdir(), "envvault-shell-"));
  try {
    files.forEach((text, i) => writeFileSync(join(dir, `${i}.env`), text));
    const print = keys.map((k) => `"\${${k}+v$${k}}"`).join(" ");
    const script = `for f in ${files.map((_, i) => i).join(" ")}; do (set -a; . "./$f.env"; printf '%s\\0' ${print}) > "$f.out"; done`;
    // A file, not `-c`: thousands of keys make a script longer than one argument may be.
    writeFileSync(join(dir, "print.sh"), script);
    const run = spawnSync(shell, ["./print.sh"], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(dir, "no-home") }, encoding: "utf8" });
    if (run.error !== undefined) throw run.error;
    const values = files.map((_, i) => {
      const out = readFileSync(join(dir, `${i}.out`), "utf8").split("\0").slice(0, keys.length);
      return keys.map((_, k) => (out[k] === undefined || out[k] === "" ? undefined : out[k]!.slice(1)));
    });
    return { values, stderr: run.stderr, status: run.status, canary: existsSync(join(dir, "CANARY")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
