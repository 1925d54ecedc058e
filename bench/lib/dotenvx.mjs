// dotenvx, the peer we compare with, is not a dependency of the project: it is installed on
// demand into bench/.work/ (git-ignored), at a pinned version.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

// 1.x is the line whose `dotenvx encrypt` / `dotenvx decrypt --stdout` this harness was
// checked with. 2.38.2 has the same commands but decrypts 200 values about 2x slower
// (≈ 6 s against ≈ 3.2 s on a 2-core VM), so 1.x is the stricter comparison.
export const DOTENVX_VERSION = process.env.DOTENVX_VERSION ?? "1.75.1";

/**
 * Path of a dotenvx binary, or { skip: reason }. `DOTENVX=/path/to/dotenvx` uses that one;
 * otherwise bench/.work/ is used, installing into it unless `install` is false.
 */
export function findDotenvx(workDir, { install = true } = {}) {
  if (process.env.DOTENVX) return existsSync(process.env.DOTENVX) ? { bin: process.env.DOTENVX } : { skip: `DOTENVX=${process.env.DOTENVX} does not exist` };
  const bin = join(workDir, "node_modules", ".bin", "dotenvx");
  const installed = () => {
    const v = spawnSync(bin, ["--version"], { encoding: "utf8" });
    return v.status === 0 ? v.stdout.trim() : undefined;
  };
  let version = existsSync(bin) ? installed() : undefined;
  if (version !== DOTENVX_VERSION && install) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(npm, ["install", "--prefix", workDir, "--save-exact", "--no-audit", "--no-fund", "--loglevel=error", `@dotenvx/dotenvx@${DOTENVX_VERSION}`], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) return { skip: `npm could not install @dotenvx/dotenvx@${DOTENVX_VERSION}: ${(r.stderr || String(r.error)).trim().split("\n").at(-1)}` };
    version = installed();
  }
  if (version === undefined) return { skip: `dotenvx not installed in ${workDir} (run without --no-install)` };
  return { bin, version };
}
