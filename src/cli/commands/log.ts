import { UsageError } from "../../errors.js";
import { assertKey } from "../../model/names.js";
import { type LogEntry, log as vaultLog, type Settled } from "../../app/log.js";
import { changeText } from "../changes.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  key?: string;
  maxCount?: string;
}

const short = (commit: string) => commit.slice(0, 7);

/** How a merge settled one key, in words. */
export function settledText(s: Settled, name: (commit: string) => string): string {
  const kept = s.kept === null ? "gave it a version of its own" : `kept the side of ${name(s.kept)}`;
  if (s.changedBy.length > 1) return `${s.key}: changed on ${s.changedBy.length === 2 ? "both" : s.changedBy.length} sides (a conflict); the merge ${kept}`;
  const [by] = s.changedBy;
  if (by === undefined) return `${s.key}: changed on no side; the merge ${kept}`;
  return `${s.key}: changed only on the side of ${name(by)}; the merge ${kept}${s.kept === null ? "" : ", so that change was lost"}`;
}

/** The lines of one entry: one per environment, and for a merge what each side changed and what it settled. */
export function entryLines(e: LogEntry): string[] {
  const refs = e.refs.length === 0 ? "" : ` (${e.refs.join(", ")})`;
  const head = `${e.commit.slice(0, 10)}${refs} ${e.date.slice(0, 10)} ${e.author}${e.merge ? " (merge)" : ""}`;
  // A side is named by its short id and the branches or tags at it.
  const name = (c: string) => {
    const at = e.sides.find((s) => s.parent === c)?.refs ?? [];
    return at.length === 0 ? short(c) : `${short(c)} (${at.join(", ")})`;
  };
  const envs = [...new Set([...e.changes, ...e.sides.flatMap((s) => s.changes)].map((c) => c.env).concat(e.settled.map((s) => s.env)))].sort();
  const lines: string[] = [];
  for (const env of envs) {
    const change = e.changes.find((c) => c.env === env);
    if (!e.merge) {
      if (change !== undefined) lines.push(`${head}  ${env}: ${changeText(change)}  ${e.subject}`);
      continue;
    }
    const first = e.parents[0] ?? "";
    lines.push(`${head}  ${env}: ${change === undefined ? "no change" : changeText(change)} against ${short(first)}  ${e.subject}`);
    for (const s of e.sides) {
      const c = s.changes.find((x) => x.env === env);
      lines.push(`    side ${name(s.parent)}: ${c === undefined ? "no change" : changeText(c)}${e.base === null ? " (no common history)" : ` since ${short(e.base)}`}`);
    }
    for (const s of e.settled.filter((x) => x.env === env)) lines.push(`    ${settledText(s, name)}`);
  }
  return lines;
}

/** `vault log [KEY] [-n N]`: one line per commit and environment (merges with their sides), `--json` the entries. */
export async function log(ctx: Context, args: Args): Promise<void> {
  const max = args.maxCount === undefined ? undefined : Number(args.maxCount);
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw new UsageError("--max-count takes a positive whole number");
  if (args.key !== undefined) assertKey(args.key);
  const entries = await vaultLog(depsOf(ctx), { ...(args.key === undefined ? {} : { key: args.key }), ...(max === undefined ? {} : { max }) });
  for (const e of entries) for (const line of entryLines(e)) ctx.out.data(line);
  if (entries.length === 0) ctx.out.note(args.key === undefined ? "no commit changed the vault yet" : `no commit changed ${args.key}`);
  ctx.out.result(entries);
}
