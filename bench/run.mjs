// `npm run bench` (= `npm run build && node bench/run.mjs`): start-up cost of the CLI against
// plain `node` and against its peers (dotenvx, secretlint, the reference age CLI), on
// deterministic data, plus peak memory and how the cost grows with variables and members;
// then the other bench/*.mjs scripts (the .env engine, crypto, rotation, signing and verification).
// See bench/README.md.
//
//   node bench/run.mjs [--runs N] [--warmup N] [--no-install] [--no-extras] [--keep]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { option } from "./lib/args.mjs";
import { makeDotenvxDir, makeValues, makeVaultRepo } from "./lib/data.mjs";
import { DOTENVX_VERSION, findDotenvx } from "./lib/dotenvx.mjs";
import { HOOK_FILES, HOOK_STAGED, makeHookRepo } from "./lib/hookrepo.mjs";
import { makeMembersRepo } from "./lib/members.mjs";
import { findAge, findSecretlint, SECRETLINT_CONFIG } from "./lib/peers.mjs";
import { growth, markdown, ratios } from "./lib/report.mjs";
import { measure, peakRssKiB } from "./lib/timing.mjs";

const started = Date.now();
/** `npm run bench` stays under about 5 minutes; the extra scripts get what is left of this. */
const BUDGET_MS = 285_000;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const runs = option("--runs", 10);
const warmup = option("--warmup", 2);
if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(warmup) && warmup >= 0)) {
  console.error("usage: node bench/run.mjs [--runs N] [--warmup N] [--no-install] [--no-extras] [--keep]");
  process.exit(2);
}
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const install = !argv.includes("--no-install");

const vault = join(root, "bin", "vault.js");
if (!existsSync(join(root, "dist", "cli", "main.js"))) {
  log("no build in dist/; run `npm run bench` (it builds first) or `npm run build`");
  process.exit(1);
}

// A clean environment: a private HOME (where `vault init` creates the identity), nothing that
// could point the CLI at another identity, no NODE_OPTIONS, no colour; `node` resolves to
// the running Node for every command, including the child of `vault run`.
const tmp = mkdtempSync(join(os.tmpdir(), "envvault-bench-"));
const env = { ...process.env, HOME: join(tmp, "home"), NO_COLOR: "1", PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
for (const k of Object.keys(env)) if (/^(ENVVAULT_|XDG_CONFIG_HOME$|NODE_OPTIONS$|GIT_DIR$|GIT_WORK_TREE$|GIT_INDEX_FILE$)/.test(k)) delete env[k];
mkdirSync(env.HOME);

try {
  // --- data ------------------------------------------------------------------------------
  const values20 = makeValues(20, 3);
  const values200 = makeValues(200, 1);
  const values2000 = makeValues(2000, 2);
  log(`data in ${tmp}`);
  const repo20 = makeVaultRepo(join(tmp, "vault-20", "repo"), values20, { vault, env });
  const repo200 = makeVaultRepo(join(tmp, "vault-200", "repo"), values200, { vault, env });
  const repo2000 = makeVaultRepo(join(tmp, "vault-2000", "repo"), values2000, { vault, env });
  log(`pre-commit repository: ${HOOK_FILES} files, ${HOOK_STAGED.edited + HOOK_STAGED.added} staged changes`);
  const hook = makeHookRepo(join(tmp, "hook", "repo"), repo2000, { vault, env, values: values2000 });
  if (hook.known !== 2000) throw new Error(`set-up: the fingerprint cache knows ${hook.known} secrets, expected 2,000`);
  log("member repositories: 1, 50 and 500 members");
  const memberCounts = [1, 50, 500];
  const memberRepos = {};
  for (const n of memberCounts) memberRepos[n] = await makeMembersRepo(join(tmp, `members-${n}`, "repo"), values200, n, { vault, env });

  // --- peers -----------------------------------------------------------------------------
  const skipped = [];
  const workDir = join(root, "bench", ".work");
  mkdirSync(workDir, { recursive: true });
  const dx = findDotenvx(workDir, { install });
  let dotenvxDir;
  try {
    if (!dx.skip) dotenvxDir = makeDotenvxDir(join(tmp, "dotenvx-200"), values200, { dotenvx: dx.bin, env });
  } catch (e) {
    dx.skip = e.message.split("\n")[0];
  }
  if (dx.skip) skipped.push(`dotenvx (${dx.skip})`);

  const sl = findSecretlint(workDir, { install });
  const secretlintArgs = ["--secretlintrcJSON", SECRETLINT_CONFIG, "--no-glob", "--no-color", ...hook.staged];
  if (!sl.skip) {
    // It must run its rules: a planted token fails it (exit 1), the staged files pass (exit 0).
    const planted = join(hook.dir, "secretlint-check.txt"); // secretlint reads only files under its cwd
    writeFileSync(planted, `token = "${"ghp"}_wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx"\n`); // split: this file must not hold the shape itself
    const check = spawnSync(sl.bin, ["--secretlintrcJSON", SECRETLINT_CONFIG, "--no-glob", planted], { cwd: hook.dir, env, encoding: "utf8" });
    rmSync(planted);
    const clean = spawnSync(sl.bin, secretlintArgs, { cwd: hook.dir, env, encoding: "utf8" });
    if (check.status !== 1) sl.skip = `secretlint ${sl.version} did not report a planted GitHub token (exit ${check.status}): ${(check.stderr || check.stdout).trim().split("\n")[0] ?? ""}`;
    else if (clean.status !== 0) sl.skip = `secretlint ${sl.version} reports the staged files (exit ${clean.status}): ${(clean.stdout || clean.stderr).trim().split("\n")[0] ?? ""}`;
  }
  if (sl.skip) skipped.push(`secretlint (${sl.skip})`);

  const age = findAge();
  const keyDir = join(repo200, ".envvault", "keys", "development");
  const keyFile = join(keyDir, readdirSync(keyDir).find((f) => f.endsWith(".age")) ?? "none.age");
  const identityFile = join(env.HOME, ".config", "envvault", "identity.txt");
  if (!age.skip) {
    const r = spawnSync(age.bin, ["-d", "-i", identityFile, keyFile], { env, encoding: "utf8" });
    if (r.status !== 0 || !r.stdout.includes("AGE-SECRET-KEY-1")) age.skip = `age -d could not open ${keyFile} (exit ${r.status}): ${r.stderr.trim()}`;
  }
  if (age.skip) skipped.push(`age (${age.skip})`);

  // --- timing ------------------------------------------------------------------------------
  const node = process.execPath;
  const exportJson = [vault, "export", "--format", "json"];
  const commands = [
    { name: "node", display: "node -e 0", file: node, args: ["-e", "0"], cwd: repo200 },
    { name: "export20", display: "vault export --format json (20 vars)", file: node, args: exportJson, cwd: repo20 },
    { name: "export200", display: "vault export --format json (200 vars)", file: node, args: exportJson, cwd: repo200 },
    { name: "export2000", display: "vault export --format json (2,000 vars)", file: node, args: exportJson, cwd: repo2000 },
    { name: "run200", display: "vault run -- node -e 0 (200 vars)", file: node, args: [vault, "run", "--", "node", "-e", "0"], cwd: repo200 },
    { name: "node2", display: "sh -c 'node -e 0; node -e 0'", file: "/bin/sh", args: ["-c", `"${node}" -e 0; "${node}" -e 0`], cwd: repo200 },
    { name: "unlock200", display: "vault unlock (200 vars, no change)", file: node, args: [vault, "unlock"], cwd: repo200 },
    { name: "hook", display: `vault hook pre-commit (${HOOK_STAGED.edited + HOOK_STAGED.added} staged of ${HOOK_FILES.toLocaleString("en")} files, 2,000 known secrets)`, file: node, args: [vault, "hook", "pre-commit"], cwd: hook.dir },
    ...memberCounts.map((n) => ({ name: `exportM${n}`, display: `vault export --format json (200 vars, ${n} member${n === 1 ? "" : "s"})`, file: node, args: exportJson, cwd: memberRepos[n] })),
  ];
  if (!sl.skip) commands.push({ name: "secretlint", display: `secretlint (same ${hook.staged.length} files, preset-recommend ${sl.version})`, file: sl.bin, args: secretlintArgs, cwd: hook.dir });
  if (!age.skip) commands.push({ name: "age", display: `age -d -i identity.txt keys/development/….age (${age.version})`, file: age.bin, args: ["-d", "-i", identityFile, keyFile], cwd: repo200 });
  if (dotenvxDir) commands.push({ name: "dotenvx200", display: `dotenvx decrypt --stdout (200 values, ${dx.version})`, file: dx.bin, args: ["decrypt", "--stdout"], cwd: dotenvxDir });
  for (const c of commands) c.env = env;
  log(`timing ${commands.length} commands: ${warmup} warm-up + ${runs} interleaved rounds`);
  const loadBefore = os.loadavg()[0].toFixed(2);
  const results = measure(commands, { warmup, runs, onRound: (done, total) => done > 0 && log(`round ${done}/${total}`) });

  // Writers: one rotation of `development` re-wraps a key file per member. Fewer rounds (each
  // rotation with 500 members takes seconds); a rotation can follow another on the same vault.
  const rotateRuns = Math.min(runs, 5);
  const rotations = memberCounts.map((n) => ({
    name: `rotateM${n}`, display: `vault rotate --scope development (200 vars, ${n} member${n === 1 ? "" : "s"})`,
    file: node, args: [vault, "rotate", "--scope", "development", "--quiet"], cwd: memberRepos[n], env,
  }));
  log(`timing ${rotations.length} rotations: 1 warm-up + ${rotateRuns} interleaved rounds`);
  Object.assign(results, measure(rotations, { warmup: 1, runs: rotateRuns }));
  commands.push(...rotations);
  const loadAfter = os.loadavg()[0].toFixed(2);

  const ratioRows = ratios(results, [
    { label: "export 200 / node", num: "export200", den: "node", op: "≤", goal: 2.0 },
    { label: "export 2,000 / node", num: "export2000", den: "node", op: "≤", goal: 3.0 },
    {
      label: "run / (node × 2)", num: "run200", den: "node2", op: "≤", goal: 1.5,
      note: `node × 2 is \`sh -c 'node -e 0; node -e 0'\` measured as one command (includes one sh start-up, ≈ 1 ms); the sum of two \`node -e 0\` medians is ${(2 * results.node.median).toFixed(1)} ms.`,
    },
    { label: "dotenvx / export 200", num: "dotenvx200", den: "export200", op: "≥", goal: 20 },
    { label: "pre-commit hook / node", num: "hook", den: "node", op: "≤", goal: 2.5, note: `\`vault hook pre-commit\` as git runs it, in a repository of ${HOOK_FILES.toLocaleString("en")} committed files with ${HOOK_STAGED.edited} edited and ${HOOK_STAGED.added} added files staged (${hook.staged.length} files scanned) and 2,000 secret values in the fingerprint cache; the set-up checks that it blocks a staged file holding one of them.` },
    { label: "secretlint / pre-commit hook", num: "secretlint", den: "hook", note: "secretlint on the same files (as they are in the work tree) with its recommended preset; it looks for token shapes only, not for the vault's own values." },
    { label: "unlock 200 / node", num: "unlock200", den: "node" },
    { label: "export 200 / age -d one key file", num: "export200", den: "age", note: "the reference age CLI (Go) decrypting one scope key file with the same identity: a native binary's start-up, for scale." },
  ]);

  // bench/rotate.mjs prints one figure with its goal; it joins the goals table as figure / goal.
  // (Filled in below, after the extras ran.)

  // --- memory --------------------------------------------------------------------------------
  const rssCommand = commands.find((c) => c.name === "export2000");
  const rssKib = peakRssKiB(rssCommand, 5);
  const rss = { display: rssCommand.display, kib: rssKib, runs: 5, goalMB: 120, note: "/usr/bin/time not found (`apt-get install time`)" };

  // --- growth --------------------------------------------------------------------------------
  const floor = results.node.median;
  const growthTables = [
    growth("vault export --format json, by variables", "vars", [[20, "export20"], [200, "export200"], [2000, "export2000"]], results, floor),
    growth("vault export --format json (200 vars), by members in the roster", "members", memberCounts.map((n) => [n, `exportM${n}`]), results, floor),
    growth("vault rotate --scope development (200 vars), by members who read it", "members", memberCounts.map((n) => [n, `rotateM${n}`]), results, floor),
  ];

  // --- the other benchmarks, as they print themselves ----------------------------------------
  const extras = [];
  if (!argv.includes("--no-extras")) {
    for (const script of ["bench/format.mjs", "bench/crypto.mjs", "bench/rotate.mjs", "bench/verify.mjs", "bench/hook.mjs"]) {
      if (!existsSync(join(root, script))) {
        extras.push({ script, lines: [], note: "not present, skipped" });
        continue;
      }
      const timeout = Math.max(15_000, BUDGET_MS - (Date.now() - started));
      log(`running node ${script} (time limit ${(timeout / 1000).toFixed(0)} s)`);
      const r = spawnSync(node, [script], { cwd: root, encoding: "utf8", timeout, env: { ...process.env, NODE_OPTIONS: "" } });
      const lines = (r.stdout ?? "").trimEnd().split("\n").filter((l, i, all) => l || all.length > 1);
      const failed = r.error?.code === "ETIMEDOUT" ? `stopped after ${(timeout / 1000).toFixed(0)} s to keep the run under 5 minutes; run it alone`
        : r.status !== 0 ? `failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? "").trim().split("\n").at(-1) ?? ""}` : undefined;
      extras.push({ script, lines, note: failed, status: r.status });
    }
  }
  const rotate = /^rotate --remove: ([\d.]+) s \(goal ≤ ([\d.]+) s\)$/m.exec(extras.find((e) => e.script === "bench/rotate.mjs")?.lines.join("\n") ?? "");
  if (rotate) ratioRows.splice(5, 0, ...ratios({ rotate: { median: 1000 * Number(rotate[1]) }, goal: { median: 1000 * Number(rotate[2]) } }, [
    { label: "rotate --remove (10 envs × 200 vars, 50 members) / goal", num: "rotate", den: "goal", op: "≤", goal: 1, note: "one `vault rotate --remove` run (the slower of two, each on a fresh copy), against its goal of 2 s; see the bench/rotate.mjs section." },
  ]));

  // bench/verify.mjs and bench/hook.mjs print a table of measures with their ratio to their own
  // `node -e 0`; the rows join the goals table: for information, but for the hook's own goal.
  const tableRatios = (script, note, goals = {}) => {
    const lines = extras.find((e) => e.script === script)?.lines ?? [];
    const rows = lines.map((l) => /^\| ([a-z][^|]*?) \| ([\d.]+) ms \| ([\d.]+) \|/.exec(l)).filter((m) => m !== null);
    const floorRow = rows.find((m) => m[1] === "node -e 0");
    if (!floorRow) return [];
    const medians = Object.fromEntries(rows.map((m) => [m[1], { median: Number(m[2]) }]));
    return ratios(medians, rows.filter((m) => m !== floorRow).map((m, i) => ({
      label: `${m[1]} / node`, num: m[1], den: "node -e 0",
      ...(goals[m[1]] === undefined ? {} : { op: "≤", goal: goals[m[1]] }),
      ...(i === 0 ? { note: note(Number(floorRow[2]).toFixed(1)) } : {}),
    })));
  };
  ratioRows.push(...tableRatios("bench/verify.mjs", (floor) => `from bench/verify.mjs (200 variables, a history of 1,000 commits), against its own \`node -e 0\` (${floor} ms) measured in the same interleaved rounds; see its section.`));
  ratioRows.push(...tableRatios("bench/hook.mjs", (floor) => `from bench/hook.mjs (2,000 variables and 500 earlier values of history, each in every spelling the hook looks for), against its own \`node -e 0\` (${floor} ms); see its section.`, { "hook, 2,000 values + 500 earlier": 2.5 }));

  // --- report --------------------------------------------------------------------------------
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(), node: process.version, platform: `${process.platform}/${process.arch}`,
    cores: os.availableParallelism?.() ?? cpus.length, cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    loadBefore, loadAfter, runs, warmup,
    peers: [
      dx.skip ? `dotenvx skipped` : `@dotenvx/dotenvx ${dx.version}`,
      sl.skip ? "secretlint skipped" : `secretlint ${sl.version} + @secretlint/secretlint-rule-preset-recommend ${sl.version}`,
      age.skip ? "age skipped" : `age ${age.version}`,
    ].join(", "),
    totalSeconds: (Date.now() - started) / 1000,
  };
  const md = markdown({ meta, commands, results, ratioRows, rss, growthTables, skipped, extras });
  console.log(md);
  // Only a full run replaces the kept results (latest.md is committed).
  if (runs < 10 || warmup < 2 || argv.includes("--no-extras")) {
    log("partial run (fewer than 10 runs or 2 warm-ups, or --no-extras): bench/results/ not written");
  } else {
    const raw = {
      meta: { ...meta, dotenvxPinned: DOTENVX_VERSION, data: { seed20: 3, seed200: 1, seed2000: 2, valueLength: "16-64", hookFiles: HOOK_FILES, hookStaged: HOOK_STAGED } },
      commands: Object.fromEntries(commands.map(({ name, display, file, args }) => [name, { display, argv: [file, ...args].map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a)), ...results[name] }])),
      ratios: ratioRows, peakRssKiB: { [rssCommand.name]: rssKib ?? null }, growth: growthTables, skipped,
      extras: extras.map(({ script, lines, note, status }) => ({ script, status, note, lines })),
    };
    const resultsDir = join(root, "bench", "results");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, "latest.md"), md);
    writeFileSync(join(resultsDir, "latest.json"), JSON.stringify(raw, null, 2) + "\n");
    log(`wrote bench/results/latest.md and latest.json in ${meta.totalSeconds.toFixed(0)} s`);
  }
} finally {
  if (argv.includes("--keep")) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
