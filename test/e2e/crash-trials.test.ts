/**
 * scripts/crash-trials.mjs kill -9s `vault rotate --remove alice` at random times and checks
 * that bob always finds the old or the new vault. A short run here (8 trials, fixed seed);
 * `node scripts/crash-trials.mjs --trials 200` is the long one.
 */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { requireBuild, ROOT } from "./harness.js";

describe("scripts/crash-trials.mjs", () => {
  test("8 random kill -9 trials of rotate --remove find every vault old or new, never mixed", () => {
    requireBuild();
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "crash-trials.mjs"), "--trials", "8", "--seed", "1"], { encoding: "utf8", timeout: 55_000 });
    const summary = /^(\d+) trials, (\d+) old, (\d+) new, (\d+) mixed$/m.exec(r.stdout);
    expect({ status: r.status, summary: summary?.[0] }).toEqual({ status: 0, summary: expect.stringMatching(/^8 trials, \d+ old, \d+ new, 0 mixed$/) });
    expect(Number(summary![2]) + Number(summary![3])).toBe(8);
    // The script reports how each run ended, on stderr.
    expect(r.stderr).toMatch(/how the runs ended: /);
  });

  test("bad usage is exit 2 with the usage line", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "crash-trials.mjs"), "--trials", "zero"], { encoding: "utf8" });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: "" });
    expect(r.stderr).toContain("usage: node scripts/crash-trials.mjs [--trials N]");
  });
});
