import { exportEnvironment } from "../../app/export.js";
import type { OutputFormat } from "../../model/formats.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { reportReading } from "../explain.js";

interface Args {
  format: OutputFormat;
  name?: string;
  namespace?: string;
  context?: string;
}

/** `vault export`: stdout gets the whole text or nothing (with --json: JSON, whatever the format). */
export async function exportEnv(ctx: Context, args: Args): Promise<void> {
  const r = await exportEnvironment(depsOf(ctx), { ...args, format: ctx.json ? "json" : args.format });
  reportReading(ctx, r.reading, r.resolved);
  ctx.out.raw(r.text);
  if (r.githubEnv !== undefined) ctx.out.note(`exported ${r.githubEnv} variables to $GITHUB_ENV`);
}
