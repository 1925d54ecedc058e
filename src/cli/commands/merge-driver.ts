/**
 * `vault merge-driver %O %A %B %P`: git's merge driver for `.envvault/envs/*.env` (app/mergedriver.ts).
 * Exits 0 when every key merged, 1 when conflicts are left (git then reports the file as
 * conflicted). On a terminal, each key conflict left is asked about here.
 */
import { type Choose, mergeDriver as merge, type SideView } from "../../app/mergedriver.js";
import { promptLine } from "../../io/terminal.js";
import { MASKED } from "../../model/diff.js";
import { valueTime } from "../../model/envfile.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  base: string;
  ours: string;
  theirs: string;
  path?: string;
}

/** `(changed TIME) "value"`, the value masked when it cannot be read here. */
function sideText(s: SideView): string {
  const value = s.removed ? "" : s.value === undefined ? ` ${MASKED}` : ` ${JSON.stringify(s.value)}`;
  return `(${s.t === undefined ? "removed" : `changed ${valueTime(s.t)}`})${value}`;
}

/** Asks on the terminal: [1] ours, [2] theirs, [3] leave the conflict. */
const ask: Choose = async (q) => {
  const question = [
    `envvault: ${q.key} in ${q.env}: ${q.reason}`,
    `  [1] ours   ${sideText(q.ours)}`,
    `  [2] theirs ${sideText(q.theirs)}`,
    "  [3] leave the conflict in the file",
    "choose 1, 2 or 3: ",
  ].join("\n");
  for (;;) {
    const answer = (await promptLine(question)).trim();
    if (answer === "1") return "ours";
    if (answer === "2") return "theirs";
    if (answer === "3") return undefined;
  }
};

/** Runs the merge and reports it; the exit code tells git whether conflicts are left. */
export async function mergeDriver(ctx: Context, args: Args): Promise<number> {
  const r = await merge(depsOf(ctx), args, ctx.interactive ? ask : undefined);
  if (r.status === "unmergeable") {
    ctx.out.warn(`cannot merge ${r.path} key by key: ${r.reason}; git leaves it in conflict with our version`);
    return 1;
  }
  if (r.status === "to sign") {
    ctx.out.warn(`${r.path}: ${r.reason}; once roster.yaml and vault.yaml say what the merge should, an admin runs \`vault sign\` (it joins them), then \`git add -A\` and \`git commit\``);
    return 1;
  }
  if (r.status === "text conflicts") {
    ctx.out.warn(`${r.path}: ${r.reason}: merged as text, with git's markers where both sides changed it; settle it by hand, \`git add\` it, and an admin runs \`vault sign\` before the merge commit`);
    return 1;
  }
  if (r.status === "conflicts") {
    const list = r.conflicts.map((c) => `${c.kind === "scope" ? `scope ${c.name}` : c.name} (${c.reason})`).join(", ");
    ctx.out.warn(`${r.path}: ${r.conflicts.length} conflict(s) left: ${list}`);
    ctx.out.warn("`vault status` explains them; `vault resolve KEY --ours|--theirs` or `vault set KEY` settles each");
    return 1;
  }
  ctx.out.note(`envvault: merged ${r.path} key by key: ${summary(r.added, r.changed, r.removed)}`);
  return 0;
}
