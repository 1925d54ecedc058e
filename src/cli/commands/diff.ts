import { join } from "node:path";
import { envTexts, workTree } from "../../store/source.js";
import { diffEnvTexts } from "../../app/history.js";
import { findRepo } from "../../git/repo.js";
import { RevisionReader } from "../../git/revision.js";
import { envTextsAt } from "../../store/at.js";
import type { Context } from "../context.js";
import { changeText } from "./log.js";

interface Args {
  range?: string;
}

/** `vault diff [REV[..REV]]`: key-level changes between two versions of the vault (work tree by default). */
export async function diff(ctx: Context, args: Args): Promise<void> {
  const repo = await findRepo(ctx.cwd);
  const reader = new RevisionReader(repo);
  const range = args.range ?? "HEAD";
  const dots = range.indexOf("..");
  const [from, to] = dots < 0 ? [range, undefined] : [range.slice(0, dots) || "HEAD", range.slice(dots + 2) || "HEAD"];
  const texts = async (rev: string | undefined) => (rev === undefined ? envTexts(workTree(repo.top)) : envTextsAt(reader, await reader.resolve(rev)));
  const [before, after] = [await texts(from), await texts(to)];
  const changes = diffEnvTexts(before, after);
  for (const c of changes) ctx.out.data(`${c.env}: ${changeText(c)}`);
  if (changes.length === 0) ctx.out.note(`no change to the vault between ${from} and ${to ?? "the work tree"}`);
  ctx.out.result({ from, to: to ?? null, changes });
}
