import { join } from "node:path";
import { renderDiff } from "../../io/diff.js";
import { withLock } from "../../io/lock.js";
import { promptLine } from "../../io/terminal.js";
import { LOCAL_DIR } from "../../store/root.js";
import type { ConflictPolicy } from "../../ops/patch.js";
import { keyringFor, openVault, whoAmI } from "../../ops/session.js";
import { applyUnlock, planUnlockAll } from "../../ops/unlock.js";
import { chooseEnv, summary, warnHidden, where } from "../common.js";
import type { Context } from "../context.js";
import { mkdir } from "node:fs/promises";
import { updateFingerprints } from "../../git/fingerprints-build.js";
import { loadVaultAt } from "../../git/revision.js";

interface Args {
  dryRun: boolean;
  onConflict?: ConflictPolicy | "prompt";
  at?: string;
}

export async function unlock(ctx: Context, args: Args): Promise<void> {
  const at = args.at === undefined ? undefined : await loadVaultAt(ctx.cwd, args.at);
  const vault = at?.vault ?? (await openVault(where(ctx)));
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(where(ctx)));
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
  await mkdir(join(vault.root, LOCAL_DIR), { recursive: true, mode: 0o700 });
  const plans = await withLock(join(vault.root, LOCAL_DIR), async () => {
    const planned = await planUnlockAll({ vault, keyring, env, decide }, !args.dryRun);
    if (!args.dryRun) await applyUnlock(vault, planned);
    return planned;
  });
  if (!args.dryRun && at === undefined) {
    await updateFingerprints(vault, keyring).catch((e: Error) => ctx.out.warn(`the pre-commit hook's fingerprint cache was not updated: ${e.message}`));
  }
  for (const p of plans) {
    const { patch } = p;
    if (args.dryRun) {
      const diff = renderDiff(patch.before, patch.after, { labels: { old: `a/${p.target}`, new: `b/${p.target}` } });
      ctx.out.data(diff === "" ? `${p.target}: up to date` : diff);
    }
    const verb = args.dryRun ? "would unlock" : "unlocked";
    ctx.out.note(`${verb} ${p.env}${at === undefined ? "" : ` as of ${args.at} (${at.commit.slice(0, 12)})`} into ${p.target}: ${summary(patch.added, patch.changed, patch.removed)}`);
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
    targets: plans.map((p) => ({ target: p.target, env: p.env, added: p.patch.added, changed: p.patch.changed, removed: p.patch.removed, kept: p.patch.kept })),
  });
}
