import { UsageError } from "../../errors.js";
import { assertKey } from "../../model/names.js";
import { log as vaultLog } from "../../app/log.js";
import { changeText } from "../changes.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  key?: string;
  maxCount?: string;
}

/** `vault log [KEY] [-n N]`: one line per commit and environment, `--json` the entries. */
export async function log(ctx: Context, args: Args): Promise<void> {
  const max = args.maxCount === undefined ? undefined : Number(args.maxCount);
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) throw new UsageError("--max-count takes a positive whole number");
  if (args.key !== undefined) assertKey(args.key);
  const entries = await vaultLog(depsOf(ctx), { ...(args.key === undefined ? {} : { key: args.key }), ...(max === undefined ? {} : { max }) });
  for (const e of entries) {
    const head = `${e.commit.slice(0, 10)} ${e.date.slice(0, 10)} ${e.author}${e.merge ? " (merge)" : ""}`;
    for (const c of e.changes) ctx.out.data(`${head}  ${c.env}: ${changeText(c)}  ${e.subject}`);
  }
  if (entries.length === 0) ctx.out.note(args.key === undefined ? "no commit changed the vault yet" : `no commit changed ${args.key}`);
  ctx.out.result(entries);
}
