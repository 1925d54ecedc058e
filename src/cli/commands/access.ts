import { accessMatrix } from "../../app/access.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/**
 * Member × scope, read from the key files themselves: `read` where a member holds a key
 * file, `write` (write-only) elsewhere. A `!` marks disagreement with roster.yaml.
 */
export async function access(ctx: Context): Promise<void> {
  const m = await accessMatrix(depsOf(ctx));
  if (ctx.json) return ctx.out.result(m);
  const head = ["MEMBER", ...m.scopes];
  const rows = m.members.map((r) => [r.member, ...m.scopes.map((s) => { const c = r.scopes[s]!; return c.access + (c.drift ? "!" : ""); })]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  ctx.out.data([head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n"));
  if (rows.some((r) => r.some((c) => c.endsWith("!")))) ctx.out.note("! = key files and roster.yaml disagree; `vault check` says how to fix it");
}
