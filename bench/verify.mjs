// What signing and verification cost (docs/FORMAT.md §4–§6): a vault of 200 variables with a
// history of 1,000 commits, one in 10 of which changes 3 of its values (the others change an
// unrelated file), as a reader and a writer pay for it.
//
//   node bench/verify.mjs [--commits N] [--vars N] [--pull N] [--runs N] [--warmup N] [--keep]
//
// Measured, interleaved like bench/run.mjs (a new process per run, wall time, medians):
//   - `vault verify` cold: no trust cache (deleted before each run), the whole history;
//   - `vault verify` again, with the trust cache that run left;
//   - `vault export --format json` with a warm trust cache (HEAD verified);
//   - the first `vault export` after a pull of 10 new commits (one changes the vault): the
//     trust cache is put back to what it was before those commits for each run;
//   - the first `vault export` of a fresh clone (no trust cache: the whole history);
//   - `vault set KEY --stdin` (a new value each run): a signed write;
//   - `vault verify REV` cold for REV a quarter and half way up the history, for the growth
//     by commits (with the cold `vault verify` of all of it).
// The history is made in-process: the vault-changing commits through the built library's
// setValues (dist/lib/src/app/set.js) as the owner, the commits through `git fast-import`;
// the set-up checks that `vault verify` passes all of them and that the values read back.
// Values come from the seeded PRNG of lib/data.mjs. Prints Markdown.
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { option } from "./lib/args.mjs";
import { git, makeValues, makeVaultRepo, mustRun, prng } from "./lib/data.mjs";
import { growth, growthLines, measureLines } from "./lib/report.mjs";
import { measure } from "./lib/timing.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vault = join(root, "bin", "vault.js");
const argv = process.argv.slice(2);
const COMMITS = option("--commits", 1000);
const VARS = option("--vars", 200);
const PULL = option("--pull", 10);
const runs = option("--runs", 5);
const warmup = option("--warmup", 1);
/** One commit in EVERY changes the vault, CHANGED values at a time. */
const EVERY = 10;
const CHANGED = 3;
/** Unrelated files the other commits append a line to. */
const FILES = 50;
const log = (line) => process.stderr.write(`bench/verify: ${line}\n`);
if (![COMMITS, VARS, PULL, runs].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(warmup) && warmup >= 0) || COMMITS < 8 || VARS < CHANGED) {
  console.error("usage: node bench/verify.mjs [--commits N ≥ 8] [--vars N ≥ 3] [--pull N] [--runs N] [--warmup N] [--keep]");
  process.exit(2);
}
if (!existsSync(join(root, "dist", "cli", "main.js"))) {
  log("no build in dist/; run `npm run build` first");
  process.exit(1);
}
const { setValues } = await import("../dist/lib/src/app/set.js");

const tmp = mkdtempSync(join(os.tmpdir(), "envvault-bench-verify-"));
const env = { ...process.env, HOME: join(tmp, "home"), NO_COLOR: "1", PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
for (const k of Object.keys(env)) if (/^(ENVVAULT_|XDG_CONFIG_HOME$|NODE_OPTIONS$|GIT_)/.test(k)) delete env[k];
mkdirSync(env.HOME);
const identityFile = join(env.HOME, ".config", "envvault", "identity.txt");
const deps = (cwd) => ({ cwd, processEnv: { ...env, ENVVAULT_IDENTITY_FILE: identityFile } });

const count = (n) => n.toLocaleString("en");
const cli = (dir, args) => mustRun(process.execPath, [vault, ...args], { cwd: dir, env, maxBuffer: 64 << 20 });
const trustFiles = (dir) => readdirSync(join(dir, ".envvault.local")).filter((f) => /^trust-.*\.json$/.test(f));
const trustFile = (dir) => {
  const files = trustFiles(dir);
  if (files.length !== 1) throw new Error(`set-up: ${dir} has ${files.length} trust caches, expected 1`);
  return join(dir, ".envvault.local", files[0]);
};
const verifiedCommits = (dir) => JSON.parse(readFileSync(trustFile(dir), "utf8")).body.commits;

/** The files under `dir/sub`, by path relative to `dir`, with their bytes. */
function filesUnder(dir, sub) {
  const out = new Map();
  for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
    const rel = `${sub}/${e.name}`;
    if (e.isDirectory()) for (const [p, b] of filesUnder(dir, rel)) out.set(p, b);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

/**
 * Commits number `from` to `to` on top of HEAD (commit 1 is the vault's first): every
 * EVERY-th changes CHANGED values through setValues, in-process as the owner; the others
 * append a line to one of FILES unrelated files. Commits go to git through `git fast-import`
 * (a thousand `git commit`s take seconds), flushed before each vault write: a write signs its
 * lines as following HEAD's, so HEAD must be its commit's parent. Commit `n` is dated
 * n - 1 minutes after commit 1 (at `first`, Unix seconds).
 */
async function addCommits(dir, from, to, { first, rand, expected }) {
  const ref = git(dir, ["symbolic-ref", "HEAD"], { env }).trim();
  let stream = [];
  const data = (bytes) => stream.push(`data ${Buffer.byteLength(bytes)}\n`, bytes, "\n");
  const flush = () => {
    if (stream.length === 0) return;
    git(dir, ["fast-import", "--quiet"], { env, input: Buffer.concat(stream.map((x) => (typeof x === "string" ? Buffer.from(x) : x))) });
    git(dir, ["reset", "-q"], { env }); // the index as the new HEAD; the work tree is that already
    stream = [];
  };
  let vaultFiles = filesUnder(dir, ".envvault");
  for (let n = from; n <= to; n++) {
    const changed = new Map();
    let what = "notes";
    if (n % EVERY === 0) {
      flush();
      const keys = new Set();
      while (keys.size < CHANGED) keys.add(`VAR_${String(Math.floor(rand() * VARS)).padStart(4, "0")}`);
      const fresh = Object.values(makeValues(CHANGED, 1000 + n));
      const values = [...keys].map((key, i) => ({ key, value: fresh[i] }));
      await setValues(deps(dir), { values: async () => values });
      for (const { key, value } of values) expected[key] = value;
      what = `set ${[...keys].join(" ")}`;
      const now = filesUnder(dir, ".envvault");
      for (const [p, b] of now) if (!vaultFiles.get(p)?.equals(b)) changed.set(p, b);
      for (const p of vaultFiles.keys()) if (!now.has(p)) changed.set(p, null);
      vaultFiles = now;
    } else {
      const rel = `notes/file_${String(n % FILES).padStart(2, "0")}.txt`;
      appendFileSync(join(dir, rel), `commit ${n}: ${rand().toString(36).slice(2)}\n`);
      changed.set(rel, readFileSync(join(dir, rel)));
    }
    stream.push(`commit ${ref}\ncommitter bench <bench@example.invalid> ${first + 60 * (n - 1)} +0000\n`);
    data(`bench ${n}: ${what}`);
    if (stream.length === 4) stream.push(`from ${ref}^0\n`); // the first of a fast-import continues HEAD
    for (const [p, b] of changed) {
      if (b === null) stream.push(`D ${p}\n`);
      else {
        stream.push(`M 100644 inline ${p}\n`);
        data(b);
      }
    }
  }
  flush();
}

try {
  // --- the history ---------------------------------------------------------------------------
  const started = performance.now();
  const values = makeValues(VARS, 1);
  const expected = { ...values };
  const rand = prng(11);
  const repo = makeVaultRepo(join(tmp, "history", "repo"), values, { vault, env }); // commit 1
  mkdirSync(join(repo, "notes"));
  const first = Number(git(repo, ["log", "-1", "--format=%ct"], { env }));
  await addCommits(repo, 2, COMMITS, { first, rand, expected });
  git(repo, ["gc", "-q"], { env }); // packed, as a clone is
  const vaultCommits = 1 + Math.floor(COMMITS / EVERY);
  log(`built ${count(COMMITS)} commits (${vaultCommits} change the vault) over ${count(VARS)} variables in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // The whole history verifies, and the vault reads as written (from a clone that verified
  // nothing yet: a repeated verify starts after the commits verified before).
  for (const f of trustFiles(repo)) rmSync(join(repo, ".envvault.local", f));
  const checked = JSON.parse(cli(repo, ["verify", "--json"]));
  if (checked.ok !== true || checked.checked !== COMMITS) throw new Error(`set-up: vault verify checked ${checked.checked} commits (ok: ${checked.ok}), expected ${COMMITS}`);
  if (JSON.stringify(JSON.parse(cli(repo, ["export", "--format", "json"]))) !== JSON.stringify(expected)) throw new Error("set-up: vault export gives other values than were set");
  const head = git(repo, ["rev-parse", "HEAD"], { env }).trim();
  if (!verifiedCommits(repo).includes(head)) throw new Error("set-up: HEAD is not in the trust cache after vault verify");

  // A clone that pulls PULL new commits: its trust cache as it was before them, put back before each run.
  const pulled = join(tmp, "pulled", "repo");
  cpSync(repo, pulled, { recursive: true });
  const before = readFileSync(trustFile(pulled));
  await addCommits(pulled, COMMITS + 1, COMMITS + PULL, { first, rand, expected });
  const pulledVault = Math.floor((COMMITS + PULL) / EVERY) - Math.floor(COMMITS / EVERY);
  const pulledHead = git(pulled, ["rev-parse", "HEAD"], { env }).trim();
  const pulledCache = trustFile(pulled);
  const rewind = () => writeFileSync(pulledCache, before, { mode: 0o600 });
  rewind();
  if (JSON.stringify(JSON.parse(cli(pulled, ["export", "--format", "json"]))) !== JSON.stringify(expected)) throw new Error("set-up: after the pull vault export gives other values than were set");
  if (!verifiedCommits(pulled).includes(pulledHead)) throw new Error("set-up: the first export after the pull did not verify the new commits");

  // A writer's clone for `vault set`: a new value each run.
  const writer = join(tmp, "writer", "repo");
  cpSync(repo, writer, { recursive: true });
  let written = 0;
  const nextValue = () => `${Object.values(makeValues(1, 5000 + written++))[0]}\n`;

  // The growth runs and the fresh clone's export verify cold: in a copy, so the trust cache of the others stays whole.
  const partial = join(tmp, "partial", "repo");
  cpSync(repo, partial, { recursive: true });

  // --- timing --------------------------------------------------------------------------------
  const node = process.execPath;
  const at = (n) => `HEAD~${COMMITS - n}`;
  const parts = [Math.round(COMMITS / 4), Math.round(COMMITS / 2)];
  const cold = (dir) => () => {
    for (const f of trustFiles(dir)) rmSync(join(dir, ".envvault.local", f));
  };
  const exportJson = [vault, "export", "--format", "json"];
  const commands = [
    { name: "node", label: "node -e 0", display: "node -e 0", file: node, args: ["-e", "0"], cwd: repo },
    { name: "verifyCold", label: `verify cold, ${count(COMMITS)} commits`, display: "vault verify (no trust cache: the whole history and the work tree)", file: node, args: [vault, "verify"], cwd: repo, before: cold(repo) },
    { name: "verifyCached", label: `verify cached, ${count(COMMITS)} commits`, display: "vault verify (again: the trust cache a verify left)", file: node, args: [vault, "verify"], cwd: repo },
    { name: "export", label: `export ${count(VARS)}, history verified`, display: "vault export --format json (HEAD verified in the trust cache)", file: node, args: exportJson, cwd: repo },
    { name: "pull", label: `export ${count(VARS)} after a pull of ${PULL} commits`, display: `vault export --format json (the first after ${PULL} new commits, ${pulledVault} of which change${pulledVault === 1 ? "s" : ""} the vault)`, file: node, args: exportJson, cwd: pulled, before: rewind },
    { name: "fresh", label: `export ${count(VARS)} in a fresh clone, ${count(COMMITS)} commits`, display: "vault export --format json (no trust cache: verifies the whole history first)", file: node, args: exportJson, cwd: partial, before: cold(partial) },
    { name: "set", label: `set 1 of ${count(VARS)}`, display: "vault set VAR_0000 --stdin --quiet (a new value each run: sealed and signed)", file: node, args: [vault, "set", "VAR_0000", "--stdin", "--quiet"], cwd: writer, input: nextValue },
    ...parts.map((n) => ({ name: `verify${n}`, label: `verify REV cold, ${count(n)} commits`, display: `vault verify ${at(n)} (no trust cache)`, file: node, args: [vault, "verify", at(n)], cwd: partial, before: cold(partial) })),
  ];
  for (const c of commands) c.env = env;
  log(`timing ${commands.length} commands: ${warmup} warm-up + ${runs} interleaved rounds`);
  const load = os.loadavg()[0].toFixed(2);
  const results = measure(commands, { warmup, runs });
  const loadAfter = os.loadavg()[0].toFixed(2);

  // --- report --------------------------------------------------------------------------------
  const floor = results.node.median;
  console.log(`${count(VARS)} variables, ${count(COMMITS)} commits of which ${vaultCommits} change the vault (${CHANGED} values each; the others an unrelated file); git objects packed. ${warmup} warm-up + ${runs} interleaved rounds, medians; load average ${load} before, ${loadAfter} after; Node ${process.version}, ${os.availableParallelism?.() ?? os.cpus().length} cores.\n`);
  console.log(measureLines(commands, results, floor).join("\n"));
  const byCommits = growth("vault verify, cold, by commits of history", "commits", [...parts.map((n) => [n, `verify${n}`]), [COMMITS, "verifyCold"]], results, floor, "commit");
  console.log(`${growthLines(byCommits).join("\n")}\nThe history of HEAD~${COMMITS - parts[0]} and HEAD~${COMMITS - parts[1]}, then all of it (\`vault verify\` cold, which also checks the work tree's state: a few ms).`);
} finally {
  if (argv.includes("--keep")) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
