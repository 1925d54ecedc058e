import { readersOf } from "../../model/roster.js";
import { accessMatrix } from "../../app/check.js";
import { openVault } from "../../app/session.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/**
 * Member × scope, read from the key files themselves: `read` where a member holds a key
 * file, `write` (write-only) elsewhere. A `!` marks disagreement with roster.yaml.
 */
export async function access(ctx: Context): Promise<void> {
  const vault = await openVault(depsOf(ctx));
  const { scopes, members, holders } = await accessMatrix(vault);
  const cell = (m: string, s: string) => {
    const reads = holders.get(s)?.includes(m) === true;
    const granted = readersOf(vault.roster.data, s).includes(m);
    return { access: reads ? "read" : "write", drift: reads !== granted };
  };
  if (ctx.json) {
    ctx.out.result({ scopes, members: members.map((m) => ({ member: m, scopes: Object.fromEntries(scopes.map((s) => [s, cell(m, s)])) })) });
    return;
  }
  const head = ["MEMBER", ...scopes];
  const rows = members.map((m) => [m, ...scopes.map((s) => { const c = cell(m, s); return c.access + (c.drift ? "!" : ""); })]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  ctx.out.data([head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n"));
  if (rows.some((r) => r.some((c) => c.endsWith("!")))) ctx.out.note("! = key files and roster.yaml disagree; `vault check` says how to fix it");
}
