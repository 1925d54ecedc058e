/**
 * The test seams, all in one place: environment variables that exist only so that tests can
 * prove crash safety and time-dependent behaviour, which a user never sets.
 *
 * - `ENVVAULT_CRASH_AT=N` kills the process (SIGKILL, no clean-up) at the N-th step of a
 *   journaled commit, so a test can show that a crash at every step leaves the vault entirely
 *   old or entirely new.
 * - `ENVVAULT_NOW` (Unix seconds or an ISO date) fixes the clock that values' change times,
 *   rotation ages and recorded events read.
 *
 * Settings a user does set (`ENVVAULT_IDENTITY`, `ENVVAULT_ENV`, `ENVVAULT_DEBUG`, …, see the
 * README) are read where they are used, not here.
 */
import { UsageError } from "../errors.js";

let step = 0;

/** One step of a journaled commit: where `ENVVAULT_CRASH_AT` may kill the process. */
export function crashPoint(): void {
  const at = process.env.ENVVAULT_CRASH_AT;
  if (at !== undefined && at !== "" && ++step === Number(at)) process.kill(process.pid, "SIGKILL");
}

/** Seconds since the epoch, unless `ENVVAULT_NOW` fixes the clock. */
export function nowSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const fixed = env.ENVVAULT_NOW;
  if (fixed !== undefined && fixed !== "") {
    const t = /^\d+$/.test(fixed) ? Number(fixed) : Math.floor(Date.parse(fixed) / 1000);
    if (!Number.isFinite(t)) throw new UsageError(`ENVVAULT_NOW is not a time: use Unix seconds or an ISO date`);
    return t;
  }
  return Math.floor(Date.now() / 1000);
}
