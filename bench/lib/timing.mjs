// Wall-clock timing of whole commands, the way a user pays for them: each run is a new
// process (spawnSync), stdout goes to /dev/null, stderr is kept to report failures.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/**
 * Runs one command once; returns its wall time in ms, throws if it fails. `before()` runs
 * first, untimed (to reset a cache, say); `input()` gives the text for its stdin (else none).
 */
export function timeOnce({ name, file, args, cwd, env, before, input }) {
  before?.();
  const stdin = input?.();
  const start = performance.now();
  const r = spawnSync(file, args, { cwd, env, input: stdin, stdio: [stdin === undefined ? "ignore" : "pipe", "ignore", "pipe"], maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${name}: exit ${r.status ?? r.signal}\n${r.stderr ?? ""}${r.error ?? ""}`);
  return ms;
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  return { median, mean, sd, min: s[0], max: s.at(-1), runs: s.length, samples };
}

/**
 * Interleaved runs: every round runs each command once, in an order rotated by one per
 * round, so that drift in machine load (other processes, thermal, caches) spreads over all
 * commands instead of landing on one. The first `warmup` rounds are discarded.
 * Returns { [name]: stats }.
 */
export function measure(commands, { warmup = 2, runs = 10, onRound = () => {} } = {}) {
  const samples = Object.fromEntries(commands.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (let i = 0; i < commands.length; i++) {
      const c = commands[(i + round) % commands.length];
      const ms = timeOnce(c);
      if (round >= warmup) samples[c.name].push(ms);
    }
    onRound(round + 1 - warmup, runs);
  }
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, stats(s)]));
}

/**
 * Median peak RSS (KiB) of `runs` runs of a command, from GNU time's %M; undefined when
 * /usr/bin/time is missing (Debian: `apt-get install time`).
 */
export function peakRssKiB({ file, args, cwd, env }, runs = 5) {
  if (!existsSync("/usr/bin/time")) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "envvault-rss-"));
  try {
    const kib = [];
    for (let i = 0; i < runs; i++) {
      const out = join(dir, "rss");
      const r = spawnSync("/usr/bin/time", ["-o", out, "-f", "%M", file, ...args], { cwd, env, stdio: "ignore" });
      if (r.status !== 0) throw new Error(`peak RSS run failed: exit ${r.status ?? r.signal}`);
      kib.push(Number(readFileSync(out, "utf8").trim().split("\n").at(-1)));
    }
    return stats(kib).median;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
