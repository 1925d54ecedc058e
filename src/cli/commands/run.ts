import { UsageError } from "../../errors.js";
import { explainKey } from "../../app/explain.js";
import { prepareRun } from "../../app/run.js";
import { assertKey } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { explainJson, renderExplain, reportReading } from "../explain.js";

interface Args {
  context?: string;
  explain?: string;
}

/** yargs gives "" for an option written without its value. */
function checkValues(args: Args): void {
  for (const k of ["context", "explain"] as const) {
    if (args[k] === "") throw new UsageError(`--${k} needs a value`, { hints: [k === "context" ? "e.g. `vault run --context docker -- npm start`" : "e.g. `vault run --explain DATABASE_URL`"] });
  }
}

/** `vault run [--context C] [--] CMD…`, or `vault run --explain KEY` (runs nothing). Returns the child's exit code. */
export async function run(ctx: Context, args: Args): Promise<number> {
  checkValues(args);
  const { context, explain: key } = args;
  const command = ctx.passthrough;
  const withContext = context === undefined ? {} : { context };
  if (key !== undefined) {
    assertKey(key);
    if (command.length > 0) throw new UsageError("--explain prints where a variable comes from and runs nothing", { hints: ["drop the command, or drop --explain"] });
    const x = await explainKey(depsOf(ctx), { key, ...withContext });
    reportReading(ctx, x.reading, x.resolved);
    renderExplain(ctx, x.cfg, x.explanation);
    ctx.out.result(explainJson(x.cfg, x.explanation));
    return 0;
  }
  if (command.length === 0) throw new UsageError("`vault run` needs a command", { hints: ["e.g. `vault run -- npm start`"] });
  const prepared = await prepareRun(depsOf(ctx), withContext);
  reportReading(ctx, prepared.reading, prepared.resolved);
  if (prepared.resolved.burned.length > 0) ctx.out.warn(`not injecting burned ${prepared.resolved.burned.join(", ")} (\`vault check\` lists what still uses them)`);
  return prepared.start(command);
}
