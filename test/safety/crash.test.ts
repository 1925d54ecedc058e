/**
 * Crash safety beyond rotate (test/e2e/crash.test.ts covers `rotate --remove`): `vault set`,
 * `vault unlock` and the merge driver are SIGKILLed at random moments (and `set` also at
 * every step of its journaled commit, ENVVAULT_CRASH_AT=N). After each kill: every file is
 * old or new, the vault opens and reads the old or the new values, and targets parse.
 * 5 random kills per command by default, 70 with ENVVAULT_LONG=1.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { BIN, Sandbox } from "../e2e/harness.js";
import { ok } from "./fixture.js";
import { LONG, record } from "./figures.js";

const TRIALS = LONG ? 70 : 5;
const OLD = { API_TOKEN: "crash2-token-old-5d1e", DATABASE_URL: "postgres://u:crash2-pw-old-9a7c@db/x" };
const NEW_VALUE = "crash2-token-new-c3b8";

/** Starts `vault ARGS` and SIGKILLs it after `delayMs` (if still running); resolves with how it ended. */
function killAfter(sb: Sandbox, args: string[], delayMs: number, input = "", env: NodeJS.ProcessEnv = {}): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: sb.repo, env: { ...sb.user("alice").env, ...env }, stdio: ["pipe", "ignore", "ignore"] });
    child.stdin.end(input);
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill("SIGKILL");
    }, delayMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: killed || signal === "SIGKILL", code });
    });
  });
}

/** A delay uniform over one uninterrupted run, plus a little either side. */
const delay = (durationMs: number) => Math.floor(Math.random() * (durationMs + 40));

describe("kill -9 of set, unlock and the merge driver", () => {
  let sb: Sandbox;
  let head: string;
  const counts: Record<string, { trials: number; killed: number; old: number; new: number }> = {};
  const tally = (what: string, killed: boolean, state: "old" | "new") => {
    const c = (counts[what] ??= { trials: 0, killed: 0, old: 0, new: 0 });
    c.trials++;
    if (killed) c.killed++;
    c[state]++;
  };

  const exportJson = () => {
    const r = sb.vault("alice", ["export", "--format", "json"], { reveals: [...Object.values(OLD), NEW_VALUE] });
    if (r.code !== 0) throw new Error(`the vault does not open after the kill: exit ${r.code}\n${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, string>;
  };
  const reset = () => {
    sb.git(["reset", "-q", "--hard", head]);
    sb.git(["clean", "-q", "-f", "-d", "-x"]);
  };
  const timed = (args: string[], input = "") => {
    const t0 = Date.now();
    ok(sb, "alice", args, input);
    return Date.now() - t0;
  };

  beforeAll(() => {
    sb = new Sandbox();
    sb.secret(...Object.values(OLD), NEW_VALUE);
    ok(sb, "alice", ["init", "--yes", "--env", "development", "--name", "alice"]);
    ok(sb, "alice", ["import", "-"], Object.entries(OLD).map(([k, v]) => `${k}=${v}\n`).join(""));
    sb.commitAll("vault");
    head = sb.git(["rev-parse", "HEAD"]).stdout.trim();
  });

  afterAll(() => {
    record("crash", { trialsPerCommand: TRIALS, counts });
    sb?.cleanup();
  });

  test(`vault set killed at random moments (${TRIALS}) and at each commit step: the vault reads old or new`, async () => {
    const duration = timed(["set", "API_TOKEN", "--stdin"], NEW_VALUE);
    reset();
    const runs: { label: string; delayMs: number; env: NodeJS.ProcessEnv }[] = [];
    for (let i = 0; i < TRIALS; i++) runs.push({ label: "set (random)", delayMs: delay(duration), env: {} });
    for (let n = 1; n <= 4; n++) runs.push({ label: "set (ENVVAULT_CRASH_AT)", delayMs: 30_000, env: { ENVVAULT_CRASH_AT: String(n) } });
    for (const run of runs) {
      const r = await killAfter(sb, ["set", "API_TOKEN", "--stdin"], run.delayMs, NEW_VALUE, run.env);
      const values = exportJson();
      const state = values.API_TOKEN === NEW_VALUE ? "new" : "old";
      expect(values).toEqual(state === "new" ? { ...OLD, API_TOKEN: NEW_VALUE } : OLD);
      if (!r.killed) expect(r.code).toBe(0);
      tally(run.label, r.killed, state);
      reset();
    }
  });

  test(`vault unlock killed at random moments (${TRIALS}): .env parses and holds the old or the new values`, async () => {
    ok(sb, "alice", ["unlock"]);
    const before = readFileSync(join(sb.repo, ".env"), "utf8");
    expect(parseDotenv(before)).toMatchObject(OLD);
    ok(sb, "alice", ["set", "API_TOKEN", "--stdin"], NEW_VALUE);
    const duration = timed(["unlock", "--on-conflict", "overwrite"]);
    const after = readFileSync(join(sb.repo, ".env"), "utf8");
    for (let i = 0; i < TRIALS; i++) {
      writeFileSync(join(sb.repo, ".env"), before);
      const r = await killAfter(sb, ["unlock", "--on-conflict", "overwrite"], delay(duration));
      const text = readFileSync(join(sb.repo, ".env"), "utf8");
      expect([before, after]).toContain(text);
      expect(parseDotenv(text).API_TOKEN).toBe(text === after ? NEW_VALUE : OLD.API_TOKEN);
      expect(exportJson()).toEqual({ ...OLD, API_TOKEN: NEW_VALUE });
      tally("unlock", r.killed, text === after ? "new" : "old");
    }
    reset();
  });

  test(`the merge driver killed at random moments (${TRIALS}): %A holds ours or the merge, byte for byte`, async () => {
    const envPath = ".envvault/envs/development.env";
    const base = sb.read(envPath);
    ok(sb, "alice", ["set", "OURS_KEY", "--stdin"], "crash2-ours-value-11");
    const ours = sb.read(envPath);
    reset();
    ok(sb, "alice", ["set", "THEIRS_KEY", "--stdin"], "crash2-theirs-value-22");
    const theirs = sb.read(envPath);
    reset();
    const dir = join(sb.base, "merge");
    mkdirSync(dir, { recursive: true });
    const [b, o, t] = ["base", "ours", "theirs"].map((n) => join(dir, n));
    writeFileSync(b!, base);
    writeFileSync(t!, theirs);
    writeFileSync(o!, ours);
    const duration = timed(["merge-driver", b!, o!, t!, envPath]);
    const merged = readFileSync(o!, "utf8");
    expect(merged).toContain("OURS_KEY=");
    expect(merged).toContain("THEIRS_KEY=");
    for (let i = 0; i < TRIALS; i++) {
      writeFileSync(o!, ours);
      const r = await killAfter(sb, ["merge-driver", b!, o!, t!, envPath], delay(duration));
      const text = readFileSync(o!, "utf8");
      expect([ours, merged]).toContain(text);
      tally("merge-driver", r.killed, text === merged ? "new" : "old");
    }
  });
});
