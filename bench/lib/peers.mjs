// Peers we compare with that are not dependencies of the project: npm packages installed on
// demand into bench/.work/ (git-ignored) at pinned versions, and the reference `age` CLI
// from the system (Debian: `apt-get install age`). A peer that is missing and cannot be
// installed is skipped with a note, never estimated.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * secretlint 11.x is the newest line that runs on Node 20 (12 and later need Node ≥ 22);
 * the recommended rule preset is pinned to the same version.
 */
export const SECRETLINT_VERSION = process.env.SECRETLINT_VERSION ?? "11.7.1";

/** Installs exact versions of `packages` ({ name: version }) into `workDir`; returns an error line or undefined. */
export function npmInstall(workDir, packages) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const specs = Object.entries(packages).map(([name, version]) => `${name}@${version}`);
  const r = spawnSync(npm, ["install", "--prefix", workDir, "--save-exact", "--no-audit", "--no-fund", "--loglevel=error", ...specs], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) return `npm could not install ${specs.join(" ")}: ${(r.stderr || String(r.error)).trim().split("\n").at(-1)}`;
  return undefined;
}

const installedVersion = (workDir, name) => {
  try {
    return JSON.parse(readFileSync(join(workDir, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
};

/**
 * secretlint with @secretlint/secretlint-rule-preset-recommend, or { skip: reason }.
 * `SECRETLINT=/path/to/secretlint` uses that binary (with whatever preset it resolves).
 */
export function findSecretlint(workDir, { install = true } = {}) {
  if (process.env.SECRETLINT) return existsSync(process.env.SECRETLINT) ? { bin: process.env.SECRETLINT, version: "from $SECRETLINT" } : { skip: `SECRETLINT=${process.env.SECRETLINT} does not exist` };
  const wanted = { secretlint: SECRETLINT_VERSION, "@secretlint/secretlint-rule-preset-recommend": SECRETLINT_VERSION };
  const current = () => Object.keys(wanted).every((name) => installedVersion(workDir, name) === wanted[name]);
  if (!current() && install) {
    const error = npmInstall(workDir, wanted);
    if (error !== undefined) return { skip: error };
  }
  if (!current()) return { skip: `secretlint ${SECRETLINT_VERSION} not installed in ${workDir} (run without --no-install)` };
  return { bin: join(workDir, "node_modules", ".bin", "secretlint"), version: SECRETLINT_VERSION };
}

/** The secretlint configuration of the comparison: the recommended preset, nothing else. */
export const SECRETLINT_CONFIG = JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] });

/** The reference `age` CLI on PATH (or `AGE=/path/to/age`), or { skip: reason }. */
export function findAge() {
  const bin = process.env.AGE ?? "age";
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return { skip: `the reference age CLI is not on PATH (Debian: apt-get install age)` };
  return { bin, version: r.stdout.trim() };
}
