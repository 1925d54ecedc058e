/**
 * `vault status`: the environment in use, whether each unlocked target still matches the
 * vault of HEAD (compared by keyed hash, values never shown), vault changes not committed
 * yet, and merge conflicts with what to do about each.
 */
import { describeStale } from "../../app/mergecheck.js";
import { status as readStatus, type TargetStatus } from "../../app/status.js";
import { changeText } from "../changes.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";

/** `main (a1b2c3d4e5f6 "subject" by alice)`. */
function describeSide(s: { commit: string; branch?: string; subject: string; author: string }): string {
  return `${s.branch === undefined ? "" : `${s.branch} `}(${s.commit.slice(0, 12)} ${JSON.stringify(s.subject)} by ${s.author})`;
}

function targetLine(s: TargetStatus): string {
  const diff = summary(s.added, s.changed, s.removed);
  const line = s.state === "up-to-date" ? "matches HEAD's vault" : s.state === "behind" ? `differs from HEAD's vault: ${diff}; \`vault unlock\` updates it` : "not compared";
  return `target ${s.target} (${s.env}): ${line}${s.note === undefined ? "" : ` (${s.note})`}`;
}

/** Renders the report of app/status.ts; `--json` prints it as one object. */
export async function status(ctx: Context): Promise<void> {
  const r = await readStatus(depsOf(ctx));
  const out = ctx.out;
  for (const w of r.warnings) out.warn(w);
  out.data(`environment: ${r.env ?? "(none)"}${r.chosen ? " (chosen with `vault use`)" : ""}`);
  // A detached HEAD's branch text already names its commit.
  const at = r.detached ? "" : r.head === undefined ? " (no commit yet)" : ` at ${r.head.slice(0, 12)}`;
  out.data(`branch: ${r.branch}${at}`);
  if (r.targets.length === 0) out.data("targets: none unlocked in this clone (`vault unlock` writes them)");
  for (const s of r.targets) {
    out.data(targetLine(s));
    if (s.editedLocally.length > 0) out.data(`  changed locally since unlock: ${s.editedLocally.join(", ")}`);
  }
  for (const c of r.uncommitted) out.data(`not committed: ${c.env}: ${changeText(c)}`);
  if (r.conflicts.length > 0 || r.unmerged.length > 0) out.data("merge conflicts:");
  if (r.sides !== undefined && (r.conflicts.length > 0 || r.unmerged.length > 0)) {
    const { operation, ours, theirs } = r.sides;
    if (operation === "rebase") {
      out.data(`  a rebase: ours is ${describeSide(ours)}, the branch being rebased onto; theirs is ${describeSide(theirs)}, your commit being replayed`);
    } else {
      out.data(`  a ${operation}: ours is ${describeSide(ours)}; theirs is ${describeSide(theirs)}${operation === "merge" ? "" : `, the commit being ${operation === "revert" ? "reverted" : "applied"}`}`);
    }
  }
  for (const c of r.conflicts) {
    out.data(`  ${c.file}: ${c.kind === "scope" ? `scope ${c.name}` : c.name}: ${c.reason}`);
    if (c.ours !== "" || c.theirs !== "") out.data(`    ours: ${c.ours}; theirs: ${c.theirs}`);
  }
  if (r.conflicts.length > 0) {
    out.data("  settle each with `vault resolve NAME --ours|--theirs`, or `vault set KEY` for a new value; then `git add` the file");
    if (r.conflicts.some((c) => c.kind === "scope")) out.data("  a scope rotated on both branches: pick one side, then run `vault rotate --scope SCOPE` again so both rotations take effect");
  }
  for (const s of r.staleKeyFiles) out.data(`stale key file: ${describeStale(s)}`);
  for (const p of r.unmerged) out.data(`  ${p}: git could not merge it; fix it by hand (or \`git checkout --ours|--theirs -- ${p}\`), then \`git add\` it`);
  out.result({ env: r.env ?? null, branch: r.branch, detached: r.detached, head: r.head ?? null, targets: r.targets, uncommitted: r.uncommitted, conflicts: r.conflicts, unmerged: r.unmerged, staleKeyFiles: r.staleKeyFiles, sides: r.sides ?? null });
}
