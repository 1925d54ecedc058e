import { rm } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { checkInside } from "../../io/confine.js";
import { withRepoLock } from "../../store/local.js";
import { findVaultRoot } from "../../store/root.js";
import { envTexts, workTree } from "../../store/source.js";
import { type Conflict, type ConflictedFile, hasConflictMarkers, parseConflicted, type Side } from "../../model/conflicts.js";
import { printMerged, resolveConflict } from "../../model/merge.js";
import { git } from "../../git/exec.js";
import { findRepo } from "../../git/repo.js";
import { scopeKeyDir } from "../../model/names.js";
import type { Context } from "../context.js";

interface Args {
  names?: string[];
  ours: boolean;
  theirs: boolean;
}

/**
 * A scope rotated on both branches also left its key files in conflict (each side wrapped
 * its own new key): the chosen side's version of each is taken from git's index.
 */
async function takeKeyFiles(root: string, scopes: readonly string[], side: Side): Promise<string[]> {
  if (scopes.length === 0) return [];
  const repo = await findRepo(root);
  const prefix = "";
  const dirs = scopes.map((s) => `${prefix}.envvault/keys/${scopeKeyDir(s)}/`);
  const unmerged = await git(["ls-files", "-u", "-z", "--", ...dirs], { cwd: repo.top });
  const paths = [...new Set(unmerged.stdout.toString("utf8").split("\0").map((l) => l.split("\t")[1] ?? "").filter((p) => p !== ""))].sort();
  for (const p of paths) {
    const r = await git(["checkout", `--${side}`, "--", p], { cwd: repo.top, allowFail: true });
    if (r.code !== 0) await rm(join(repo.top, p), { force: true }); // that side deleted it
  }
  return paths;
}

const label = (c: Conflict) => (c.kind === "scope" ? `scope ${c.name}` : c.name);

/** `vault resolve [NAME…] --ours|--theirs`: settles merge conflicts of environment files. */
export async function resolve(ctx: Context, args: Args): Promise<void> {
  if (args.ours === args.theirs) {
    throw new UsageError("say which side to keep: --ours or --theirs", { hints: ["`vault status` shows each conflict with both sides"] });
  }
  const side: Side = args.ours ? "ours" : "theirs";
  const names = args.names ?? [];
  const root = findVaultRoot(ctx.cwd);
  const tree = workTree(root);
  const envs = ctx.env !== undefined ? [ctx.env] : [...(await envTexts(tree)).keys()];
  const report = await withRepoLock(root, async () => {
    const done: { env: string; settled: string[]; left: string[]; scopes: string[] }[] = [];
    const writes: [string, string][] = [];
    const found = new Set<string>();
    for (const env of envs) {
      const rel = `.envvault/envs/${env}.env`;
      const text = await tree.read(rel);
      if (text === undefined || !hasConflictMarkers(text)) continue;
      let cf: ConflictedFile = parseConflicted(text, rel, env);
      const wanted = (c: Conflict) => names.length === 0 || names.includes(c.name);
      // Scopes first: settling a scope settles its keys that were sealed for the chosen key.
      const order = [...cf.conflicts.filter((c) => c.kind === "scope"), ...cf.conflicts.filter((c) => c.kind === "key")].filter(wanted);
      const settled: string[] = [];
      for (const c of order) {
        found.add(c.name);
        if (!cf.conflicts.includes(c)) continue; // settled with its scope
        const before = new Set(cf.conflicts);
        cf = resolveConflict(cf, c, side, rel);
        settled.push(...[...before].filter((x) => !cf.conflicts.includes(x)).map(label));
      }
      if (settled.length === 0) continue;
      writes.push([await checkInside(root, rel), printMerged(cf)]);
      const scopes = order.filter((c) => c.kind === "scope").map((c) => c.name);
      done.push({ env, settled, left: cf.conflicts.map(label), scopes });
    }
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0 || (names.length === 0 && done.length === 0)) {
      throw new UsageError(names.length === 0 ? "no merge conflict in the vault" : `no merge conflict on ${missing.join(", ")}`, {
        hints: ["`vault status` lists the conflicts of the vault"],
      });
    }
    for (const [path, text] of writes) await writeFileAtomic(path, text, { mode: 0o644 });
    const keyFiles = await takeKeyFiles(root, done.flatMap((d) => d.scopes), side);
    return { done, keyFiles };
  });
  for (const p of report.keyFiles) ctx.out.note(`${p}: took ${side}'s key file`);
  if (report.done.some((r) => r.scopes.length > 0)) {
    ctx.out.note("the scope was rotated on both branches: run `vault rotate --scope SCOPE` again once merged, so both rotations take effect");
  }
  for (const r of report.done) {
    ctx.out.note(`${r.env}: kept ${side} for ${r.settled.join(", ")}`);
    if (r.left.length > 0) ctx.out.note(`${r.env}: still in conflict: ${r.left.join(", ")}`);
    else ctx.out.note(`${r.env}: no conflict left; \`git add .envvault/envs/${r.env}.env\`, then commit`);
  }
  ctx.out.result(report.done.map(({ env, settled, left }) => ({ env, settled, left })));
}
