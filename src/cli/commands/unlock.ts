import { renderDiff } from "../../io/diff.js";
import { promptLine } from "../../io/terminal.js";
import { withRepoLock } from "../../store/local.js";
import type { ConflictPolicy } from "../../ops/patch.js";
import { keyringFor, openVault, whoAmI } from "../../ops/session.js";
import { applyUnlock, planUnlockAll, resolveTargets, type UnlockOptions } from "../../ops/unlock.js";
import { explain } from "../../ops/layers.js";
import { ownValues } from "../../ops/read.js";
import { targetTakes } from "../../vault/config.js";
import { assertKey } from "../../vault/names.js";
import { explainJson, renderExplain, reportFiles } from "../explain.js";
import { chooseEnv, summary, warnHidden, where } from "../common.js";
import type { Context } from "../context.js";
import { updateFingerprints } from "../../git/fingerprints-build.js";
import { loadVaultAt } from "../../git/revision.js";

interface Args {
  dryRun: boolean;
  onConflict?: ConflictPolicy | "prompt";
  at?: string;
  context?: string;
  explain?: string;
}

export async function unlock(ctx: Context, args: Args): Promise<void> {
  const at = args.at === undefined ? undefined : await loadVaultAt(ctx.cwd, args.at);
  const vault = at?.vault ?? (await openVault(where(ctx)));
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(where(ctx)));
  const layered = { ...(args.context === undefined ? {} : { context: args.context }), lookup: ctx.processEnv };
  if (args.explain !== undefined) return explainTargets(ctx, { vault, keyring, env, decide: async () => new Map(), ...layered }, assertKey(args.explain));
  const policy = args.onConflict ?? (ctx.interactive ? "prompt" : "keep");
  const decide = async (target: string, keys: string[]): Promise<Map<string, ConflictPolicy>> => {
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
  const plans = await withRepoLock(vault.root, async () => {
    const planned = await planUnlockAll({ vault, keyring, env, decide, ...layered }, !args.dryRun);
    if (!args.dryRun) await applyUnlock(vault, planned);
    return planned;
  });
  if (!args.dryRun && at === undefined) {
    await updateFingerprints(vault, keyring).catch((e: Error) => ctx.out.warn(`the pre-commit hook's fingerprint cache was not updated: ${e.message}`));
  }
  for (const p of plans) {
    const { patch } = p;
    reportFiles(ctx, p.resolved, p.target);
    if (args.dryRun) {
      const diff = renderDiff(patch.before, patch.after, { labels: { old: `a/${p.target}`, new: `b/${p.target}` } });
      ctx.out.data(diff === "" ? `${p.target}: up to date` : diff);
    }
    const verb = args.dryRun ? "would unlock" : "unlocked";
    ctx.out.note(`${verb} ${p.env}${p.context === undefined ? "" : ` (context ${p.context})`}${at === undefined ? "" : ` as of ${args.at} (${at.commit.slice(0, 12)})`} into ${p.target}: ${summary(patch.added, patch.changed, patch.removed)}`);
    for (const w of p.warnings) ctx.out.warn(w);
    for (const w of patch.warnings) ctx.out.warn(`${p.target}: ${w}`);
    warnHidden(ctx, p.env, p.hidden);
    if (patch.kept.length > 0) {
      ctx.out.warn(`${p.target}: kept the local value of ${patch.kept.join(", ")} (changed locally, differs from the vault); \`vault unlock --on-conflict overwrite\` replaces it, \`vault set\` saves yours`);
    }
    if (patch.orphaned.length > 0) {
      ctx.out.warn(`${p.target}: ${patch.orphaned.join(", ")} left the vault but was changed locally, so it stays in the file`);
    }
  }
  ctx.out.result({
    env,
    ...(at === undefined ? {} : { at: at.commit }),
    dryRun: args.dryRun,
    targets: plans.map((p) => ({ target: p.target, env: p.env, context: p.context ?? null, added: p.patch.added, changed: p.patch.changed, removed: p.patch.removed, kept: p.patch.kept })),
  });
}

/** `unlock --explain KEY`: for each target, every layer that sets KEY and which one wins. Writes nothing. */
async function explainTargets(ctx: Context, o: UnlockOptions, key: string): Promise<void> {
  const cfg = o.vault.config.data;
  const out = [];
  for (const { target, resolved } of await resolveTargets(o, false)) {
    const x = explain(cfg, resolved, key, await ownValues(o.keyring, resolved.env, key));
    const taken = targetTakes(target, key);
    reportFiles(ctx, resolved, target.path);
    renderExplain(ctx, cfg, x, ` → ${target.path}`);
    if (!taken) ctx.out.data(`${target.path} does not take ${key} (its keys/prefix filter)`);
    out.push({ target: target.path, written: taken, ...(explainJson(cfg, x) as object) });
  }
  ctx.out.result({ key, targets: out });
}
