import { UsageError } from "../../errors.js";
import { assertKey } from "../../model/names.js";
import { findRepo } from "../../git/repo.js";
import { type EnvChange, forKey, vaultLog } from "../../app/history.js";
import { summary } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  key?: string;
  maxCount?: string;
}

/** `+A ~B -C`, plus re-keyed scopes (rotations). */
export function changeText(c: EnvChange): string {
  const keys = summary(c.added, c.changed, c.removed);
  const parts = keys !== "no change" || c.rekeyed.length === 0 ? [keys] : [];
  if (c.rekeyed.length > 0) parts.push(`(new key: ${c.rekeyed.join(", ")})`);
  return parts.join(" ");
}

export async function log(ctx: Context, args: Args): Promise<void> {
  const max = args.maxCount === undefined ? undefined : Number(args.maxCount);
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw new UsageError("--max-count takes a positive whole number");
  if (args.key !== undefined) assertKey(args.key);
  const repo = await findRepo(ctx.cwd);
  let entries = await vaultLog(repo.top, ctx.env === undefined ? {} : { env: ctx.env });
  if (args.key !== undefined) entries = forKey(entries, args.key);
  if (max !== undefined) entries = entries.slice(0, max);
  for (const e of entries) {
    const head = `${e.commit.slice(0, 10)} ${e.date.slice(0, 10)} ${e.author}${e.merge ? " (merge)" : ""}`;
    for (const c of e.changes) ctx.out.data(`${head}  ${c.env}: ${changeText(c)}  ${e.subject}`);
  }
  if (entries.length === 0) ctx.out.note(args.key === undefined ? "no commit changed the vault yet" : `no commit changed ${args.key}`);
  ctx.out.result(entries);
}
