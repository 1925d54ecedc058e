/**
 * `vault merge-driver %O %A %B %P`: git's merge driver for `.envvault/envs/*.env`. Writes the
 * result into %A. Nothing is decrypted unless keys conflict: then, with an identity that can
 * read them, equal values on both sides settle themselves, and each remaining key is put to
 * the caller's `choose` (a person at a terminal), when there is one.
 */
import { readFile } from "node:fs/promises";
import { VaultError } from "../errors.js";
import { openValue } from "../crypto/seal.js";
import { writeFileAtomic } from "../io/atomic.js";
import { fsError } from "../io/files.js";
import { applySide, type Conflict, type ConflictedFile, envOf, hasConflictMarkers, parseConflicted, type Side } from "../model/conflicts.js";
import { type EnvFile, parseEnvFile, parseValueLine } from "../model/envfile.js";
import { envPath } from "../model/layout.js";
import { mergeEnv, printMerged, resolveConflict, sideUsable } from "../model/merge.js";
import type { Keyring } from "../store/keyring.js";
import type { Deps } from "./session.js";

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

/** Opens the values of conflicting lines with the reader's identity, when there is one; the vault is loaded on first use. */
class SideReader {
  private keyring: Promise<Keyring | undefined> | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly env: string,
  ) {}

  private open(): Promise<Keyring | undefined> {
    this.keyring ??= (async () => {
      try {
        const { openVault, optionalKeyring } = await import("./session.js");
        return await optionalKeyring(await openVault(this.deps), this.deps);
      } catch {
        return undefined; // e.g. roster.yaml is in conflict too: nothing is decrypted then
      }
    })();
    return this.keyring;
  }

  /** The side's value, or undefined when it cannot be read here. */
  async value(cf: ConflictedFile, c: Conflict, side: Side): Promise<string | undefined> {
    const line = c[side].line;
    if (line === undefined || c.kind !== "key") return undefined;
    const keyring = await this.open();
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
    if (line === undefined) return { removed: true };
    const t = parseValueLine(line)?.value.t;
    const value = await this.value(cf, c, side);
    return { removed: false, ...(t === undefined ? {} : { t }), ...(value === undefined ? {} : { value }) };
  }
}

/** Whether both sides of a key conflict can be kept (each was sealed for the key its scope has in the merge). */
const bothUsable = (cf: ConflictedFile, c: Conflict) => sideUsable(cf, c, "ours") && sideUsable(cf, c, "theirs");

/**
 * Merges the three versions key by key and replaces `ours` with the result (conflict blocks
 * included). Without `choose` (nobody to ask), only conflicts whose sides hold equal values
 * settle themselves.
 */
export async function mergeDriver(deps: Deps, o: MergeInput, choose?: Choose): Promise<MergeOutcome> {
  const path = o.path ?? envPath("?");
  const [baseText, oursText, theirsText] = await Promise.all(
    [o.base, o.ours, o.theirs].map((f) => readFile(f, "utf8").catch((e: unknown) => Promise.reject(fsError("read", f, e)))),
  );
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
  for (const c of cf.conflicts.filter((x) => x.kind === "key" && x.ours.line !== undefined && x.theirs.line !== undefined)) {
    if (!bothUsable(cf, c)) continue;
    const [a, b] = [await reader.value(cf, c, "ours"), await reader.value(cf, c, "theirs")];
    if (a !== undefined && a === b) cf = resolveConflict(cf, c, "ours", path);
  }
  if (choose !== undefined) {
    for (const c of cf.conflicts.filter((x) => x.kind === "key")) {
      if (!bothUsable(cf, c)) continue;
      const choice = await choose({ key: c.name, env, reason: c.reason, ours: await reader.view(cf, c, "ours"), theirs: await reader.view(cf, c, "theirs") });
      if (choice !== undefined) cf = resolveConflict(cf, c, choice, path);
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
