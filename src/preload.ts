/**
 * The work of `envvault/config`, shared by its two entries: `src/config.ts` (`node --import
 * envvault/config`) and `config.cjs` (`node -r envvault/config`, which runs this in a worker
 * thread and waits for it, since a CommonJS preload cannot await).
 */
import { VaultError } from "./errors.js";
import { load } from "./index.js";

/** What a preload does to the process: variables to add, text for stderr, an exit code on failure. */
export interface Outcome {
  /** Resolved variables the process environment does not set already (it wins, as with dotenv). */
  assign: Record<string, string>;
  stderr: string;
  exitCode?: number;
}

/** Resolves the environment chosen by ENVVAULT_ENV (and ENVVAULT_CONTEXT) for a process starting in `cwd`. */
export async function preload(env: NodeJS.ProcessEnv, cwd: string): Promise<Outcome> {
  const warnings: string[] = [];
  try {
    const values = await load({ cwd, processEnv: env, onWarning: (w) => warnings.push(w) });
    return {
      assign: Object.fromEntries(Object.entries(values).filter(([k]) => env[k] === undefined)),
      stderr: warnings.map((w) => `envvault: warning: ${w}\n`).join(""),
    };
  } catch (e) {
    const error = e instanceof VaultError ? e : undefined;
    const message = error?.message ?? `unexpected failure: ${e instanceof Error ? e.message : String(e)}`;
    const hints = error?.hints ?? ["this is a bug in envvault; please report it"];
    return {
      assign: {},
      stderr: [`envvault: error: ${message}`, ...hints.map((h) => `envvault: hint: ${h}`), "envvault: hint: envvault/config stopped the program before it started; ENVVAULT_ENV chooses the environment"]
        .map((l) => l + "\n")
        .join(""),
      exitCode: error?.exitCode ?? 1,
    };
  }
}

/** Carries out an outcome in this process. */
export function settle(o: Outcome): void {
  process.stderr.write(o.stderr);
  if (o.exitCode !== undefined) process.exit(o.exitCode);
  Object.assign(process.env, o.assign);
}
