/**
 * Concurrency: `vault set` processes started at once on different keys lose no update (the
 * repository lock, src/io/lock.ts), and `vault unlock`s started at once never interleave a
 * target: the final .env parses and equals the vault. 3 rounds by default, 25 with ENVVAULT_LONG=1.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { BIN, Sandbox } from "../e2e/harness.js";
import { ok } from "./fixture.js";
import { LONG, record } from "./figures.js";

const ROUNDS = LONG ? 25 : 3;
const WRITERS = 4;

function run(sb: Sandbox, args: string[], input = ""): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: sb.repo, env: sb.user("alice").env, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.end(input);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("concurrent vault commands", () => {
  let sb: Sandbox;
  const figures = { setRounds: 0, setsRun: 0, setsLost: 0, unlockRounds: 0, unlocksInterleaved: 0 };

  beforeAll(() => {
    sb = new Sandbox();
    ok(sb, "alice", ["init", "--yes", "--env", "development", "--name", "alice"]);
  });
  afterAll(() => {
    record("concurrency", { writers: WRITERS, ...figures });
    sb?.cleanup();
  });

  const exportJson = (expected: string[]) => {
    const r = sb.vault("alice", ["export", "--format", "json"], { reveals: expected });
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  test(`${WRITERS} vault set at once on different keys lose no update (${ROUNDS} rounds)`, async () => {
    const expected: Record<string, string> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const batch = Array.from({ length: WRITERS }, (_, i) => [`KEY_${round}_${i}`, `concurrent-value-${round}-${i}-${Math.random().toString(36).slice(2, 8)}`] as const);
      for (const [, v] of batch) sb.secret(v);
      const results = await Promise.all(batch.map(([k, v]) => run(sb, ["set", k, "--stdin"], v)));
      for (const r of results) expect({ code: r.code, stderr: /^\s+at /m.test(r.stderr) }).toEqual({ code: 0, stderr: false });
      for (const [k, v] of batch) expected[k] = v;
      const got = exportJson(Object.values(expected));
      figures.setRounds++;
      figures.setsRun += WRITERS;
      figures.setsLost += Object.keys(expected).filter((k) => got[k] !== expected[k]).length;
      expect(got).toEqual(expected);
    }
  });

  test(`two vault unlock at once never interleave the target (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const v = `unlock-race-${round}-${Math.random().toString(36).slice(2, 8)}`;
      sb.secret(v);
      ok(sb, "alice", ["set", "RACE_KEY", "--stdin"], v);
      const results = await Promise.all([run(sb, ["unlock", "--on-conflict", "overwrite"]), run(sb, ["unlock", "--on-conflict", "overwrite"])]);
      for (const r of results) expect(r.code).toBe(0);
      const vault = exportJson([...sb.secrets]);
      const target = parseDotenv(readFileSync(join(sb.repo, ".env"), "utf8"));
      figures.unlockRounds++;
      if (Object.keys(vault).some((k) => target[k] !== vault[k]) || Object.keys(target).length !== Object.keys(vault).length) figures.unlocksInterleaved++;
      expect(target).toEqual(vault);
    }
  });
});
