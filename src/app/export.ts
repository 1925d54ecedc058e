/**
 * `vault export`: the environment as text in a format, for another process or machine, so
 * every layer but the process environment (its own environment applies there).
 */
import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { fsError } from "../io/files.js";
import { kindOf } from "../model/config.js";
import { exportAs, githubEnv, type OutputFormat } from "../model/formats.js";
import { readEnvironment, type ResolvedEnvironment } from "./environment.js";
import type { Deps, Reading } from "./session.js";

export interface ExportInput {
  format: OutputFormat;
  /** k8s: the Secret's name and namespace. */
  name?: string;
  namespace?: string;
  context?: string;
}

export interface Exported {
  reading: Reading;
  resolved: ResolvedEnvironment;
  /** What goes to standard output, rendered whole before the first byte goes out. */
  text: string;
  /** `--format github`: how many variables went to `$GITHUB_ENV`. */
  githubEnv?: number;
}

/**
 * Renders the environment. `github` prints `::add-mask::` lines for the runner and appends
 * the values to the file `$GITHUB_ENV` names (as heredocs with a delimiter no value holds).
 */
export async function exportEnvironment(deps: Deps, o: ExportInput): Promise<Exported> {
  const { reading, resolved } = await readEnvironment(deps, { ...(o.context === undefined ? {} : { context: o.context }), saveGenerated: true, processLayer: false });
  const values = resolved.resolution.values;
  if (o.format !== "github") {
    const opts = { ...(o.name === undefined ? {} : { name: o.name }), ...(o.namespace === undefined ? {} : { namespace: o.namespace }) };
    return { reading, resolved, text: exportAs(o.format, values, opts) };
  }
  const target = deps.processEnv.GITHUB_ENV;
  if (target === undefined || target === "") {
    throw new UsageError("--format github writes to the file named by $GITHUB_ENV, which is not set", {
      hints: ["run it in a GitHub Actions step, or use --format dotenv / json"],
    });
  }
  const cfg = reading.vault.config.data;
  const { masks, env } = githubEnv(values, (k) => kindOf(cfg, k) !== "config", delimiterFor);
  try {
    await appendFile(target, env);
  } catch (e) {
    throw fsError("append to", target, e);
  }
  return { reading, resolved, text: masks, githubEnv: values.size };
}

/** A heredoc delimiter the value does not hold. */
function delimiterFor(value: string): string {
  for (;;) {
    const d = `ENVVAULT_${randomBytes(12).toString("hex")}`;
    if (!value.includes(d)) return d;
  }
}
