// Random kill -9 trials of `vault rotate --remove alice` (docs/FORMAT.md: a crash at any
// point leaves every file old or new). Each trial resets a throwaway repository to the commit
// before the rotation, starts the rotation as bob, SIGKILLs it after a random delay, and then
// lets the next vault commands find the vault: bob must read every value exactly as before,
// and the vault must be entirely old (alice still reads, nothing re-keyed) or entirely new
// (alice exit 3, every scope she could read re-keyed, her key files and roster entry gone),
// with no integrity error and no drift between roster.yaml and the key files.
//
//   node scripts/crash-trials.mjs [--trials N] [--max-delay MS] [--min-delay MS] [--seed S] [--no-focus] [--keep] [--verbose]
//
// --trials defaults to 20 (use 200 for a long run). The delay is uniform in [min, max] ms, max
// defaulting to the measured duration of one uninterrupted rotation. Most of that time is
// Node starting and the keys being computed; the commit itself (temp files, journal, renames)
// is the last few milliseconds. So unless --no-focus, trials take turns: a delay uniform in
// [min, max]; a delay uniform in the commit window measured by watching calibration runs;
// and a kill 0–3 ms after the journal appears (the parent polls for it), which lands in the
// middle of the renames that a timer alone almost never hits.
// Needs a build (`npm run build`). Prints "N trials, N old, N new, N mixed"; exits 1 on any
// mixed or unreadable state, 2 on bad usage.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "vault.js");

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) usage(`${name} needs a number`);
  return n;
};
function usage(problem) {
  console.error(`crash-trials: ${problem}\nusage: node scripts/crash-trials.mjs [--trials N] [--max-delay MS] [--min-delay MS] [--seed S] [--no-focus] [--keep] [--verbose]`);
  process.exit(2);
}
for (const a of argv) if (a.startsWith("--") && !["--trials", "--max-delay", "--min-delay", "--seed", "--no-focus", "--keep", "--verbose"].includes(a)) usage(`unknown option ${a}`);
const trials = option("--trials", 20);
const seed = option("--seed", Math.floor(Math.random() * 2 ** 31));
const minDelay = option("--min-delay", 0);
const maxDelayOption = option("--max-delay", undefined);
if (maxDelayOption !== undefined && maxDelayOption < minDelay) usage("--max-delay is below --min-delay");
const verbose = flag("--verbose");
if (!Number.isInteger(trials) || trials < 1) usage("--trials needs a positive whole number");
if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
  console.error("crash-trials: no build in dist/: run `npm run build` first");
  process.exit(1);
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with --seed. */
function prng(a) {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const log = (line) => process.stderr.write(`crash-trials: ${line}\n`);

// --- a team repository: alice, bob (team dev) and ci; bob's own scope production:payments ---
const base = mkdtempSync(join(tmpdir(), "envvault-crash-"));
const repo = join(base, "repo");
mkdirSync(repo);
const DEV = { API_TOKEN: "trial-dev-token-5a1e0c", DATABASE_URL: "postgres://dev:trial-devpw-c83b@db/dev" };
const PROD = { API_TOKEN: "trial-prod-token-9e2f47", DATABASE_URL: "postgres://prod:trial-prodpw-1d6a@db/prod" };
const PAYMENTS = { STRIPE_SECRET: "trial-stripe-secret-04b7d9" };
const SECRETS = [...Object.values(DEV), ...Object.values(PROD), ...Object.values(PAYMENTS)];
const ENVS = ["development", "production"];
const expected = { development: DEV, production: { ...PROD, ...PAYMENTS } };

const envOf = (user) => {
  const home = join(base, `home-${user}`);
  mkdirSync(home, { recursive: true });
  return { PATH: process.env.PATH, HOME: home, USER: user, LANG: "C.UTF-8", NO_COLOR: "1", CI: "1", GIT_CONFIG_NOSYSTEM: "1" };
};
const users = { alice: envOf("alice"), bob: envOf("bob"), ci: envOf("ci") };

function git(args) {
  const r = spawnSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** `vault ARGS` as `user`; no secret may appear on stderr, nor on stdout unless `reveal`. */
function vault(user, args, { input = "", env = {}, reveal = false } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: repo, env: { ...users[user], ...env }, input, encoding: "utf8" });
  for (const s of SECRETS) {
    if ((!reveal && r.stdout.includes(s)) || r.stderr.includes(s)) throw new Error(`a secret value leaked in the output of vault ${args.join(" ")}`);
  }
  return r;
}
function ok(user, args, opts) {
  const r = vault(user, args, opts);
  if (r.status !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  return r;
}

function setup() {
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Crash Trials"]);
  git(["config", "user.email", "crash@example.invalid"]);
  git(["config", "commit.gpgsign", "false"]);
  ok("alice", ["init", "--yes", "--env", "development,production", "--name", "alice"]);
  // A member is added with the recipient and signing key their `vault whoami --json` prints.
  const member = (user) => {
    ok(user, ["keygen"]);
    const who = JSON.parse(ok(user, ["whoami", "--json"]).stdout);
    return ["--recipient", who.recipients[0], "--signing-key", who.signingKeys[0]];
  };
  ok("alice", ["member", "add", "bob", ...member("bob"), "--team", "dev"]);
  ok("alice", ["member", "add", "ci", ...member("ci"), "--kind", "machine"]);
  ok("alice", ["import", "-"], { input: Object.entries(DEV).map(([k, v]) => `${k}=${v}\n`).join("") });
  ok("alice", ["import", "-", "--env", "production"], { input: Object.entries(PROD).map(([k, v]) => `${k}=${v}\n`).join("") });
  ok("alice", ["grant", "team:dev", "development"]);
  ok("alice", ["grant", "bob", "production"]);
  ok("alice", ["grant", "ci", "development"]);
  ok("alice", ["grant", "ci", "production"]);
  // bob, a second admin, makes a scope alice never reads and later removes alice (roster changes).
  ok("alice", ["admin", "add", "bob"]);
  ok("bob", ["scope", "add", "production:payments"]);
  ok("bob", ["set", "STRIPE_SECRET", "--stdin", "--scope", "payments", "--env", "production"], { input: PAYMENTS.STRIPE_SECRET });
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "before the rotation"]);
  const objects = spawnSync("git", ["cat-file", "--batch-all-objects", "--batch"], { cwd: repo, encoding: "latin1", maxBuffer: 256 * 1024 * 1024 }).stdout;
  if (SECRETS.some((v) => objects.includes(v))) throw new Error("a secret value reached a git object");
  return git(["rev-parse", "HEAD"]).trim();
}

const read = (rel) => readFileSync(join(repo, rel), "utf8");
function scopeLines() {
  const out = {};
  for (const env of ENVS) for (const m of read(`.envvault/envs/${env}.env`).matchAll(/^#@scope (\S+) (age1[0-9a-z]+) \S+$/gm)) out[m[1]] = m[2];
  return out;
}

function reset(head) {
  git(["reset", "-q", "--hard", head]);
  git(["clean", "-q", "-f", "-d", "-x"]);
}

/** What the kill left, before any other command runs (for the report only). */
function phase() {
  const local = join(repo, ".envvault.local");
  if (existsSync(join(local, "journal.json"))) return "after the journal";
  const temps = readdirSync(join(repo, ".envvault"), { recursive: true }).some((p) => String(p).endsWith(".tmp"));
  if (temps) return "while staging";
  if (existsSync(join(local, "lock"))) return "holding the lock";
  return "with no lock, temp file or journal left";
}

/** "old", "new", or a description of what is wrong. Runs the commands that recover the vault first. */
function classify(scopesBefore) {
  for (const env of ENVS) {
    const r = vault("bob", ["export", "--format", "json", "--env", env], { reveal: true });
    if (r.status !== 0) return `bob cannot export ${env}: exit ${r.status ?? r.signal}: ${r.stderr.trim().split("\n")[0]}`;
    if (JSON.stringify(JSON.parse(r.stdout)) !== JSON.stringify(expected[env])) return `bob's ${env} values changed`;
  }
  const alice = vault("alice", ["get", "API_TOKEN"], { reveal: true }).status;
  const check = vault("bob", ["check", "--json"]);
  let problems;
  try {
    problems = JSON.parse(check.stdout).problems.filter((p) => p.kind !== "exposed");
  } catch {
    return `vault check failed: exit ${check.status}: ${check.stderr.trim().split("\n")[0]}`;
  }
  const scopes = scopeLines();
  const facts = {
    alice,
    aliceInRoster: /^ {2}alice:$/m.test(read(".envvault/roster.yaml")),
    aliceKeyFiles: ENVS.filter((env) => existsSync(join(repo, `.envvault/keys/${env}/alice.age`))).length,
    rekeyed: ENVS.filter((env) => scopes[env] !== scopesBefore[env]).length,
    paymentsKept: scopes["production:payments"] === scopesBefore["production:payments"],
    exposures: existsSync(join(repo, ".envvault/exposed.json"))
      ? JSON.parse(read(".envvault/exposed.json")).records.reduce((n, r) => n + Object.keys(r.keys).length, 0)
      : 0,
    problems: problems.length,
  };
  const state = JSON.stringify(facts);
  if (state === JSON.stringify({ alice: 0, aliceInRoster: true, aliceKeyFiles: 2, rekeyed: 0, paymentsKept: true, exposures: 0, problems: 0 })) return "old";
  if (state === JSON.stringify({ alice: 3, aliceInRoster: false, aliceKeyFiles: 0, rekeyed: 2, paymentsKept: true, exposures: 4, problems: 0 })) return "new";
  return `mixed ${state}`;
}

/**
 * Starts the rotation, SIGKILLs it after `delay` ms (unless it finished), resolves with how it
 * ended. With `watch`, polls the file system meanwhile and reports when the first temp file
 * and the journal appeared (ms after the spawn).
 */
function killedRun(delay, watch = false, afterJournal = undefined) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(process.execPath, [BIN, "rotate", "--remove", "alice"], { cwd: repo, env: users.bob, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let done = false;
    const seen = {};
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), delay);
    const poll = () => {
      if (done) return;
      if (seen.stage === undefined && readdirSync(join(repo, ".envvault", "envs")).some((n) => n.endsWith(".tmp"))) seen.stage = elapsed();
      if (seen.journal === undefined && existsSync(join(repo, ".envvault.local", "journal.json"))) {
        seen.journal = elapsed();
        if (afterJournal !== undefined) setTimeout(() => child.kill("SIGKILL"), afterJournal);
      }
      setImmediate(poll);
    };
    if (watch || afterJournal !== undefined) poll();
    child.on("error", reject);
    child.on("close", (status, signal) => {
      done = true;
      clearTimeout(timer);
      resolve({ status, signal, stderr, ms: elapsed(), ...seen });
    });
  });
}

let failed = false;
try {
  const head = setup();
  const scopesBefore = scopeLines();
  // Calibrate: how long one uninterrupted rotation takes here, and when its commit starts.
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const r = await killedRun(60_000, true);
    if (r.status !== 0) throw new Error(`an uninterrupted rotation failed: ${r.stderr}`);
    runs.push(r);
    reset(head);
  }
  const median = (xs) => xs.filter((x) => x !== undefined).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const end = median(runs.map((r) => r.ms));
  const stage = median(runs.map((r) => r.stage)) ?? end * 0.8;
  const maxDelay = maxDelayOption ?? Math.max(minDelay, Math.ceil(end));
  const focus = flag("--no-focus") ? undefined : { from: Math.max(0, stage - 5), to: end + 2 };
  log(
    `seed ${seed}; one rotation takes ${runs.map((r) => r.ms.toFixed(0)).join(" / ")} ms, its commit starts at ≈ ${stage.toFixed(0)} ms` +
      ` (journal at ≈ ${(median(runs.map((r) => r.journal)) ?? NaN).toFixed(0)} ms); kill delays uniform in [${minDelay}, ${maxDelay}] ms` +
      (focus ? `; or in the commit window [${focus.from.toFixed(0)}, ${focus.to.toFixed(0)}] ms; or 0–3 ms after the journal appears` : "") +
      `; repository ${repo}`,
  );

  const counts = { old: 0, new: 0, mixed: 0 };
  const phases = {};
  for (let t = 1; t <= trials; t++) {
    reset(head);
    const mode = focus === undefined ? 0 : t % 3;
    const delay = mode === 1 ? focus.from + random() * (focus.to - focus.from) : minDelay + random() * (maxDelay - minDelay);
    const afterJournal = mode === 2 ? random() * 3 : undefined;
    // In the journal mode, the timer is only a fallback (a run that never writes its journal).
    const run = await killedRun(mode === 2 ? 60_000 : delay, false, afterJournal);
    const when = afterJournal === undefined ? `delay ${delay.toFixed(1)} ms` : `${afterJournal.toFixed(1)} ms after the journal`;
    let where;
    let state;
    if (run.signal === "SIGKILL") {
      where = `killed ${phase()}`;
      state = classify(scopesBefore);
    } else if (run.status === 0) {
      where = "completed";
      state = classify(scopesBefore);
    } else {
      where = "failed";
      state = `rotation exited ${run.status ?? run.signal}: ${run.stderr.trim().split("\n")[0]}`;
    }
    phases[where] = (phases[where] ?? 0) + 1;
    if (state === "old" || state === "new") counts[state]++;
    else {
      counts.mixed++;
      log(`trial ${t} (${when}, ${where}): ${state}`);
    }
    if (verbose) log(`trial ${t}: ${when}, ${where}, ${state}`);
  }
  log(`how the runs ended: ${Object.entries(phases).map(([k, v]) => `${v} ${k}`).join(", ")}`);
  console.log(`${trials} trials, ${counts.old} old, ${counts.new} new, ${counts.mixed} mixed`);
  failed = counts.mixed > 0;
} catch (e) {
  log(`error: ${e instanceof Error ? e.message : String(e)}`);
  failed = true;
} finally {
  if (flag("--keep")) log(`kept ${base}`);
  else rmSync(base, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
