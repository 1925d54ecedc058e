import { type Decide, explainTargets, unlock as unlockTargets } from "../../app/unlock.js";
import { renderDiff, showingOnly } from "../../model/diff.js";
import { configValues } from "../../model/layers.js";
import { assertKey } from "../../model/names.js";
import type { ConflictPolicy } from "../../model/patch.js";
import { promptLine } from "../../io/terminal.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";
import type { ConflictChoice } from "../table.js";
import { explainJson, renderExplain, reportReading } from "../explain.js";

interface Args {
  dryRun: boolean;
  onConflict?: ConflictChoice;
  at?: string;
  context?: string;
  explain?: string;
}

/** Asks on the terminal for each key changed locally, or applies the `--on-conflict` policy. */
function decider(policy: ConflictChoice): Decide {
  return async (target, keys) => {
    const out = new Map<string, ConflictPolicy>();
    for (const key of keys) {
      if (policy !== "prompt") {
        out.set(key, policy);
        continue;
      }
      const answer = await promptLine(`${target}: ${key} was changed locally and differs from the vault. [k]eep local value or [o]verwrite? `);
      out.set(key, /^o/i.test(answer.trim()) ? "overwrite" : "keep");
    }
    return out;
  };
}

export async function unlock(ctx: Context, args: Args): Promise<void> {
  const withContext = args.context === undefined ? {} : { context: args.context };
  const at = args.at === undefined ? {} : { at: args.at };
  if (args.explain !== undefined) return explain(ctx, assertKey(args.explain), { ...withContext, ...at });
  const policy = args.onConflict ?? (ctx.interactive ? "prompt" : "keep");
  const r = await unlockTargets(depsOf(ctx), { dryRun: args.dryRun, decide: decider(policy), ...withContext, ...at });
  for (const w of r.reading.warnings) ctx.out.warn(w);
  for (const w of r.warnings) ctx.out.warn(w);
  for (const p of r.plans) {
    const { patch } = p;
    reportReading(ctx, { warnings: [] }, p.resolved, p.target);
    if (args.dryRun) {
      // Config values show as `vault list` shows them; every other value stays masked.
      const mask = showingOnly(configValues(r.reading.vault.config.data, p.resolved.resolution));
      const diff = renderDiff(patch.before, patch.after, { labels: { old: `a/${p.target}`, new: `b/${p.target}` }, mask });
      ctx.out.data(diff === "" ? `${p.target}: up to date` : diff);
    }
    const verb = args.dryRun ? "would unlock" : "unlocked";
    const asOf = r.commit === undefined ? "" : ` as of ${args.at} (${r.commit.slice(0, 12)})`;
    ctx.out.note(`${verb} ${p.env}${p.context === undefined ? "" : ` (context ${p.context})`}${asOf} into ${p.target}: ${summary(patch.added, patch.changed, patch.removed)}`);
    for (const w of p.warnings) ctx.out.warn(w);
    for (const w of patch.warnings) ctx.out.warn(`${p.target}: ${w}`);
    if (patch.kept.length > 0) {
      ctx.out.warn(`${p.target}: kept the local value of ${patch.kept.join(", ")} (changed locally, differs from the vault); \`vault unlock --on-conflict overwrite\` replaces it, \`vault set\` saves yours`);
    }
    if (patch.orphaned.length > 0) {
      ctx.out.warn(`${p.target}: ${patch.orphaned.join(", ")} left the vault but was changed locally, so it stays in the file`);
    }
  }
  ctx.out.result({
    env: r.reading.env,
    ...(r.commit === undefined ? {} : { at: r.commit }),
    dryRun: args.dryRun,
    targets: r.plans.map((p) => ({ target: p.target, env: p.env, context: p.context ?? null, added: p.patch.added, changed: p.patch.changed, removed: p.patch.removed, kept: p.patch.kept })),
  });
}

/** `unlock --explain KEY`: for each target, every layer that sets KEY and which one wins. Writes nothing. */
async function explain(ctx: Context, key: string, o: { context?: string; at?: string }): Promise<void> {
  const r = await explainTargets(depsOf(ctx), { key, ...o });
  const cfg = r.reading.vault.config.data;
  for (const w of r.reading.warnings) ctx.out.warn(w);
  const out = [];
  for (const t of r.targets) {
    reportReading(ctx, { warnings: [] }, t.resolved, t.target);
    renderExplain(ctx, cfg, t.explanation, ` → ${t.target}`);
    if (!t.takes) ctx.out.data(`${t.target} does not take ${key} (its keys/prefix filter)`);
    out.push({ target: t.target, written: t.takes, ...(explainJson(cfg, t.explanation) as object) });
  }
  ctx.out.result({ key, targets: out });
}


