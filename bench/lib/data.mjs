// Deterministic benchmark data: seeded values, vault repositories made through the real
// CLI, and a dotenvx-encrypted copy of the same values.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Printable ASCII (space to tilde) without the single quote and the backslash, so that every
// value can be written single-quoted and means the same to dotenv, envvault and dotenvx (no
// `$VAR` expansion, `#` is not a comment). A trailing backslash would escape the closing
// quote for dotenv's parser, and `vault unlock` rightly refuses to write such a value.
const ALPHABET = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== "'" && c !== "\\");

/** `count` variables VAR_0000… with values of 16–64 random printable characters. */
export function makeValues(count, seed = 1) {
  const rand = prng(seed);
  const values = {};
  for (let i = 0; i < count; i++) {
    const length = 16 + Math.floor(rand() * 49);
    let value = "";
    for (let j = 0; j < length; j++) value += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    values[`VAR_${String(i).padStart(4, "0")}`] = value;
  }
  return values;
}

export const toDotenv = (values) =>
  Object.entries(values).map(([key, value]) => `${key}='${value}'\n`).join("");

/** Runs a set-up command; throws with its output if it fails. */
export function mustRun(file, args, opts) {
  const r = spawnSync(file, args, { encoding: "utf8", ...opts });
  if (r.status !== 0) {
    throw new Error(`set-up failed: ${[file, ...args].join(" ")} (exit ${r.status ?? r.signal})\n${r.stderr}${r.error ?? ""}`);
  }
  return r.stdout;
}

/**
 * git in `dir` as the bench's committer, with hooks off (a vault's own hooks would run on
 * `git commit`); `env` is the bench's environment. Returns stdout; throws if git fails.
 */
export function git(dir, args, { env, input } = {}) {
  return mustRun("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "core.hooksPath=/dev/null", ...args], { cwd: dir, env, input, maxBuffer: 64 << 20 });
}

/** Commits everything in `dir` (the vault included: readers check the history of HEAD). */
export function commitAll(dir, env, message) {
  git(dir, ["add", "-A"], { env });
  git(dir, ["commit", "-q", "-m", message], { env });
}

/**
 * A git repository whose vault holds `values`, made as a user would: `vault init` (which
 * creates the identity under env.HOME on first use), then `vault import` of a .env file,
 * committed. Checks that `vault export --format json` gives the values back (which also
 * verifies the commit: later readers find HEAD in the trust cache).
 */
export function makeVaultRepo(dir, values, { vault, env }) {
  mkdirSync(dir, { recursive: true });
  const opts = { cwd: dir, env };
  git(dir, ["init", "-q"], { env });
  mustRun(process.execPath, [vault, "init", "--quiet"], opts);
  const input = join(dir, "..", `${Object.keys(values).length}.env`);
  writeFileSync(input, toDotenv(values));
  mustRun(process.execPath, [vault, "import", input, "--quiet"], opts);
  commitAll(dir, env, "bench: the vault");
  const back = JSON.parse(mustRun(process.execPath, [vault, "export", "--format", "json"], opts));
  if (JSON.stringify(back) !== JSON.stringify(values)) throw new Error(`set-up: ${dir} does not export the imported values`);
  mustRun(process.execPath, [vault, "unlock", "--quiet"], opts); // later unlocks are the no-change steady state
  return dir;
}

/** A directory with `.env` encrypted by `dotenvx encrypt` (and its `.env.keys`); checks the round trip. */
export function makeDotenvxDir(dir, values, { dotenvx, env }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".env"), toDotenv(values));
  mustRun(dotenvx, ["encrypt"], { cwd: dir, env });
  const back = dotenv.parse(mustRun(dotenvx, ["decrypt", "--stdout"], { cwd: dir, env }));
  const wrong = Object.keys(values).filter((k) => back[k] !== values[k]);
  if (wrong.length) throw new Error(`set-up: dotenvx decrypt --stdout in ${dir} gives other values (${wrong.length}, first ${wrong[0]})`);
  return dir;
}
