/** `vault status`: environment in use, HEAD, unlocked targets against HEAD's vault, uncommitted vault changes, merge conflicts, stale key files. */
import { VaultError } from "../errors.js";
import { fingerprint } from "../crypto/seal.js";
import { readTextInside } from "../io/confine.js";
import { diffEnvTexts, type EnvChange } from "../model/changes.js";
import { burnedOf, envNames, VAULT_FILE } from "../model/config.js";
import { type Conflict, hasConflictMarkers, parseConflicted } from "../model/conflicts.js";
import { entries as docEntries, parse } from "../model/dotenv/index.js";
import { parseRemovedLine, parseValueLine, valueTime } from "../model/envfile.js";
import { envPath, VAULT_DIR } from "../model/layout.js";
import { findRepo, unmergedPaths } from "../git/repo.js";
import { RevisionReader } from "../git/revision.js";
import { envTextsAt, revisionSource } from "../store/at.js";
import type { Keyring } from "../store/keyring.js";
import { findVaultRoot } from "../store/root.js";
import { envTexts, workTree } from "../store/source.js";
import { type LocalState, loadState, localKey, type TargetState } from "../store/state.js";
import { Vault } from "../store/vault.js";
import { type StaleKeyFile, staleKeyFiles } from "./mergecheck.js";
import { type ConflictSides, conflictSides } from "../git/sides.js";
import { entries as vaultEntries } from "./read.js";
import { chooseEnv, type Deps, optionalKeyring } from "./session.js";
import { resolveTargets } from "./unlock.js";

/** An unlocked target of this clone against what `vault unlock` would write from HEAD's vault. */
export interface TargetStatus {
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

/** One conflict of an environment file, each side described without its value. */
export interface ConflictStatus {
  file: string;
  name: string;
  kind: Conflict["kind"];
  reason: string;
  ours: string;
  theirs: string;
}

/** The whole report; `--json` shows it as it is, but for `chosen` and `warnings`. */
export interface Status {
  env?: string;
  /** This clone chose an environment with `vault use`. */
  chosen: boolean;
  /** The branch HEAD is on, or `detached at COMMIT`. */
  branch: string;
  /** HEAD is on no branch: `branch` already names the commit. */
  detached: boolean;
  head?: string;
  targets: TargetStatus[];
  /** Vault changes of the work tree that HEAD does not have (files in conflict left out: see `conflicts`). */
  uncommitted: EnvChange[];
  conflicts: ConflictStatus[];
  /** Other vault files git could not merge. */
  unmerged: string[];
  staleKeyFiles: StaleKeyFile[];
  /** The operation the conflicts come from and which commit each side is. */
  sides?: ConflictSides;
  warnings: string[];
}

/** A side of a conflict: when its value was set or removed, or the key its scope has; `absent` when it has no line. */
function sideText(line: string | undefined): string {
  if (line === undefined) return "absent";
  const value = parseValueLine(line)?.value;
  if (value !== undefined) return `set ${valueTime(value.t)}`;
  const removed = parseRemovedLine(line)?.removed;
  if (removed !== undefined) return `removed ${valueTime(removed.t)}`;
  return line.replace(/^#@scope \S+ (\S+) \S+$/, "key $1");
}

/** The branch HEAD is on (or the commit it is detached at), through git/revision.ts. */
async function branchOf(reader: RevisionReader): Promise<{ branch: string; detached: boolean }> {
  const head = await reader.head().catch((): { commit: string } => ({ commit: "" }));
  if ("commit" in head) return { branch: `detached at ${head.commit.slice(0, 12)}`, detached: true };
  return { branch: head.ref.startsWith("refs/heads/") ? head.ref.slice("refs/heads/".length) : head.ref, detached: false };
}

/** The conflict blocks of the work tree's environment files; a file whose blocks do not parse is one entry. */
export function conflictsIn(work: ReadonlyMap<string, string>): ConflictStatus[] {
  const out: ConflictStatus[] = [];
  for (const [env, text] of work) {
    const file = envPath(env);
    if (!hasConflictMarkers(text)) continue;
    try {
      for (const c of parseConflicted(text, file, env).conflicts) {
        out.push({ file, name: c.name, kind: c.kind, reason: c.reason, ours: sideText(c.ours.line), theirs: sideText(c.theirs.line) });
      }
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      out.push({ file, name: "(file)", kind: "key", reason: e.message, ours: "", theirs: "" });
    }
  }
  return out;
}

/** Vault files other than environment files that git left unmerged (the merge driver does not handle them). */
async function otherUnmerged(top: string): Promise<string[]> {
  return (await unmergedPaths(top, [VAULT_DIR])).filter((p) => !/\.envvault\/envs\/[^/]+\.env$/.test(p));
}

/** The environment meant (app/session.ts chooseEnv); without a readable vault, the one asked for or chosen. */
async function envInUse(root: string, deps: Deps, state: LocalState): Promise<{ env?: string; warnings: string[] }> {
  try {
    const choice = chooseEnv((await Vault.load(root)).config.data, deps.env, state);
    return { env: choice.env, warnings: choice.stale === undefined ? [] : [choice.stale] };
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    const env = deps.env ?? state.env;
    return { ...(env === undefined ? {} : { env }), warnings: [] };
  }
}

/** HEAD's vault, or why there is none to compare with. */
async function vaultAtHead(root: string, reader: RevisionReader, head: string | undefined): Promise<{ vault: Vault } | { problem: string }> {
  if (head === undefined) return { problem: "HEAD has no commit yet" };
  try {
    return { vault: await Vault.load(root, revisionSource(reader, head, "HEAD")) };
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    return { problem: `HEAD has no readable vault (${e.message})` };
  }
}

/** What HEAD's vault says of the targets: the values unlock would write, when the reader can read them. */
interface AtHead {
  vault: Vault;
  /** Target → the values unlock would write into it; undefined without read access. */
  wouldWrite?: Map<string, Map<string, string>>;
  /** Why values were not compared (read access, a missing env_file). */
  problem?: string;
}

/**
 * What unlock would write into each target from HEAD's vault (layers, interpolation,
 * contexts, generated values, the target's filter), nothing written: the target holds those
 * values, not the vault's stored ones.
 */
async function valuesAtHead(vault: Vault, keyring: Keyring | undefined, env: string | undefined, deps: Deps): Promise<AtHead> {
  if (keyring === undefined || env === undefined) return { vault };
  try {
    const all = await resolveTargets({ vault, keyring, env }, { lookup: deps.processEnv }, false);
    return { vault, wouldWrite: new Map(all.map(({ target, resolved }) => [target.path, resolved.resolution.values])) };
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    return { vault, problem: `values not compared: ${e.message}` };
  }
}

/** Keys of a target whose value differs from what unlock wrote (compared by keyed hash). */
function editedLocally(text: string, t: TargetState, hashKey: Uint8Array): string[] {
  const local = docEntries(parse(text).doc);
  return Object.entries(t.keys)
    .filter(([k, h]) => local.has(k) && fingerprint(hashKey, local.get(k) ?? "") !== h)
    .map(([k]) => k)
    .sort();
}

/** One target against HEAD's vault: by value when it can be read, else by key name. */
async function targetStatus(root: string, target: string, t: TargetState, hashKey: Uint8Array, head: AtHead | { problem: string }): Promise<TargetStatus> {
  const s: TargetStatus = { target, env: t.env, state: "unknown", added: [], changed: [], removed: [], editedLocally: [] };
  const text = (await readTextInside(root, target, `target ${target}`))?.text;
  if (text === undefined) s.note = "the file is missing; `vault unlock` writes it again";
  else s.editedLocally = editedLocally(text, t, hashKey);
  if (!("vault" in head)) {
    s.note ??= head.problem;
    return s;
  }
  const cfg = head.vault.config.data;
  if (!envNames(cfg).includes(t.env)) {
    s.note = `environment ${t.env} does not exist at HEAD`;
    return s;
  }
  const values = head.wouldWrite?.get(target);
  if (head.wouldWrite !== undefined && values === undefined) {
    s.note = `not a target in HEAD's ${VAULT_FILE} any more; \`vault lock\` removes its values`;
    return s;
  }
  if (values === undefined) {
    // Without read access only the key names can be compared.
    const names = [...(await vaultEntries(head.vault, t.env)).keys()].filter((k) => burnedOf(cfg, k) === undefined);
    s.added = names.filter((k) => t.keys[k] === undefined).sort();
    s.removed = Object.keys(t.keys).filter((k) => !names.includes(k)).sort();
    s.note ??= head.problem ?? "no identity to compare values with; key names compared only";
    if (s.added.length + s.removed.length > 0) s.state = "behind";
    return s;
  }
  for (const [k, v] of values) {
    if (t.keys[k] === undefined) s.added.push(k);
    else if (t.keys[k] !== fingerprint(hashKey, v)) s.changed.push(k);
  }
  s.removed = Object.keys(t.keys).filter((k) => !values.has(k)).sort();
  s.added.sort();
  s.changed.sort();
  s.state = s.added.length + s.changed.length + s.removed.length === 0 ? "up-to-date" : "behind";
  return s;
}

/** Every target this clone unlocked, sorted, against HEAD's vault. */
async function targetsAgainstHead(root: string, state: LocalState, head: { vault: Vault } | { problem: string }, env: string | undefined, deps: Deps): Promise<TargetStatus[]> {
  const recorded = Object.entries(state.targets).sort(([a], [b]) => (a < b ? -1 : 1));
  if (recorded.length === 0) return [];
  const hashKey = await localKey(root);
  const atHead = "vault" in head ? await valuesAtHead(head.vault, await optionalKeyring(head.vault, deps).catch(() => undefined), env, deps) : head;
  const out: TargetStatus[] = [];
  for (const [target, t] of recorded) out.push(await targetStatus(root, target, t, hashKey, atHead));
  return out;
}

/** Reads everything `vault status` reports; writes nothing but this clone's hash key when it has none yet. */
export async function status(deps: Deps): Promise<Status> {
  const repo = await findRepo(deps.cwd);
  const root = findVaultRoot(deps.cwd);
  const reader = new RevisionReader(repo);
  const head = await reader.resolve("HEAD").catch(() => undefined);
  const { branch, detached } = await branchOf(reader);

  const work = await envTexts(workTree(root));
  const conflicts = conflictsIn(work);
  const unmerged = await otherUnmerged(repo.top);
  const atHead = head === undefined ? new Map<string, string>() : await envTextsAt(reader, head);
  const conflicted = new Set(conflicts.map((c) => c.file));
  const uncommitted = diffEnvTexts(atHead, work).filter((c) => !conflicted.has(envPath(c.env)));

  const state = await loadState(root);
  const { env, warnings } = await envInUse(root, deps, state);
  const targets = await targetsAgainstHead(root, state, await vaultAtHead(root, reader, head), env, deps);
  const stale = head === undefined ? [] : await staleKeyFiles(repo.top, head);
  const sides = conflicts.length > 0 || unmerged.length > 0 ? await conflictSides(repo) : undefined;
  return {
    ...(env === undefined ? {} : { env }),
    chosen: state.env !== undefined,
    branch,
    detached,
    ...(head === undefined ? {} : { head }),
    targets,
    uncommitted,
    conflicts,
    unmerged,
    staleKeyFiles: stale,
    ...(sides === undefined ? {} : { sides }),
    warnings,
  };
}
