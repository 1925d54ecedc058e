// Runs jest and ends with the plain line "N passed, N failed" that CI reads.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const jestBin = join(dirname(require.resolve("jest/package.json")), "bin", "jest.js");
const dir = mkdtempSync(join(tmpdir(), "envvault-jest-"));
const out = join(dir, "result.json");
const env = {
  ...process.env,
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--experimental-vm-modules", "--disable-warning=ExperimentalWarning"]
    .filter(Boolean)
    .join(" "),
};
const run = spawnSync(process.execPath, [jestBin, "--json", `--outputFile=${out}`, ...process.argv.slice(2)], {
  stdio: "inherit",
  env,
});
let passed = 0;
let failed = 0;
let ok = false;
try {
  const result = JSON.parse(readFileSync(out, "utf8"));
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  // A suite that fails to load counts no test; count it as a failure so it cannot pass silently.
  failed += result.numRuntimeErrorTestSuites ?? 0;
  ok = result.success && failed === 0;
  // The slowest suites, for keeping CI inside its time budget.
  const slow = result.testResults
    .map((r) => ({ name: r.name.replace(process.cwd() + "/", ""), s: (r.endTime - r.startTime) / 1000 }))
    .sort((a, b) => b.s - a.s)
    .slice(0, 8);
  if (slow.length > 1) console.log(`slowest suites: ${slow.map((r) => `${r.name} ${r.s.toFixed(0)} s`).join(", ")}`);
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok && run.status === 0 ? 0 : 1);
