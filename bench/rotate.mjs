// Offboarding cost: `vault rotate --remove MEMBER` over 10 environments × 200 variables with
// 50 members (one team granted every environment, so every member holds a key file for every
// scope and the rotation re-wraps 10 new scope keys for the 49 who stay).
//
//   node bench/rotate.mjs [--envs N] [--vars N] [--members N] [--profile] [--keep]
//
// The vault is built deterministically (values from the seeded PRNG of lib/data.mjs, members
// m01…, environments env-00…) through the real CLI, except that the members' identities are
// made in-process with age-encryption and added to roster.yaml in one edit (49 `vault keygen`
// plus 49 `vault member add` would only make the set-up slower), each with its signing key,
// and the owner signs the edit with `vault sign` (docs/FORMAT.md §5). Then ONE `vault rotate
// --remove` is timed, and a second one on a fresh copy of the same repository; each is a new
// process, wall time from spawn to exit, after a `sync` (so the rotation's fsyncs do not pay
// for writing back the set-up's files). Prints `rotate --remove: X s (goal ≤ 2 s)` with the
// slower of the two, then details. --profile runs a third copy under `node --cpu-prof` and
// prints where the time goes (idle, GC, and the functions with the most inclusive time).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { parseDocument } from "yaml";
import { option } from "./lib/args.mjs";
import { commitAll, git, makeValues, mustRun, toDotenv } from "./lib/data.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vault = join(root, "bin", "vault.js");
const argv = process.argv.slice(2);
const ENVS = option("--envs", 10);
const VARS = option("--vars", 200);
const MEMBERS = option("--members", 50);
const GOAL_S = 2;
const log = (line) => process.stderr.write(`bench/rotate: ${line}\n`);
if (![ENVS, VARS, MEMBERS].every((n) => Number.isInteger(n) && n > 0) || MEMBERS < 2) {
  console.error("usage: node bench/rotate.mjs [--envs N] [--vars N] [--members N ≥ 2] [--profile] [--keep]");
  process.exit(2);
}
if (!existsSync(join(root, "dist", "cli", "main.js"))) {
  log("no build in dist/; run `npm run build` first");
  process.exit(1);
}
const { signerFor } = await import("../dist/lib/src/crypto/sign.js");

const tmp = mkdtempSync(join(os.tmpdir(), "envvault-bench-rotate-"));
const env = { ...process.env, HOME: join(tmp, "home"), NO_COLOR: "1", CI: "1" };
for (const k of Object.keys(env)) if (/^(ENVVAULT_|XDG_CONFIG_HOME$|NODE_OPTIONS$|GIT_DIR$|GIT_WORK_TREE$)/.test(k)) delete env[k];
mkdirSync(env.HOME);

const envNames = Array.from({ length: ENVS }, (_, i) => `env-${String(i).padStart(2, "0")}`);
const others = Array.from({ length: MEMBERS - 1 }, (_, i) => `m${String(i + 1).padStart(2, "0")}`);
const leaving = others.at(-1);
const stay = others[0];

function cli(cwd, args, opts = {}) {
  return mustRun(process.execPath, [vault, ...args], { cwd, env: { ...env, ...opts.env }, input: opts.input, maxBuffer: 64 << 20 });
}

/** The vault: owner inits every environment, the others join team eng, eng is granted each environment. */
async function build(dir) {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q"], { env });
  cli(dir, ["init", "--quiet", "--yes", "--name", "owner", "--env", envNames.join(",")]);
  const identities = {};
  const roster = parseDocument(readFileSync(join(dir, ".envvault", "roster.yaml"), "utf8"));
  for (const name of others) {
    identities[name] = await generateIdentity();
    roster.setIn(["members", name], roster.createNode({ recipients: [await identityToRecipient(identities[name])], signing_keys: [signerFor(identities[name]).publicKey], teams: ["eng"] }));
  }
  writeFileSync(join(dir, ".envvault", "roster.yaml"), String(roster));
  cli(dir, ["sign", "--quiet"]);
  for (const [i, name] of envNames.entries()) {
    cli(dir, ["import", "-", "--quiet", "--env", name], { input: toDotenv(makeValues(VARS, 100 + i)) });
    cli(dir, ["grant", "--quiet", "team:eng", name]);
  }
  const keyFiles = envNames.reduce((n, e) => n + readdirSync(join(dir, ".envvault", "keys", e)).length, 0);
  if (keyFiles !== ENVS * MEMBERS) throw new Error(`set-up: ${keyFiles} key files, expected ${ENVS * MEMBERS}`);
  commitAll(dir, env, "bench vault");
  log(`built ${ENVS} environments × ${VARS} variables, ${MEMBERS} members (${keyFiles} key files) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return identities;
}

/** One timed `vault rotate --remove`, a new process; checks the result. */
function timedRotate(dir, nodeArgs = []) {
  // Write back what the set-up and the copies left dirty first: the rotation's fsyncs
  // would otherwise flush it and be charged for it (hundreds of ms on this file system).
  spawnSync("sync");
  const start = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, vault, "rotate", "--remove", leaving, "--json"], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`rotate --remove ${leaving}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  const result = JSON.parse(r.stdout);
  if (result.scopes.length !== ENVS || result.exposed.length !== ENVS * VARS) {
    throw new Error(`rotate --remove ${leaving}: re-keyed ${result.scopes.length} scopes and listed ${result.exposed.length} exposed values, expected ${ENVS} and ${ENVS * VARS}`);
  }
  return ms;
}

/** After the rotation the leaver reads nothing and the others read every value unchanged. */
function verify(dir, identities) {
  const as = (name) => ({ env: { ENVVAULT_IDENTITY: identities[name] } });
  const denied = spawnSync(process.execPath, [vault, "get", "VAR_0000", "--env", envNames[0]], { cwd: dir, env: { ...env, ...as(leaving).env }, encoding: "utf8" });
  if (denied.status !== 3) throw new Error(`after the rotation ${leaving} gets exit ${denied.status}, expected 3`);
  for (const [i, name] of [[0, envNames[0]], [ENVS - 1, envNames.at(-1)]]) {
    const values = JSON.parse(cli(dir, ["export", "--format", "json", "--env", name], as(stay)));
    if (JSON.stringify(values) !== JSON.stringify(makeValues(VARS, 100 + i))) throw new Error(`after the rotation ${stay} reads other values in ${name}`);
  }
}

/**
 * Where the time of a .cpuprofile goes: idle (waiting for the file system), garbage
 * collection, and the functions with the most inclusive time (a sample counts once for every
 * distinct function on its stack; async continuations are rooted where they resume).
 */
function summarize(file, top = 20) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const seen = new Set();
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      if (f.functionName === "(root)") continue;
      const url = f.url.replace(/^file:\/\//, "");
      const where = url === "" ? "" : url.startsWith("node:") || !url.startsWith("/") ? ` (node:${url.replace(/^node:/, "")})` : ` (${url.replace(root + "/", "")}:${f.lineNumber + 1})`;
      const key = `${f.functionName || "(anonymous)"}${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  const rows = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`profile: ${total.toFixed(0)} ms sampled; inclusive time, top ${top}:`, ...rows.map(([k, ms]) => `  ${ms.toFixed(1).padStart(7)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`)].join("\n");
}

try {
  const first = join(tmp, "repo-1");
  const identities = await build(first);
  const second = join(tmp, "repo-2");
  cpSync(first, second, { recursive: true });
  const third = join(tmp, "repo-3");
  if (argv.includes("--profile")) cpSync(first, third, { recursive: true });

  const runs = [timedRotate(first), timedRotate(second)];
  verify(first, identities);
  const worst = Math.max(...runs);
  console.log(`rotate --remove: ${(worst / 1000).toFixed(2)} s (goal ≤ ${GOAL_S} s)`);
  console.log(
    `${ENVS} environments × ${VARS} variables, ${MEMBERS} members: runs ${runs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")} (each on a fresh copy; the slower is reported); ` +
      `${ENVS} scopes re-keyed, ${ENVS * (MEMBERS - 1)} key files re-wrapped, ${ENVS * VARS} values re-sealed and listed as exposed; ` +
      `Node ${process.version}, ${os.availableParallelism?.() ?? os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`,
  );
  if (argv.includes("--profile")) {
    const dir = join(tmp, "profile");
    const ms = timedRotate(third, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    console.log(`profiled run: ${(ms / 1000).toFixed(2)} s\n${summarize(join(dir, file))}`);
  }
} finally {
  if (argv.includes("--keep")) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
