// What the pre-commit hook costs now that it knows every spelling of each value and the
// earlier values of history (docs/FORMAT.md §12): the repository of bench/lib/hookrepo.mjs
// (5,000 committed files, 100 staged changes) over a vault of 2,000 variables whose history
// rotated 500 values — 450 on main in 9 commits, 50 on a branch that only a remote-tracking
// ref still names — so the cache holds 2,500 values, each in up to 10 spellings.
//
//   node bench/hook.mjs [--vars N] [--runs N] [--warmup N] [--keep]
//
// Measured, interleaved like bench/run.mjs (a new process per run, wall time, medians):
//   - `vault hook pre-commit` as git runs it, refs unchanged since the cache was written: the
//     goal, ≤ 2.5 × `node -e 0`;
//   - the same after a ref moved (the cache's stamp of the refs put back to a stale one before
//     each run): the hook lists the history again (`git rev-list`, `git cat-file`), finds
//     nothing new, and writes the cache — what the first commit after a commit or a fetch pays;
//   - `vault hooks refresh` with no cache (deleted before each run): the whole rebuild, every
//     value decrypted and fingerprinted in every spelling, for a tenth of the variables and for
//     all of them (the growth by values).
// The set-up checks that the cache knows the 2,000 current and 500 earlier values, and that
// the hook blocks a base64-encoded current value, an earlier value and a percent-encoded value
// of the other branch, and lets the clean change set through. Prints Markdown.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { option } from "./lib/args.mjs";
import { commitAll, git, makeValues, makeVaultRepo, mustRun, prng, toDotenv } from "./lib/data.mjs";
import { cacheCounts, HOOK_FILES, HOOK_STAGED, makeHookRepo, readCache, writeCache } from "./lib/hookrepo.mjs";
import { growth, growthLines, measureLines } from "./lib/report.mjs";
import { measure } from "./lib/timing.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vault = join(root, "bin", "vault.js");
const argv = process.argv.slice(2);
const VARS = option("--vars", 2000);
const runs = option("--runs", 10);
const warmup = option("--warmup", 2);
/** Rotations on main (commits × values each), then one on a side branch. */
const COMMITS = 9;
const share = (n) => Math.max(1, Math.round((n * 50) / 2000));
const GOAL = 2.5;
const log = (line) => process.stderr.write(`bench/hook: ${line}\n`);
if (![VARS, runs].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(warmup) && warmup >= 0) || VARS < 200) {
  console.error("usage: node bench/hook.mjs [--vars N ≥ 200] [--runs N] [--warmup N] [--keep]");
  process.exit(2);
}

const tmp = mkdtempSync(join(os.tmpdir(), "envvault-bench-hook-"));
const env = { ...process.env, HOME: join(tmp, "home"), NO_COLOR: "1", PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
for (const k of Object.keys(env)) if (/^(ENVVAULT_|XDG_CONFIG_HOME$|NODE_OPTIONS$|GIT_)/.test(k)) delete env[k];
mkdirSync(env.HOME);
const cli = (dir, args) => mustRun(process.execPath, [vault, ...args], { cwd: dir, env, maxBuffer: 64 << 20 });
const count = (n) => n.toLocaleString("en");
const cachePath = (dir) => join(dir, ".envvault.local", "fingerprints.bin");

/** New values for `keys` (seeded), imported in one `vault import` and committed; returns them. */
function rotate(dir, keys, seed, message) {
  const fresh = Object.values(makeValues(keys.length, seed));
  const values = Object.fromEntries(keys.map((k, i) => [k, fresh[i]]));
  const file = join(dir, "..", `rotate-${seed}.env`);
  writeFileSync(file, toDotenv(values));
  cli(dir, ["import", file, "--quiet"]);
  commitAll(dir, env, message);
  return values;
}

/**
 * A vault of `vars` variables with a rotated history: COMMITS commits on main each give new
 * values to `share(vars)` variables not rotated before, then a branch does the same once and
 * is left only as `refs/remotes/origin/rotated`. Returns the repository, the values as they
 * are on main, and the values history holds that are no longer current.
 */
function vaultWithHistory(dir, vars, seed) {
  const current = makeValues(vars, seed);
  makeVaultRepo(dir, current, { vault, env });
  const rand = prng(seed + 100);
  const keys = Object.keys(current).sort(() => rand() - 0.5);
  const n = share(vars);
  const earlier = [];
  for (let c = 0; c < COMMITS; c++) {
    const picked = keys.slice(c * n, (c + 1) * n);
    earlier.push(...picked.map((k) => current[k]));
    Object.assign(current, rotate(dir, picked, seed * 1000 + c, `bench: rotate ${n} values`));
  }
  git(dir, ["checkout", "-q", "-b", "rotated"], { env });
  const side = rotate(dir, keys.slice(COMMITS * n, (COMMITS + 1) * n), seed * 1000 + COMMITS, `bench: rotate ${n} values on a branch`);
  earlier.push(...Object.values(side));
  git(dir, ["update-ref", "refs/remotes/origin/rotated", "HEAD"], { env });
  git(dir, ["checkout", "-q", "-"], { env });
  git(dir, ["branch", "-q", "-D", "rotated"], { env });
  cli(dir, ["unlock", "--quiet"]);
  return { dir, current, earlier, side: Object.values(side) };
}

/** `vault hook pre-commit` with `file` staged holding `text`: its exit status and stderr; the file is unstaged and removed after. */
function hookWith(dir, file, text) {
  writeFileSync(join(dir, file), text);
  git(dir, ["add", "--", file], { env });
  const r = spawnSync(process.execPath, [vault, "hook", "pre-commit"], { cwd: dir, env, encoding: "utf8" });
  git(dir, ["rm", "-q", "--cached", "--", file], { env });
  rmSync(join(dir, file));
  return { status: r.status, stderr: r.stderr ?? "" };
}

try {
  // --- the repositories --------------------------------------------------------------------------
  const started = Date.now();
  const small = vaultWithHistory(join(tmp, "small", "repo"), Math.round(VARS / 10), 4);
  const big = vaultWithHistory(join(tmp, "big", "repo"), VARS, 2);
  const hook = makeHookRepo(join(tmp, "hook", "repo"), big.dir, { vault, env, values: big.current });
  const counts = cacheCounts(hook.dir);
  const expectEarlier = big.earlier.length;
  if (counts.current !== VARS || counts.earlier !== expectEarlier) {
    throw new Error(`set-up: the fingerprint cache knows ${counts.current} current and ${counts.earlier} earlier values, expected ${VARS} and ${expectEarlier}`);
  }
  const b64 = hookWith(hook.dir, "src/new/k8s.yaml", `data:\n  TOKEN: ${Buffer.from(big.current.VAR_0042).toString("base64")}\n`);
  const old = hookWith(hook.dir, "src/new/old.ts", `export const key = ${JSON.stringify(big.earlier[7])};\n`);
  const side = hookWith(hook.dir, "src/new/url.txt", `postgres://app:${encodeURIComponent(big.side[3])}@db/app\n`);
  for (const [what, r, expected] of [
    ["a base64-encoded current value", b64, "base64-encoded"],
    ["an earlier value", old, "an earlier value of"],
    ["a percent-encoded value of the other branch", side, "percent-encoded"],
  ]) {
    if (r.status !== 6 || !r.stderr.includes(expected)) throw new Error(`set-up: the hook did not block ${what} (exit ${r.status})\n${r.stderr}`);
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${count(VARS)} + ${count(Math.round(VARS / 10))} variables, ${count(counts.rows)} rows in the table (${(counts.rows / (counts.current + counts.earlier)).toFixed(1)} spellings per value)`);

  // The cache with a stale stamp of the refs: what the hook finds after a commit or a fetch.
  const fresh = readFileSync(cachePath(hook.dir));
  const { head, table } = readCache(hook.dir);
  writeCache(hook.dir, { ...head, history: { ...head.history, refs: "moved" } }, table);
  const staleBytes = readFileSync(cachePath(hook.dir));
  const afterMove = () => writeFileSync(cachePath(hook.dir), staleBytes, { mode: 0o600 });
  const restore = () => writeFileSync(cachePath(hook.dir), fresh, { mode: 0o600 });
  restore();
  const noCache = (dir) => () => rmSync(cachePath(dir), { force: true });

  // --- timing ----------------------------------------------------------------------------------
  const node = process.execPath;
  const staged = `${HOOK_STAGED.edited + HOOK_STAGED.added} staged of ${count(HOOK_FILES)} files`;
  const commands = [
    { name: "node", label: "node -e 0", display: "node -e 0", file: node, args: ["-e", "0"], cwd: hook.dir },
    { name: "hook", label: `hook, ${count(VARS)} values + ${count(expectEarlier)} earlier`, display: `vault hook pre-commit (${staged}, refs unchanged)`, file: node, args: [vault, "hook", "pre-commit"], cwd: hook.dir, before: restore },
    { name: "moved", label: "hook after a ref moved", display: `vault hook pre-commit (${staged}, the history listed again)`, file: node, args: [vault, "hook", "pre-commit"], cwd: hook.dir, before: afterMove },
    { name: "rebuildSmall", label: `rebuild, ${count(Math.round(VARS / 10))} values`, display: "vault hooks refresh (no cache: every value and earlier value)", file: node, args: [vault, "hooks", "refresh", "--quiet"], cwd: small.dir, before: noCache(small.dir) },
    { name: "rebuild", label: `rebuild, ${count(VARS)} values`, display: "vault hooks refresh (no cache: every value and earlier value)", file: node, args: [vault, "hooks", "refresh", "--quiet"], cwd: big.dir, before: noCache(big.dir) },
  ];
  for (const c of commands) c.env = env;
  log(`timing ${commands.length} commands: ${warmup} warm-up + ${runs} interleaved rounds`);
  const load = os.loadavg()[0].toFixed(2);
  const results = measure(commands, { warmup, runs });
  const loadAfter = os.loadavg()[0].toFixed(2);
  restore();

  // --- report ----------------------------------------------------------------------------------
  const floor = results.node.median;
  const ratio = results.hook.median / floor;
  const ratioMin = results.hook.min / results.node.min;
  console.log(`${count(VARS)} variables, ${count(expectEarlier)} of their values rotated out in ${COMMITS + 1} commits (one on a branch only a remote-tracking ref names); ${count(counts.rows)} rows in the fingerprint table. ${warmup} warm-up + ${runs} interleaved rounds, medians; load average ${load} before, ${loadAfter} after; Node ${process.version}, ${os.availableParallelism?.() ?? os.cpus().length} cores.\n`);
  console.log(measureLines(commands, results, floor).join("\n"));
  console.log(`pre-commit hook / node: ${ratio.toFixed(2)} (goal ≤ ${GOAL}: ${ratio <= GOAL ? "met" : "**not met**"}); of the minimums ${ratioMin.toFixed(2)}\n`);
  const byValues = growth("vault hooks refresh, no cache, by values", "vars", [[Math.round(VARS / 10), "rebuildSmall"], [VARS, "rebuild"]], results, floor, "variable");
  console.log(growthLines(byValues).join("\n"));
} finally {
  if (argv.includes("--keep")) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
