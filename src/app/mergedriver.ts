/**
 * `vault merge-driver %O %A %B %P`: git's merge driver for `.envvault/envs/*.env` and
 * `.envvault/chain`. Writes the result into %A. A file that merges without conflicts is made
 * of lines taken as they are from one side, signatures included: nothing is signed or
 * decrypted. When keys conflict and this identity is a member who may write them, equal
 * values (or removals) on both sides settle themselves and each remaining key is put to the
 * caller's `choose` (a person at a terminal); the side kept is signed by the merger.
 */
import { readFile } from "node:fs/promises";
import { VaultError } from "../errors.js";
import { openValue } from "../crypto/seal.js";
import { writeFileAtomic } from "../io/atomic.js";
import { fsError } from "../io/files.js";
import { applySide, type Conflict, type ConflictedFile, envOf, hasConflictMarkers, parseConflicted, type Side } from "../model/conflicts.js";
import { type EnvFile, parseEnvFile, parseValueLine } from "../model/envfile.js";
import { CHAIN_FILE, envPath, ROSTER_FILE } from "../model/layout.js";
import { checkRoster, type Roster } from "../model/roster.js";
import { headsOf, parseChain } from "../model/chain.js";
import { git } from "../git/exec.js";
import { dirname } from "node:path";
import { mergeChain, mergeEnv, printMerged, sideUsable } from "../model/merge.js";
import type { Keyring } from "../store/keyring.js";
import { type Merger, maySettle, mergerFor, settleSigned } from "./merger.js";
import { type Deps, openVault, optionalKeyring } from "./session.js";

export interface MergeInput {
  /** The three versions git gives (%O %A %B); the result replaces `ours`. */
  base: string;
  ours: string;
  theirs: string;
  /** The file's path in the repository (%P). */
  path?: string;
}

/** One side of a key conflict, as shown to the person choosing. */
export interface SideView {
  /** The side removed the key. */
  removed: boolean;
  /** When the side's value was last set. */
  t?: number;
  /** The side's value, when the reader can open it. */
  value?: string;
}

/** A key conflict put to the person choosing. */
export interface Question {
  key: string;
  env: string;
  reason: string;
  ours: SideView;
  theirs: SideView;
}

/** Picks a side of a key conflict, or undefined to leave the conflict in the file. */
export type Choose = (q: Question) => Promise<Side | undefined>;

export type MergeOutcome =
  /** The file could not be merged key by key (a side is damaged): git keeps ours and reports a conflict. */
  | { path: string; status: "unmergeable"; reason: string }
  /** Written with conflict blocks left. */
  | { path: string; status: "conflicts"; conflicts: Conflict[] }
  /** Merged, but only an admin's signature makes it hold (the chain's two heads): `vault sign` before the merge commit. */
  | { path: string; status: "to sign"; reason: string }
  /** Merged as text with git's markers left (roster.yaml entries both sides changed): settled by hand. */
  | { path: string; status: "text conflicts"; reason: string }
  /** Every key merged: what the merge changed against ours. */
  | { path: string; status: "merged"; added: string[]; changed: string[]; removed: string[] };

/** A base that itself holds conflict blocks (git's virtual base of a criss-cross merge) takes ours of each. */
function baseFile(text: string, path: string, env: string): EnvFile | undefined {
  if (text.trim() === "") return undefined;
  if (!hasConflictMarkers(text)) return parseEnvFile(text, path, env);
  const cf = parseConflicted(text, path, env);
  for (const c of cf.conflicts) applySide(cf.file, c, c.ours.line, env, path);
  return cf.file;
}

/**
 * What settling conflicts needs, loaded on first use: the reader's keyring (to compare and
 * show values) and the merger (to sign a choice). Without an identity, or when the vault
 * cannot be loaded (roster.yaml in conflict too), there is neither, and conflicts stay.
 */
class SideReader {
  private loaded: Promise<{ keyring?: Keyring; merger?: Merger }> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly env: string,
  ) {}

  private load(): Promise<{ keyring?: Keyring; merger?: Merger }> {
    this.loaded ??= (async () => {
      try {
        const vault = await openVault(this.deps);
        const keyring = await optionalKeyring(vault, this.deps);
        const merger = await mergerFor(this.deps, vault).catch((e: unknown) => {
          if (e instanceof VaultError) return undefined;
          throw e;
        });
        return { ...(keyring === undefined ? {} : { keyring }), ...(merger === undefined ? {} : { merger }) };
      } catch (e) {
        if (e instanceof VaultError) return {};
        throw e;
      }
    })();
    return this.loaded;
  }

  async merger(): Promise<Merger | undefined> {
    return (await this.load()).merger;
  }

  /** The side's value, or undefined when it cannot be read here. */
  async value(cf: ConflictedFile, c: Conflict, side: Side): Promise<string | undefined> {
    const line = c[side].line;
    if (line === undefined || c.kind !== "key") return undefined;
    const { keyring } = await this.load();
    if (keyring === undefined) return undefined;
    try {
      const found = parseValueLine(line);
      const parsed = found?.key === c.name ? found.value : undefined;
      const batch = parsed === undefined ? undefined : cf.file.batches.get(parsed.batch);
      if (parsed === undefined || batch === undefined) return undefined;
      const file: EnvFile = { ...cf.file, scopes: new Map([[batch.scope, c[side].sealed ?? ""]]) };
      const valueKey = await keyring.valueKey(file, parsed.batch, c.name);
      return openValue({ valueKey, env: this.env, scope: batch.scope, key: c.name, t: parsed.t, payload: parsed.payload });
    } catch (e) {
      if (e instanceof VaultError) return undefined;
      throw e;
    }
  }

  /** A side as shown to the person choosing. */
  async view(cf: ConflictedFile, c: Conflict, side: Side): Promise<SideView> {
    const line = c[side].line;
    const t = line === undefined ? undefined : parseValueLine(line)?.value.t;
    if (t === undefined) return { removed: true };
    const value = await this.value(cf, c, side);
    return { removed: false, t, ...(value === undefined ? {} : { value }) };
  }
}

/** Whether both sides of a key conflict can be kept (each was sealed for the key its scope has in the merge). */
const bothUsable = (cf: ConflictedFile, c: Conflict) => sideUsable(cf, c, "ours") && sideUsable(cf, c, "theirs");

/** `.envvault/chain`: both sides' links; it never conflicts (two heads are for `vault sign`). */
async function mergeChainFile(o: MergeInput, ours: string, theirs: string): Promise<MergeOutcome> {
  let merged: ReturnType<typeof mergeChain>;
  try {
    merged = mergeChain(ours, theirs);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    return { path: CHAIN_FILE, status: "unmergeable", reason: e.message };
  }
  await writeFileAtomic(o.ours, merged.text);
  // Both branches changed roster.yaml or vault.yaml: a merge commit with two heads would not
  // verify, so git stops here for an admin to join them before the merge is committed.
  const heads = headsOf(parseChain(merged.text));
  if (heads.length > 1) return { path: CHAIN_FILE, status: "to sign", reason: `both branches changed roster.yaml, vault.yaml or exposed.json: the chain has ${heads.length} heads (${heads.map((h) => h.hash.slice(0, 12)).join(", ")})` };
  return { path: CHAIN_FILE, status: "merged", added: merged.added.map((l) => `link ${l.hash.slice(0, 12)}`), changed: [], removed: [] };
}

/**
 * `.envvault/roster.yaml`: entry by entry (model/roster-merge.ts). When both sides changed one
 * member's entry, or the merged roster does not hold together (a grant to a member the other
 * side removed), the file is merged as text instead, git's markers left for a person.
 */
async function mergeRosterFile(o: MergeInput, base: string, ours: string, theirs: string): Promise<MergeOutcome> {
  const { loadYaml, editYaml } = await import("../model/yamlfile.js");
  const { mergeRoster } = await import("../model/roster-merge.js");
  const asText = async (reason: string): Promise<MergeOutcome> => {
    const r = await git(["merge-file", "-p", "--diff3", "-L", "ours", "-L", "base", "-L", "theirs", o.ours, o.base, o.theirs], { cwd: dirname(o.ours), allowFail: true });
    // A text merge without markers would hide what does not hold together: both whole sides then.
    const text = r.code !== 0 ? r.stdout.toString("utf8") : `<<<<<<< ours\n${ours}||||||| base\n${base}=======\n${theirs}>>>>>>> theirs\n`;
    await writeFileAtomic(o.ours, text);
    return { path: ROSTER_FILE, status: "text conflicts", reason };
  };
  try {
    const load = (text: string, side: string) => loadYaml<Roster>(text, `${ROSTER_FILE} (${side})`, "roster");
    const mine = load(ours, "ours");
    const r = mergeRoster(base.trim() === "" ? undefined : load(base, "base").data, mine.data, load(theirs, "theirs").data);
    if (!r.ok) return asText(r.conflicts.join(", "));
    const merged = String(editYaml(mine, "roster", r.edit).doc);
    loadYaml<Roster>(merged, ROSTER_FILE, "roster", (d, lineOf) => checkRoster(d, lineOf));
    await writeFileAtomic(o.ours, merged);
    return { path: ROSTER_FILE, status: "merged", added: r.added, changed: r.changed, removed: r.removed };
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    return asText(e.message);
  }
}

const isRemoval = (line: string | undefined) => line?.startsWith("#@removed ") === true;

/**
 * Merges the three versions key by key and replaces `ours` with the result (conflict blocks
 * included). Without `choose` (nobody to ask), only conflicts whose sides hold equal values,
 * or are both removals, settle themselves; and only for a merger who may sign them.
 */
export async function mergeDriver(deps: Deps, o: MergeInput, choose?: Choose): Promise<MergeOutcome> {
  const path = o.path ?? envPath("?");
  const [baseText, oursText, theirsText] = await Promise.all(
    [o.base, o.ours, o.theirs].map((f) => readFile(f, "utf8").catch((e: unknown) => Promise.reject(fsError("read", f, e)))),
  );
  if (path === CHAIN_FILE) return mergeChainFile(o, oursText ?? "", theirsText ?? "");
  if (path === ROSTER_FILE) return mergeRosterFile(o, baseText ?? "", oursText ?? "", theirsText ?? "");
  const env = envOf(path, oursText ?? "");
  let cf: ConflictedFile;
  let ours: EnvFile;
  try {
    ours = parseEnvFile(oursText ?? "", `${path} (ours)`, env);
    cf = mergeEnv(env, baseFile(baseText ?? "", `${path} (base)`, env), ours, parseEnvFile(theirsText ?? "", `${path} (theirs)`, env));
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    return { path, status: "unmergeable", reason: e.message };
  }
  const reader = new SideReader(deps, env);
  const settleable = async (c: Conflict) => {
    if (c.kind !== "key" || !bothUsable(cf, c)) return undefined;
    const merger = await reader.merger();
    return merger !== undefined && maySettle(merger, cf, c) ? merger : undefined;
  };
  for (const c of cf.conflicts.filter((x) => x.ours.line !== undefined && x.theirs.line !== undefined)) {
    const merger = await settleable(c);
    if (merger === undefined) continue;
    const same = isRemoval(c.ours.line) && isRemoval(c.theirs.line) ? true : await sameValue(reader, cf, c);
    if (same) cf = settleSigned(merger, cf, c, "ours", path) ?? cf;
  }
  if (choose !== undefined) {
    for (const c of [...cf.conflicts]) {
      const merger = await settleable(c);
      if (merger === undefined) continue;
      const choice = await choose({ key: c.name, env, reason: c.reason, ours: await reader.view(cf, c, "ours"), theirs: await reader.view(cf, c, "theirs") });
      if (choice !== undefined) cf = settleSigned(merger, cf, c, choice, path) ?? cf;
    }
  }
  // Replaced, not rewritten in place: killed half way, a truncated %A would be taken by git
  // as the merge result.
  await writeFileAtomic(o.ours, printMerged(cf));
  if (cf.conflicts.length > 0) return { path, status: "conflicts", conflicts: cf.conflicts };
  const merged = cf.file.values;
  return {
    path,
    status: "merged",
    added: [...merged.keys()].filter((k) => !ours.values.has(k)),
    changed: [...merged].filter(([k, v]) => ours.values.has(k) && ours.values.get(k)?.payload !== v.payload).map(([k]) => k),
    removed: [...ours.values.keys()].filter((k) => !merged.has(k)),
  };
}

/** Whether both sides of a key conflict hold the same value (two ciphertexts of it), as far as this reader can tell. */
async function sameValue(reader: SideReader, cf: ConflictedFile, c: Conflict): Promise<boolean> {
  const a = await reader.value(cf, c, "ours");
  return a !== undefined && a === (await reader.value(cf, c, "theirs"));
}
