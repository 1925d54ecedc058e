// `npm run bench` (= `npm run build && node bench/run.mjs`): start-up cost of the CLI against
// plain `node` and against dotenvx, on deterministic data. See bench/README.md.
//
//   node bench/run.mjs [--runs N] [--warmup N] [--no-install] [--no-extras] [--keep]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeDotenvxDir, makeValues, makeVaultRepo } from "./lib/data.mjs";
import { DOTENVX_VERSION, findDotenvx } from "./lib/dotenvx.mjs";
import { markdown, ratios } from "./lib/report.mjs";
import { measure, peakRssKiB } from "./lib/timing.mjs";

const started = Date.now();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i < 0 ? fallback : Number(argv[i + 1]);
};
const runs = option("--runs", 10);
const warmup = option("--warmup", 2);
if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(warmup) && warmup >= 0)) {
  console.error("usage: node bench/run.mjs [--runs N] [--warmup N] [--no-install] [--no-extras] [--keep]");
  process.exit(2);
}
const log = (line) => process.stderr.write(`bench: ${line}\n`);

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
for (const k of Object.keys(env)) if (/^(ENVVAULT_|XDG_CONFIG_HOME$|NODE_OPTIONS$|GIT_DIR$|GIT_WORK_TREE$)/.test(k)) delete env[k];
mkdirSync(env.HOME);

try {
  // --- data ------------------------------------------------------------------------------
  const values200 = makeValues(200, 1);
  const values2000 = makeValues(2000, 2);
  log(`data in ${tmp}`);
  const repo200 = makeVaultRepo(join(tmp, "vault-200", "repo"), values200, { vault, env });
  const repo2000 = makeVaultRepo(join(tmp, "vault-2000", "repo"), values2000, { vault, env });

  const skipped = [];
  let dotenvxDir;
  const workDir = join(root, "bench", ".work");
  mkdirSync(workDir, { recursive: true });
  const dx = findDotenvx(workDir, { install: !argv.includes("--no-install") });
  try {
    if (!dx.skip) dotenvxDir = makeDotenvxDir(join(tmp, "dotenvx-200"), values200, { dotenvx: dx.bin, env });
  } catch (e) {
    dx.skip = e.message.split("\n")[0];
  }
  if (dx.skip) skipped.push(`dotenvx (${dx.skip})`);

  // --- timing ------------------------------------------------------------------------------
  const node = process.execPath;
  const commands = [
    { name: "node", display: "node -e 0", file: node, args: ["-e", "0"], cwd: repo200 },
    { name: "export200", display: "vault export --format json (200 vars)", file: node, args: [vault, "export", "--format", "json"], cwd: repo200 },
    { name: "export2000", display: "vault export --format json (2,000 vars)", file: node, args: [vault, "export", "--format", "json"], cwd: repo2000 },
    { name: "run200", display: "vault run -- node -e 0 (200 vars)", file: node, args: [vault, "run", "--", "node", "-e", "0"], cwd: repo200 },
    { name: "node2", display: "sh -c 'node -e 0; node -e 0'", file: "/bin/sh", args: ["-c", `"${node}" -e 0; "${node}" -e 0`], cwd: repo200 },
    { name: "unlock200", display: "vault unlock (200 vars, no change)", file: node, args: [vault, "unlock"], cwd: repo200 },
  ];
  if (dotenvxDir) commands.push({ name: "dotenvx200", display: `dotenvx decrypt --stdout (200 values, ${dx.version})`, file: dx.bin, args: ["decrypt", "--stdout"], cwd: dotenvxDir });
  for (const c of commands) c.env = env;
  log(`timing ${commands.length} commands: ${warmup} warm-up + ${runs} interleaved rounds`);
  const loadBefore = os.loadavg()[0].toFixed(2);
  const results = measure(commands, { warmup, runs, onRound: (done, total) => done > 0 && log(`round ${done}/${total}`) });
  const loadAfter = os.loadavg()[0].toFixed(2);

  const ratioRows = ratios(results, [
    { label: "export 200 / node", num: "export200", den: "node", op: "≤", goal: 2.0 },
    { label: "export 2,000 / node", num: "export2000", den: "node", op: "≤", goal: 3.0 },
    {
      label: "run / (node × 2)", num: "run200", den: "node2", op: "≤", goal: 1.5,
      note: `node × 2 is \`sh -c 'node -e 0; node -e 0'\` measured as one command (includes one sh start-up, ≈ 1 ms); the sum of two \`node -e 0\` medians is ${(2 * results.node.median).toFixed(1)} ms.`,
    },
    { label: "dotenvx / export 200", num: "dotenvx200", den: "export200", op: "≥", goal: 20 },
    { label: "unlock 200 / node", num: "unlock200", den: "node" },
  ]);

  // --- memory --------------------------------------------------------------------------------
  const rssCommand = commands.find((c) => c.name === "export2000");
  const rssKib = peakRssKiB(rssCommand, 5);
  const rss = { display: rssCommand.display, kib: rssKib, runs: 5, note: "/usr/bin/time not found (`apt-get install time`)" };

  // --- the other benchmarks, as they print themselves ----------------------------------------
  const extras = [];
  if (!argv.includes("--no-extras")) {
    for (const script of ["bench/format.mjs", "bench/crypto.mjs", "bench/rotate.mjs"]) {
      if (!existsSync(join(root, script))) {
        extras.push({ script, lines: [], note: "not present, skipped" });
        continue;
      }
      // Whatever is left of a 170 s budget (at least 15 s), to keep `npm run bench` under 3 minutes.
      const timeout = Math.max(15_000, 170_000 - (Date.now() - started));
      log(`running node ${script} (time limit ${(timeout / 1000).toFixed(0)} s)`);
      const r = spawnSync(node, [script], { cwd: root, encoding: "utf8", timeout, env: { ...process.env, NODE_OPTIONS: "" } });
      const lines = (r.stdout ?? "").trimEnd().split("\n").filter((l, i, all) => l || all.length > 1);
      const failed = r.error?.code === "ETIMEDOUT" ? `stopped after ${(timeout / 1000).toFixed(0)} s to keep the run under 3 minutes; run it alone`
        : r.status !== 0 ? `failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? "").trim().split("\n").at(-1) ?? ""}` : undefined;
      extras.push({ script, lines, note: failed, status: r.status });
    }
  }

  // bench/rotate.mjs prints one figure with its goal; it joins the goals table as figure / goal.
  const rotate = /^rotate --remove: ([\d.]+) s \(goal ≤ ([\d.]+) s\)$/m.exec(extras.find((e) => e.script === "bench/rotate.mjs")?.lines.join("\n") ?? "");
  if (rotate) ratioRows.push(...ratios({ rotate: { median: 1000 * Number(rotate[1]) }, goal: { median: 1000 * Number(rotate[2]) } }, [
    { label: "rotate --remove (10 envs × 200 vars, 50 members) / goal", num: "rotate", den: "goal", op: "≤", goal: 1, note: "one `vault rotate --remove` run (the slower of two, each on a fresh copy), against its goal of 2 s; see the bench/rotate.mjs section." },
  ]));

  // --- report --------------------------------------------------------------------------------
  const cpus = os.cpus();
  const meta = {
    date: new Date().toISOString(), node: process.version, platform: `${process.platform}/${process.arch}`,
    cores: os.availableParallelism?.() ?? cpus.length, cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    loadBefore, loadAfter, runs, warmup,
    dotenvx: dx.skip ? `skipped (${dx.skip})` : `@dotenvx/dotenvx ${dx.version}`,
    totalSeconds: (Date.now() - started) / 1000,
  };
  const md = markdown({ meta, commands, results, ratioRows, rss, skipped, extras });
  console.log(md);
  // Only a full run replaces the kept results (latest.md is committed).
  if (runs < 10 || warmup < 2 || argv.includes("--no-extras")) {
    log("partial run (fewer than 10 runs or 2 warm-ups, or --no-extras): bench/results/ not written");
  } else {
    const raw = {
      meta: { ...meta, dotenvxPinned: DOTENVX_VERSION, data: { seed200: 1, seed2000: 2, valueLength: "16-64" } },
      commands: Object.fromEntries(commands.map(({ name, display, file, args }) => [name, { display, argv: [file, ...args], ...results[name] }])),
      ratios: ratioRows, peakRssKiB: { [rssCommand.name]: rssKib ?? null }, skipped,
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
