/**
 * `vault status`: the environment in use, whether each unlocked target still matches the
 * vault of HEAD (compared by keyed hash, values never shown), vault changes not committed
 * yet, and merge conflicts with what to do about each.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { VaultError } from "../../errors.js";
import { fingerprint } from "../../crypto/seal.js";
import { entries as docEntries, parse } from "../../model/dotenv/index.js";
import { burnedOf, envNames, VAULT_FILE } from "../../model/config.js";
import { entries as vaultEntries } from "../../app/read.js";
import { resolveTargets } from "../../app/unlock.js";
import { optionalKeyring } from "../../app/session.js";
import { findVaultRoot } from "../../store/root.js";
import { loadState, localKey } from "../../store/state.js";
import { Vault } from "../../store/vault.js";
import { envTexts, workTree } from "../../store/source.js";
import { readTextInside } from "../../io/confine.js";
import { type Conflict, hasConflictMarkers, parseConflicted } from "../../model/conflicts.js";
import { git } from "../../git/exec.js";
import { diffEnvTexts } from "../../app/history.js";
import { describeStale, staleKeyFiles } from "../../app/mergecheck.js";
import { findRepo } from "../../git/repo.js";
import { RevisionReader } from "../../git/revision.js";
import { envTextsAt, revisionSource } from "../../store/at.js";
import { chooseEnv, summary, depsOf } from "../common.js";
import type { Context } from "../context.js";
import { changeText } from "./log.js";

interface TargetStatus {
  target: string;
  env: string;
  /** up-to-date, behind (HEAD's vault differs), unknown (cannot compare). */
  state: "up-to-date" | "behind" | "unknown";
  added: string[];
  changed: string[];
  removed: string[];
  editedLocally: string[];
  note?: string;
}

interface ConflictStatus {
  file: string;
  name: string;
  kind: Conflict["kind"];
  reason: string;
  ours: string;
  theirs: string;
}

const when = (line: string | undefined): string => {
  if (line === undefined) return "removed";
  const t = /=ev1:[0-9a-f]{12}:(\d+):/.exec(line)?.[1];
  if (t !== undefined) return `set ${new Date(Number(t) * 1000).toISOString().replace(/\.000Z$/, "Z")}`;
  return line.replace(/^#@scope \S+ /, "key ");
};

async function branchOf(gitDir: string): Promise<string> {
  const head = (await readFile(join(gitDir, "HEAD"), "utf8").catch(() => "")).trim();
  return head.startsWith("ref: refs/heads/") ? head.slice(16) : head.startsWith("ref: ") ? head.slice(5) : `detached at ${head.slice(0, 12)}`;
}

export async function status(ctx: Context): Promise<void> {
  const repo = await findRepo(ctx.cwd);
  const root = findVaultRoot(ctx.cwd);
  const prefix = "";
  const reader = new RevisionReader(repo);
  const head = await reader.resolve("HEAD").catch(() => undefined);
  const branch = await branchOf(repo.gitDir);

  // Conflicts in environment files, and other vault files git could not merge.
  const conflicts: ConflictStatus[] = [];
  const work = await envTexts(workTree(root));
  for (const [env, text] of work) {
    const rel = `.envvault/envs/${env}.env`;
    if (!hasConflictMarkers(text)) continue;
    try {
      for (const c of parseConflicted(text, rel, env).conflicts) {
        conflicts.push({ file: rel, name: c.name, kind: c.kind, reason: c.reason, ours: when(c.ours.line), theirs: when(c.theirs.line) });
      }
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      conflicts.push({ file: rel, name: "(file)", kind: "key", reason: e.message, ours: "", theirs: "" });
    }
  }
  const unmerged = await git(["ls-files", "-u", "-z", "--", `${prefix}.envvault`], { cwd: repo.top });
  const otherUnmerged = [
    ...new Set(
      unmerged.stdout
        .toString("utf8")
        .split("\0")
        .map((l) => l.split("\t")[1] ?? "")
        .filter((p) => p !== "" && !/\.envvault\/envs\/[^/]+\.env$/.test(p)),
    ),
  ].sort();

  // Vault changes in the work tree that HEAD does not have.
  const atHead = head === undefined ? new Map<string, string>() : await envTextsAt(reader, head);
  const conflicted = (env: string) => conflicts.some((x) => x.file === `.envvault/envs/${env}.env`); // listed under conflicts
  const uncommitted = diffEnvTexts(atHead, work).filter((c) => !conflicted(c.env));

  // Targets against the vault of HEAD.
  const state = await loadState(root);
  const targets: TargetStatus[] = [];
  let envInUse: string | undefined;
  let headVault: Vault | undefined;
  let headProblem: string | undefined;
  try {
    const workVault = await Vault.load(root);
    envInUse = await chooseEnv(workVault, ctx);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    envInUse = ctx.env ?? state.env;
  }
  if (head === undefined) headProblem = "HEAD has no commit yet";
  else {
    try {
      headVault = await Vault.load(root, revisionSource(reader, head, "HEAD"));
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      headProblem = `HEAD has no readable vault (${e.message})`;
    }
  }
  const keyring = headVault === undefined ? undefined : await optionalKeyring(headVault, depsOf(ctx)).catch(() => undefined);
  const hashKey = Object.keys(state.targets).length > 0 ? await localKey(root) : undefined;
  // What unlock would write into each target from HEAD's vault (layers, interpolation,
  // contexts, generated values, the target's filter), nothing written: the target holds
  // those values, not the vault's stored ones.
  let wouldWrite: Map<string, Map<string, string>> | undefined;
  let resolveProblem: string | undefined;
  if (headVault !== undefined && keyring !== undefined && hashKey !== undefined && envInUse !== undefined) {
    try {
      const all = await resolveTargets({ vault: headVault, keyring, env: envInUse }, { lookup: ctx.processEnv }, false);
      wouldWrite = new Map(all.map(({ target, resolved }) => [target.path, resolved.resolution.values]));
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      resolveProblem = `values not compared: ${e.message}`;
    }
  }
  for (const [target, t] of Object.entries(state.targets).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const s: TargetStatus = { target, env: t.env, state: "unknown", added: [], changed: [], removed: [], editedLocally: [] };
    targets.push(s);
    const text = (await readTextInside(root, target, `target ${target}`))?.text;
    if (text === undefined) s.note = "the file is missing; `vault unlock` writes it again";
    else if (hashKey !== undefined) {
      const local = docEntries(parse(text).doc);
      s.editedLocally = Object.entries(t.keys)
        .filter(([k, h]) => local.has(k) && fingerprint(hashKey, local.get(k) ?? "") !== h)
        .map(([k]) => k)
        .sort();
    }
    if (headVault === undefined || hashKey === undefined) {
      s.note ??= headProblem;
      continue;
    }
    if (!envNames(headVault.config.data).includes(t.env)) {
      s.note = `environment ${t.env} does not exist at HEAD`;
      continue;
    }
    const values = wouldWrite?.get(target);
    if (wouldWrite !== undefined && values === undefined) {
      s.note = `not a target in HEAD's ${VAULT_FILE} any more; \`vault lock\` removes its values`;
      continue;
    }
    if (values === undefined) {
      // Without read access only the key names can be compared.
      const live = (k: string) => burnedOf(headVault!.config.data, k) === undefined;
      const names = [...(await vaultEntries(headVault, t.env)).keys()].filter(live);
      s.added = names.filter((k) => t.keys[k] === undefined).sort();
      s.removed = Object.keys(t.keys).filter((k) => !names.includes(k)).sort();
      s.note ??= resolveProblem ?? "no identity to compare values with; key names compared only";
    } else {
      for (const [k, v] of values) {
        if (t.keys[k] === undefined) s.added.push(k);
        else if (t.keys[k] !== fingerprint(hashKey, v)) s.changed.push(k);
      }
      s.removed = Object.keys(t.keys).filter((k) => !values.has(k)).sort();
      s.added.sort();
      s.changed.sort();
      s.state = s.added.length + s.changed.length + s.removed.length === 0 ? "up-to-date" : "behind";
    }
    if (s.state === "unknown" && s.added.length + s.removed.length > 0) s.state = "behind";
  }

  const stale = head === undefined ? [] : await staleKeyFiles(repo.top, prefix, head);

  const out = ctx.out;
  out.data(`environment: ${envInUse ?? "(none)"}${state.env !== undefined ? " (chosen with `vault use`)" : ""}`);
  out.data(`branch: ${branch}${head === undefined ? " (no commit yet)" : ` at ${head.slice(0, 12)}`}`);
  if (targets.length === 0) out.data("targets: none unlocked in this clone (`vault unlock` writes them)");
  for (const s of targets) {
    const diff = summary(s.added, s.changed, s.removed);
    const line =
      s.state === "up-to-date" ? "matches HEAD's vault" : s.state === "behind" ? `differs from HEAD's vault: ${diff}; \`vault unlock\` updates it` : "not compared";
    out.data(`target ${s.target} (${s.env}): ${line}${s.note === undefined ? "" : ` (${s.note})`}`);
    if (s.editedLocally.length > 0) out.data(`  changed locally since unlock: ${s.editedLocally.join(", ")}`);
  }
  for (const c of uncommitted) out.data(`not committed: ${c.env}: ${changeText(c)}`);
  if (conflicts.length > 0 || otherUnmerged.length > 0) out.data("merge conflicts:");
  for (const c of conflicts) {
    const name = c.kind === "scope" ? `scope ${c.name}` : c.name;
    out.data(`  ${c.file}: ${name}: ${c.reason}`);
    if (c.ours !== "" || c.theirs !== "") out.data(`    ours: ${c.ours}; theirs: ${c.theirs}`);
  }
  if (conflicts.length > 0) {
    out.data("  settle each with `vault resolve NAME --ours|--theirs`, or `vault set KEY` for a new value; then `git add` the file");
    if (conflicts.some((c) => c.kind === "scope")) out.data("  a scope rotated on both branches: pick one side, then run `vault rotate --scope SCOPE` again so both rotations take effect");
  }
  for (const s of stale) out.data(`stale key file: ${describeStale(s)}`);
  for (const p of otherUnmerged) out.data(`  ${p}: git could not merge it; fix it by hand (or \`git checkout --ours|--theirs -- ${p}\`), then \`git add\` it`);
  out.result({ env: envInUse ?? null, branch, head: head ?? null, targets, uncommitted, conflicts, unmerged: otherUnmerged, staleKeyFiles: stale });
}
