import { UsageError } from "../../errors.js";
import { promptHidden } from "../../io/terminal.js";
import type { Kind } from "../../model/config.js";
import { assertKey } from "../../model/names.js";
import { setValues } from "../../app/set.js";
import { depsOf, readStdin, summary } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  assignments: string[];
  stdin: boolean;
  kind?: Kind;
  scope?: string;
}

/** `vault set KEY=VALUE…`, or `KEY` alone with its value from a hidden prompt or `--stdin`. */
export async function set(ctx: Context, args: Args): Promise<void> {
  const r = await setValues(depsOf(ctx), { values: () => collect(ctx, args), ...(args.scope === undefined ? {} : { scope: args.scope }), ...(args.kind === undefined ? {} : { kind: args.kind }) });
  for (const w of r.warnings) ctx.out.warn(w);
  if (r.burned.length > 0) ctx.out.warn(`${r.burned.join(", ")} is burned: the value is stored, but unlock and run keep leaving it out`);
  const fromArgv = args.assignments.filter((a) => a.includes("=")).map((a) => a.slice(0, a.indexOf("=")));
  const exposed = fromArgv.filter((k) => r.secrets.includes(k));
  if (exposed.length > 0) {
    ctx.out.warn(`the value of ${exposed.join(", ")} was given on the command line, so it may be in your shell history; next time use \`vault set KEY\` (hidden prompt) or --stdin`);
  }
  ctx.out.note(`${r.env}: ${summary(r.added, r.changed, [])}${r.unchanged.length > 0 ? ` (${r.unchanged.length} unchanged)` : ""}`);
  ctx.out.result({ env: r.env, added: r.added, changed: r.changed, unchanged: r.unchanged });
}

/** The values the assignments give, read from standard input or asked for when given without one. */
async function collect(ctx: Context, args: Args): Promise<{ key: string; value: string }[]> {
  const bare = args.assignments.filter((a) => !a.includes("="));
  if (args.stdin && bare.length !== 1) {
    throw new UsageError("--stdin reads the value of exactly one KEY given without =VALUE", {
      hints: ["e.g. `printf %s \"$TOKEN\" | vault set API_TOKEN --stdin`"],
    });
  }
  const values: { key: string; value: string }[] = [];
  for (const a of args.assignments) {
    const eq = a.indexOf("=");
    const key = assertKey(eq < 0 ? a : a.slice(0, eq));
    let value: string;
    if (eq >= 0) value = a.slice(eq + 1);
    else if (args.stdin) value = (await readStdin(ctx.stdin)).replace(/\r?\n$/, "");
    else if (ctx.interactive) value = await promptHidden(`value for ${key}: `);
    else {
      throw new UsageError(`no value for ${key}`, {
        data: { key },
        hints: [`give it as ${key}=VALUE, pipe it with --stdin, or run in a terminal to be asked`],
      });
    }
    if (value.includes("\0")) {
      throw new UsageError(`the value of ${key} contains a NUL byte, which no environment variable can hold`, { data: { key } });
    }
    values.push({ key, value });
  }
  const seen = new Set<string>();
  for (const { key } of values) {
    if (seen.has(key)) throw new UsageError(`${key} is given twice`, { data: { key } });
    seen.add(key);
  }
  return values;
}
