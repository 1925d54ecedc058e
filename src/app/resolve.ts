/**
 * `vault resolve [NAME…] --ours|--theirs`: settles merge conflicts of the environment files
 * under the repository lock. The side kept is signed again by the member resolving (app/merger.ts).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { checkInside } from "../io/confine.js";
import { type Conflict, type ConflictedFile, hasConflictMarkers, parseConflicted, type Side } from "../model/conflicts.js";
import { envPath, keyDir } from "../model/layout.js";
import { printMerged, resolveConflict, type SettledConflict } from "../model/merge.js";
import { git } from "../git/exec.js";
import { findRepo, unmergedPaths } from "../git/repo.js";
import { withRepoLock } from "../store/local.js";
import { findVaultRoot } from "../store/root.js";
import { envTexts, workTree } from "../store/source.js";
import { Vault } from "../store/vault.js";
import { type Merger, mergerFor, sidesOf, signChoices } from "./merger.js";
import type { Deps } from "./session.js";

export interface ResolveInput {
  /** Variables or scopes to settle; none: every conflict. */
  names: readonly string[];
  side: Side;
}

/** What was settled in one environment file. */
export interface Settled {
  env: string;
  /** Conflicts settled (`scope S` for a scope), those settled with their scope included. */
  settled: string[];
  /** Conflicts still in the file. */
  left: string[];
  /** Scopes settled: rotated on both branches, so `vault rotate --scope` must run again. */
  scopes: string[];
}

export interface Resolved {
  done: Settled[];
  /** Key files taken from the chosen side (of the scopes settled). */
  keyFiles: string[];
}

const label = (c: Conflict) => (c.kind === "scope" ? `scope ${c.name}` : c.name);

/**
 * A scope rotated on both branches also left its key files in conflict (each side wrapped
 * its own new key): the chosen side's version of each is taken from git's index.
 */
async function takeKeyFiles(root: string, scopes: readonly string[], side: Side): Promise<string[]> {
  if (scopes.length === 0) return [];
  const { top } = await findRepo(root);
  const paths = await unmergedPaths(top, scopes.map((s) => `${keyDir(s)}/`));
  for (const p of paths) {
    const r = await git(["checkout", `--${side}`, "--", p], { cwd: top, allowFail: true });
    if (r.code !== 0) await rm(join(top, p), { force: true }); // that side deleted it
  }
  return paths;
}

/**
 * Settles the conflicts of one file with one side, signed by the merger; scopes first, as
 * settling a scope settles its keys sealed for the chosen key.
 */
function settle(m: Merger, cf: ConflictedFile, names: readonly string[], side: Side, file: string, found: Set<string>): { cf: ConflictedFile; settled: string[]; scopes: string[] } {
  const wanted = (c: Conflict) => names.length === 0 || names.includes(c.name);
  const order = [...cf.conflicts.filter((c) => c.kind === "scope"), ...cf.conflicts.filter((c) => c.kind === "key")].filter(wanted);
  const sides = sidesOf(cf, m.oneParent);
  const settled: SettledConflict[] = [];
  for (const c of order) {
    found.add(c.name);
    if (!cf.conflicts.includes(c)) continue; // settled with its scope
    const before = cf.conflicts;
    cf = resolveConflict(cf, c, side, file);
    settled.push(...before.filter((x) => !cf.conflicts.includes(x)).map((x) => ({ conflict: x, sides: sides.get(x)?.sides ?? [], parents: sides.get(x)?.parents ?? [] })));
  }
  return { cf: signChoices(m, cf, settled, file), settled: settled.map((s) => label(s.conflict)), scopes: order.filter((c) => c.kind === "scope").map((c) => c.name) };
}

/**
 * Settles the conflicts named (of `deps.env` only, when it names one) and writes the files;
 * nothing is written when a name has no conflict.
 */
export async function resolve(deps: Deps, o: ResolveInput): Promise<Resolved> {
  const root = findVaultRoot(deps.cwd);
  const tree = workTree(root);
  const envs = deps.env !== undefined ? [deps.env] : [...(await envTexts(tree)).keys()];
  return withRepoLock(root, async () => {
    const done: Settled[] = [];
    const writes: [string, string][] = [];
    const found = new Set<string>();
    let merger: Merger | undefined;
    for (const env of envs) {
      const rel = envPath(env);
      const text = await tree.read(rel);
      if (text === undefined || !hasConflictMarkers(text)) continue;
      // The roster of the merge as it stands in the work tree says who may settle what.
      merger ??= await mergerFor(deps, await Vault.load(root, tree));
      const { cf, settled, scopes } = settle(merger, parseConflicted(text, rel, env), o.names, o.side, rel, found);
      if (settled.length === 0) continue;
      writes.push([await checkInside(root, rel), printMerged(cf)]);
      done.push({ env, settled, left: cf.conflicts.map(label), scopes });
    }
    const missing = o.names.filter((n) => !found.has(n));
    if (missing.length > 0 || (o.names.length === 0 && done.length === 0)) {
      throw new UsageError(o.names.length === 0 ? "no merge conflict in the vault" : `no merge conflict on ${missing.join(", ")}`, {
        hints: ["`vault status` lists the conflicts of the vault"],
      });
    }
    for (const [path, text] of writes) await writeFileAtomic(path, text, { mode: 0o644 });
    return { done, keyFiles: await takeKeyFiles(root, done.flatMap((d) => d.scopes), o.side) };
  });
}
