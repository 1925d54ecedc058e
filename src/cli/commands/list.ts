import { listVariables } from "../../app/list.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

const MASK = "••••••";

/** `vault list [--reveal]`: a table of the environment's variables (with --json: all their fields). */
export async function list(ctx: Context, args: { reveal: boolean }): Promise<void> {
  const { env, variables: rows, warnings } = await listVariables(depsOf(ctx), { reveal: args.reveal });
  for (const w of warnings) ctx.out.warn(w);
  if (ctx.json) {
    ctx.out.result({ env, variables: rows });
    return;
  }
  if (rows.length === 0) {
    ctx.out.note(`${env} has no variables yet; add one with \`vault set KEY\``);
    return;
  }
  const table = [["KEY", "KIND", "SCOPE", "CHANGED", "VALUE"], ...rows.map((r) => [r.key, r.kind + (r.burned ? " (burned)" : ""), r.scope + (r.from !== env ? ` (from ${r.from})` : ""), r.changed, r.value === undefined ? MASK : JSON.stringify(r.value)])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  ctx.out.data(table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n"));
}
