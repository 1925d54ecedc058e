/**
 * `vault edit` never leaves the decrypted copy behind: a signal while the editor runs, or an
 * editor that fails, removes it at once; one left by a `vault edit` that was killed outright
 * is removed by the next command that takes the repository lock. Each test has a TMPDIR of
 * its own inside the sandbox, so what the temp dir holds can be checked.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BIN, requireBuild, type Run, Sandbox } from "./harness.js";

const SECRET = "s3cret-edit-value-9f2c";
const NEW_SECRET = "typed-in-editor-4b7e";

/**
 * Says it is ready (its pid and the file it was given, in $READY), then waits to be killed,
 * without vault's stdout and stderr, so that an editor outliving vault does not hold them open.
 */
const SLEEPING_EDITOR = `printf '%s %s\\n' "$$" "$1" > "$READY.part" && mv "$READY.part" "$READY"\nexec sleep 60 >/dev/null 2>&1\n`;

const hasScript = spawnSync("sh", ["-c", "command -v script"], { encoding: "utf8" }).status === 0;

let sb: Sandbox;

beforeAll(() => {
  requireBuild();
  sb = new Sandbox();
  sb.secret(SECRET, NEW_SECRET);
  expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
  expect(sb.vault("alice", ["set", "API_KEY", "--stdin"], { input: `${SECRET}\n` }).code).toBe(0);
  sb.commitAll("vault");
});

afterAll(() => sb?.cleanup());

/** A fresh, empty temp dir for one test. */
function freshTmp(): string {
  return mkdtempSync(join(sb.base, "tmp-"));
}

function script(name: string, body: string): string {
  const path = join(sb.base, name);
  writeFileSync(path, `#!/bin/sh\n${body}`);
  return path;
}

const editDirs = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith("envvault-edit-"));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The harness's rule for every run: no registered secret on stdout or stderr. */
function expectNoSecret(run: Run): void {
  for (const s of sb.secrets) {
    expect(run.stdout.includes(s)).toBe(false);
    expect(run.stderr.includes(s)).toBe(false);
  }
}

interface Editing {
  vaultPid: number;
  editorPid: number;
  /** The decrypted copy the editor was given. */
  file: string;
  done: Promise<Run & { signal: NodeJS.Signals | null }>;
}

/** Starts `vault edit` with `editor` (a script that writes $READY) and waits until the editor runs. */
async function startEdit(tmp: string, editor: string): Promise<Editing> {
  const ready = join(sb.base, `ready-${Date.now()}-${Math.random()}`);
  const child = spawn(process.execPath, [BIN, "edit"], {
    cwd: sb.repo,
    env: { ...sb.user("alice").env, TMPDIR: tmp, EDITOR: `sh ${editor}`, READY: ready },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<Run & { signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code: code ?? 128, signal, stdout, stderr })),
  );
  for (let waited = 0; !existsSync(ready); waited += 20) {
    if (waited > 20_000 || child.exitCode !== null) throw new Error(`the editor never started; stderr: ${stderr}`);
    await sleep(20);
  }
  const [pid = "", file = ""] = readFileSync(ready, "utf8").trim().split(" ");
  return { vaultPid: child.pid!, editorPid: Number(pid), file, done };
}

describe("vault edit cancelled by a signal", () => {
  test.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)(
    "%s removes the decrypted copy, stops the editor, exits 128 + the signal and changes nothing",
    async (signal) => {
      const tmp = freshTmp();
      const before = sb.vaultBytes();
      const editing = await startEdit(tmp, script("sleeping-editor.sh", SLEEPING_EDITOR));
      // While the editor runs, the plaintext is there, private.
      const [dir] = editDirs(tmp);
      expect(editing.file).toBe(join(tmp, dir!, "development.env"));
      expect(statSync(join(tmp, dir!)).mode & 0o777).toBe(0o700);
      expect(statSync(editing.file).mode & 0o777).toBe(0o600);
      expect(readFileSync(editing.file, "utf8")).toContain(SECRET);

      process.kill(editing.vaultPid, signal);
      const run = await editing.done;

      expect({ code: run.code, signal: run.signal }).toEqual({ code: 128 + constants.signals[signal], signal: null });
      expect(run.stderr).toBe(`vault: error: edit cancelled by ${signal}: the decrypted copy was removed and nothing was changed\n`);
      expect(editDirs(tmp)).toEqual([]);
      expect(isAlive(editing.editorPid)).toBe(false);
      expect(sb.vaultBytes()).toBe(before);
      expectNoSecret(run);
    },
  );

  (hasScript ? test : test.skip)("Ctrl-C on a terminal, which reaches vault and the editor together, cancels the edit the same way", async () => {
    const tmp = freshTmp();
    const before = sb.vaultBytes();
    const editor = script("terminal-editor.sh", `echo "editing, press Ctrl-C"\nexec sleep 60\n`);
    const run = await sb.vaultOnTerminal("alice", ["edit"], [{ expect: /editing, press Ctrl-C/, send: "\u0003" }], { env: { TMPDIR: tmp, EDITOR: `sh ${editor}` } });
    expect(run.code).toBe(130);
    // The terminal sends SIGINT to vault and the editor at once: whichever sees it first, the
    // edit is cancelled the same way, and the message says so.
    expect(run.stdout).toMatch(/vault: error: (edit cancelled by SIGINT: the decrypted copy was removed and nothing was changed|the editor \(.*\) was killed by SIGINT; nothing was changed)/);
    expect(editDirs(tmp)).toEqual([]);
    expect(sb.vaultBytes()).toBe(before);
  });

  test("an editor that ignores the signal does not keep vault from exiting", async () => {
    const tmp = freshTmp();
    const before = sb.vaultBytes();
    const editing = await startEdit(tmp, script("stubborn-editor.sh", `trap '' INT TERM HUP\n${SLEEPING_EDITOR}`));
    try {
      process.kill(editing.vaultPid, "SIGTERM");
      const run = await editing.done;
      expect(run.code).toBe(143);
      expect(editDirs(tmp)).toEqual([]);
      expect(sb.vaultBytes()).toBe(before);
      expectNoSecret(run);
    } finally {
      process.kill(editing.editorPid, "SIGKILL");
    }
  });
});

describe("vault edit with a failing editor", () => {
  test("an editor that exits non-zero leaves no decrypted copy and changes nothing", () => {
    const tmp = freshTmp();
    const before = sb.vaultBytes();
    const editor = script("failing-editor.sh", `printf 'NEW_KEY=%s\\n' '${NEW_SECRET}' >> "$1"\nexit 3\n`);
    const run = sb.vault("alice", ["edit"], { env: { TMPDIR: tmp, EDITOR: `sh ${editor}` } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the editor (sh ${editor}) exited with 3; nothing was changed`);
    expect(editDirs(tmp)).toEqual([]);
    expect(sb.vaultBytes()).toBe(before);
  });

  test("an editor that is not found leaves no decrypted copy and changes nothing", () => {
    const tmp = freshTmp();
    const before = sb.vaultBytes();
    const run = sb.vault("alice", ["edit"], { env: { TMPDIR: tmp, EDITOR: join(sb.base, "no-such-editor") } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("was not found; nothing was changed");
    expect(run.stderr).toContain("vault: hint: set VISUAL or EDITOR");
    expect(editDirs(tmp)).toEqual([]);
    expect(sb.vaultBytes()).toBe(before);
  });
});

describe("the decrypted copy of a vault edit killed outright", () => {
  test("stays until the next command that takes the lock, which removes it and nothing else", async () => {
    const tmp = freshTmp();
    const editing = await startEdit(tmp, script("sleeping-editor.sh", SLEEPING_EDITOR));
    process.kill(editing.vaultPid, "SIGKILL");
    expect((await editing.done).signal).toBe("SIGKILL");
    process.kill(editing.editorPid, "SIGKILL");
    const [left] = editDirs(tmp);
    expect(readFileSync(join(tmp, left!, "development.env"), "utf8")).toContain(SECRET);

    // Named like it but of a live process (this one), or named otherwise: not envvault's to remove.
    const live = left!.replace(`envvault-edit-${editing.vaultPid}-`, `envvault-edit-${process.pid}-`);
    mkdirSync(join(tmp, live), { mode: 0o700 });
    mkdirSync(join(tmp, "envvault-edit-notes"));
    mkdirSync(join(tmp, "something-else"));
    // A command that reads without the lock leaves it.
    expect(sb.vault("alice", ["get", "API_KEY"], { env: { TMPDIR: tmp }, reveals: [SECRET] }).code).toBe(0);
    expect(readdirSync(tmp)).toContain(left);

    expect(sb.vault("alice", ["unlock"], { env: { TMPDIR: tmp } }).code).toBe(0);
    expect(readdirSync(tmp).sort()).toEqual([live, "envvault-edit-notes", "something-else"].sort());

    // The same from a command that writes the vault (another bundle than unlock's).
    const again = left!.replace(/-[A-Za-z0-9]{6}$/, "-Again1");
    mkdirSync(join(tmp, again), { mode: 0o700 });
    expect(sb.vault("alice", ["set", "OTHER_KEY", "--stdin"], { input: "other\n", env: { TMPDIR: tmp } }).code).toBe(0);
    expect(readdirSync(tmp).sort()).toEqual([live, "envvault-edit-notes", "something-else"].sort());
  });
});
