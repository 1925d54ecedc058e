import { accessMatrix } from "../../app/access.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/**
 * Member × scope: each member's role (`rw`, `r` read-only, `w` write-only, `-` none) and the
 * admins. Reading is what the key files allow: where they and roster.yaml disagree the cell
 * shows the key files' `read` or `write` with a `!`.
 */
export async function access(ctx: Context): Promise<void> {
  const m = await accessMatrix(depsOf(ctx));
  if (ctx.json) return ctx.out.result(m);
  const head = ["MEMBER", ...m.scopes];
  // The role the roster gives (rw, r, w), or the key files' `read`/`write` where they disagree.
  const rows = m.members.map((r) => [`${r.member}${m.admins.includes(r.member) ? " (admin)" : ""}`, ...m.scopes.map((s) => { const c = r.scopes[s]!; return c.drift ? `${c.access}!` : (m.roles[r.member]?.[s] ?? "-"); })]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  ctx.out.data([head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n"));
  if (rows.some((r) => r.some((c) => c.endsWith("!")))) ctx.out.note("! = key files and roster.yaml disagree; `vault check` says how to fix it");
}
