import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { UsageError } from "../../errors.js";
import { fsError } from "../../io/files.js";
import { kindOf } from "../../vault/config.js";
import { exportAs, githubEnv, type ExportFormat } from "../../ops/formats.js";
import type { Context } from "../context.js";
import { readEnvironment } from "../environment.js";

interface Args {
  format: ExportFormat | "github";
  name?: string;
  namespace?: string;
  context?: string;
}

/**
 * Prints the environment as `vault unlock` would write it (every layer of DESIGN §5 but the
 * process environment: the output is for another machine or process, whose own environment
 * applies there).
 */
export async function exportEnv(ctx: Context, args: Args): Promise<void> {
  const { cfg, resolved } = await readEnvironment(ctx, { ...(args.context === undefined ? {} : { context: args.context }), saveGenerated: true, processLayer: false });
  const values = resolved.resolution.values;
  if (args.format === "github" && !ctx.json) return exportGithub(ctx, values, (k) => kindOf(cfg, k) !== "config");
  // Rendered in full before the first byte goes out: a failure prints nothing on stdout.
  const opts = { ...(args.name === undefined ? {} : { name: args.name }), ...(args.namespace === undefined ? {} : { namespace: args.namespace }) };
  ctx.out.raw(exportAs(ctx.json || args.format === "github" ? "json" : args.format, values, opts));
}

/** Masks on stdout for the runner, values appended to the file the runner names in $GITHUB_ENV. */
async function exportGithub(ctx: Context, values: ReadonlyMap<string, string>, isSecret: (k: string) => boolean): Promise<void> {
  const target = ctx.processEnv.GITHUB_ENV;
  if (target === undefined || target === "") {
    throw new UsageError("--format github writes to the file named by $GITHUB_ENV, which is not set", {
      hints: ["run it in a GitHub Actions step, or use --format dotenv / json"],
    });
  }
  const delimiter = (value: string) => {
    for (;;) {
      const d = `ENVVAULT_${randomBytes(12).toString("hex")}`;
      if (!value.includes(d)) return d;
    }
  };
  const { masks, env } = githubEnv(values, isSecret, delimiter);
  ctx.out.raw(masks);
  try {
    await appendFile(target, env);
  } catch (e) {
    throw fsError("append to", target, e);
  }
  ctx.out.note(`exported ${values.size} variables to $GITHUB_ENV`);
}
