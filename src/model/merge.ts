/**
 * The three-way merge of an environment file, key by key (docs/FORMAT.md §11), without
 * decrypting: lines are compared as text (a value line names its batch, time, `prev` and
 * ciphertext), and the lines taken from one side keep their signatures. Pure.
 *
 * - Scopes: per scope, the side that changed its `#@scope` line (recipient or `prev`) wins;
 *   both changing it differently (concurrent rotations) is a scope conflict.
 * - Keys: per key, the side that changed its line wins, a value line or a `#@removed` line
 *   alike (a removal is a change); both changing it differently is a key conflict. A value
 *   taken from one side whose scope the other side rotated was sealed for a key the merged
 *   file no longer has: it becomes a conflict too, so a merge never produces a value nobody
 *   can open.
 * - Batches and records (`#@sig`): exactly those the merged lines and the conflicting lines
 *   refer to, from any of the three versions.
 * - Comments: the side that changed them, or both sides' lines.
 *
 * `.envvault/chain` merges as the union of both sides' links ({@link mergeChain}): two
 * branches that both changed the trusted files leave two heads, which an admin's `vault
 * sign` joins in a merge link (§5).
 *
 * A line taken from one side as it is names its `prev`, so the history check accepts it
 * when the other side left the key alone. Taking one side of a conflict is a choice the
 * history check wants signed: {@link signSettled} writes the kept line again, following the
 * side's line, under a record of the merger.
 */
import { NotAllowed, Tampered, UsageError } from "../errors.js";
import { type EnvFile, emptyEnvFile, parseRemovedLine, parseValueLine, printEnvFile, removedLine, type SealedValue, signedView, valueLine } from "./envfile.js";
import { type Link, parseChain, printChain } from "./chain.js";
import { applySide, type Conflict, type ConflictedFile, type ConflictSide, printConflicted, type Side } from "./conflicts.js";
import { maySign, type Roster, type SignedKind } from "./roster.js";
import { batchHash, checkSignedFile, leavesOf, lineLeaves, NO_PREV, removedLeaf, scopeLeaf, splitLeaves, valueLeaf } from "./signed.js";
import { addRecord, type Writer } from "./signing.js";
import type { VerifySignature } from "./trust.js";

type Pick<T> = { from: Side; value: T | undefined } | "conflict";

function threeWay<T>(base: T | undefined, ours: T | undefined, theirs: T | undefined): Pick<T> {
  if (ours === theirs) return { from: "ours", value: ours };
  if (base === ours) return { from: "theirs", value: theirs };
  if (base === theirs) return { from: "ours", value: ours };
  return "conflict";
}

const union = (...maps: ReadonlyMap<string, unknown>[]) => [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const isRemoval = (line: string | undefined) => line?.startsWith("#@removed ") === true;

/** A key's line in a file: its value line, or its removal line; undefined when it has neither. */
export function keyLine(f: EnvFile, key: string): string | undefined {
  const v = f.values.get(key);
  if (v !== undefined) return valueLine(key, v);
  const r = f.removed.get(key);
  return r === undefined ? undefined : removedLine(key, r);
}

function scopeLine(f: EnvFile, scope: string): string | undefined {
  const recipient = f.scopes.get(scope);
  return recipient === undefined ? undefined : `#@scope ${scope} ${recipient} ${f.scopePrev.get(scope) ?? NO_PREV}`;
}

function why(base: string | undefined, ours: string | undefined, theirs: string | undefined): string {
  const gone = (l: string | undefined) => l === undefined || isRemoval(l);
  if (gone(ours) && gone(theirs)) return "removed on both branches";
  if (base === undefined || isRemoval(base)) return "added on both branches with different values";
  if (gone(ours)) return "removed on ours, changed on theirs";
  if (gone(theirs)) return "changed on ours, removed on theirs";
  return "changed on both branches";
}

/** Merges three versions of `.envvault/envs/<env>.env`; `base` is undefined when both sides added the file. */
export function mergeEnv(env: string, base: EnvFile | undefined, ours: EnvFile, theirs: EnvFile): ConflictedFile {
  const b = base ?? emptyEnvFile(env);
  const side = { ours, theirs } as const;
  const out: EnvFile = emptyEnvFile(env);
  const conflicts: Conflict[] = [];

  const rotatedOnBoth = new Set<string>();
  for (const scope of union(b.scopes, ours.scopes, theirs.scopes)) {
    const [lb, lo, lt] = [scopeLine(b, scope), scopeLine(ours, scope), scopeLine(theirs, scope)];
    const pick = threeWay(lb, lo, lt);
    if (pick === "conflict") {
      const rekeyed = ours.scopes.get(scope) !== theirs.scopes.get(scope);
      if (rekeyed) rotatedOnBoth.add(scope);
      conflicts.push({
        kind: "scope",
        name: scope,
        reason: lb === undefined ? "added on both branches with different keys" : rekeyed ? "its key was changed on both branches (concurrent rotations)" : "its line was signed again on both branches",
        ours: lo === undefined ? {} : { line: lo },
        ...(lb === undefined ? {} : { base: lb }),
        theirs: lt === undefined ? {} : { line: lt },
      });
    } else if (pick.value !== undefined) {
      const from = side[pick.from];
      out.scopes.set(scope, from.scopes.get(scope)!);
      out.scopePrev.set(scope, from.scopePrev.get(scope) ?? NO_PREV);
    }
  }

  const scopeOf = (f: EnvFile, v: SealedValue) => f.batches.get(v.batch)?.scope;
  const keepBatch = (f: EnvFile, v: SealedValue) => {
    const batch = f.batches.get(v.batch);
    if (batch !== undefined) out.batches.set(v.batch, batch);
  };
  const conflictSide = (f: EnvFile, key: string): ConflictSide => {
    const line = keyLine(f, key);
    const v = f.values.get(key);
    if (line === undefined || v === undefined) return line === undefined ? {} : { line };
    keepBatch(f, v);
    const scope = scopeOf(f, v);
    const sealed = scope === undefined ? undefined : f.scopes.get(scope);
    return { line, ...(sealed === undefined ? {} : { sealed }) };
  };

  for (const key of union(b.values, b.removed, ours.values, ours.removed, theirs.values, theirs.removed)) {
    const [lb, lo, lt] = [keyLine(b, key), keyLine(ours, key), keyLine(theirs, key)];
    const pick = threeWay(lb, lo, lt);
    let reason: string | undefined;
    if (pick === "conflict") {
      reason = why(lb, lo, lt);
    } else if (pick.value !== undefined) {
      const from = side[pick.from];
      const v = from.values.get(key);
      const scope = v === undefined ? undefined : scopeOf(from, v);
      const other = pick.from === "ours" ? "theirs" : "ours";
      if (v === undefined) {
        out.removed.set(key, from.removed.get(key)!);
      } else if (scope !== undefined && rotatedOnBoth.has(scope)) {
        reason = `scope ${scope} was rotated on both branches`;
      } else if (scope === undefined || out.scopes.get(scope) !== from.scopes.get(scope)) {
        reason = `the value from ${pick.from} is sealed for a key of scope ${scope ?? "?"} that ${other} replaced`;
      } else {
        out.values.set(key, v);
        keepBatch(from, v);
      }
    }
    if (reason !== undefined) {
      conflicts.push({ kind: "key", name: key, reason, ours: conflictSide(ours, key), ...(lb === undefined ? {} : { base: lb }), theirs: conflictSide(theirs, key) });
    }
  }

  if (sameList(ours.comments, b.comments)) out.comments = [...theirs.comments];
  else if (sameList(theirs.comments, b.comments)) out.comments = [...ours.comments];
  else out.comments = [...ours.comments, ...theirs.comments.filter((c) => !ours.comments.includes(c))];

  // Records are identified by id: the same record on two sides is one.
  out.sigs = new Map([...b.sigs, ...ours.sigs, ...theirs.sigs]);
  return tidy({ file: out, conflicts });
}

/** The leaf a side's line had on that side (a value's leaf binds the recipient it was sealed for); undefined when it cannot be told. */
function sideLeaf(f: EnvFile, c: Conflict, s: ConflictSide): string | undefined {
  const line = s.line;
  if (line === undefined) return undefined;
  const env = f.env;
  if (c.kind === "scope") {
    const [, scope = "", recipient = "", prev = NO_PREV] = line.split(" ");
    return scopeLeaf({ env, scope, recipient, prev });
  }
  const removal = parseRemovedLine(line);
  if (removal !== undefined) return removedLeaf({ env, key: removal.key, ...removal.removed });
  const value = parseValueLine(line);
  const batch = value === undefined ? undefined : f.batches.get(value.value.batch);
  if (value === undefined || batch === undefined || s.sealed === undefined) return undefined;
  const v = value.value;
  return valueLeaf({ env, scope: batch.scope, recipient: s.sealed, key: value.key, batchHash: batchHash(batch.age), t: v.t, prev: v.prev ?? NO_PREV, payload: v.payload });
}

/** The leaves of a conflict's sides, ours first; a side without a line has none. */
export function sideLeaves(cf: ConflictedFile, c: Conflict): string[] {
  return [c.ours, c.theirs].map((s) => sideLeaf(cf.file, c, s)).filter((l): l is string => l !== undefined);
}

/** Keeps the batches and records that a merged line or a conflicting line refers to. */
function tidy(cf: ConflictedFile): ConflictedFile {
  const used = new Set([...cf.file.values.values()].map((v) => v.batch));
  for (const c of cf.conflicts) {
    for (const s of [c.ours, c.theirs]) {
      const id = s.line === undefined ? undefined : parseValueLine(s.line)?.value.batch;
      if (id !== undefined) used.add(id);
    }
  }
  const batches = new Map([...cf.file.batches].filter(([id]) => used.has(id)));
  const withBatches = { ...cf.file, batches };
  const leaves = new Set([...leavesOf(signedView(withBatches)).keys(), ...cf.conflicts.flatMap((c) => sideLeaves({ ...cf, file: withBatches }, c))]);
  const sigs = new Map([...cf.file.sigs].filter(([, r]) => splitLeaves(r.leaves).some((l) => leaves.has(l))));
  return { file: { ...withBatches, sigs }, conflicts: cf.conflicts };
}

/** The bytes of a (possibly still conflicted) file: canonical once no conflict is left. */
export function printMerged(cf: ConflictedFile): string {
  const p = tidy(cf);
  return p.conflicts.length === 0 ? printEnvFile(p.file) : printConflicted(p);
}

/** The scope a value line's batch belongs to, in this file. */
function scopeOfLine(f: EnvFile, line: string): string | undefined {
  const id = parseValueLine(line)?.value.batch;
  return id === undefined ? undefined : f.batches.get(id)?.scope;
}

/** Whether a side of a key conflict can be kept: a removal always; a value when it was sealed for the key its scope has in the merged file. */
export function sideUsable(cf: ConflictedFile, c: Conflict, side: Side): boolean {
  const s = c[side];
  if (c.kind === "scope" || s.line === undefined || isRemoval(s.line)) return true;
  const scope = scopeOfLine(cf.file, s.line);
  if (scope === undefined || s.sealed === undefined) return false;
  return cf.file.scopes.get(scope) === s.sealed && !cf.conflicts.some((x) => x.kind === "scope" && x.name === scope);
}

/**
 * Settles one conflict with one side, taking its line as it is (see {@link signSettled}). A
 * scope conflict settled with a side also settles the key conflicts of that scope with the
 * same side where that side's value was sealed for the chosen key. A value sealed for a key
 * the file no longer has is refused.
 */
export function resolveConflict(cf: ConflictedFile, c: Conflict, choice: Side, path: string): ConflictedFile {
  const file: EnvFile = { ...cf.file, scopes: new Map(cf.file.scopes), scopePrev: new Map(cf.file.scopePrev), values: new Map(cf.file.values), removed: new Map(cf.file.removed), batches: new Map(cf.file.batches) };
  let rest = cf.conflicts.filter((x) => x !== c);
  const env = file.env;
  if (c.kind === "scope") {
    applySide(file, c, c[choice].line, env, path);
    const recipient = file.scopes.get(c.name);
    rest = rest.filter((k) => {
      const s = k[choice];
      if (k.kind !== "key" || s.line === undefined || scopeOfLine(file, s.line) !== c.name || s.sealed !== recipient) return true;
      applySide(file, k, s.line, env, path);
      return false;
    });
    return { file, conflicts: rest };
  }
  const s = c[choice];
  if (!sideUsable(cf, c, choice)) {
    const scope = s.line === undefined ? undefined : scopeOfLine(file, s.line);
    if (scope !== undefined && rest.some((x) => x.kind === "scope" && x.name === scope)) {
      throw new UsageError(`${c.name}: scope ${scope} is itself in conflict; settle it first`, {
        data: { key: c.name, scope, file: path },
        hints: [`\`vault resolve ${scope} --ours\` or \`--theirs\` picks the scope's key (then run \`vault rotate --scope ${scope}\` again)`],
      });
    }
    throw new UsageError(`${c.name}: the value on ${choice} was sealed for a key of scope ${scope ?? "?"} that the merged vault no longer has, so no one could read it`, {
      data: { key: c.name, scope, file: path },
      hints: [`take the other side (--${choice === "ours" ? "theirs" : "ours"}), or set the value again: \`vault set ${c.name}\``],
    });
  }
  applySide(file, c, s.line, env, path);
  return { file, conflicts: rest };
}

function mayNotSettle(merger: Writer, env: string, name: string, scope: string, kind: SignedKind, path: string): NotAllowed {
  return new NotAllowed(`${merger.member} may not settle ${name} in ${path}: the merged line must be signed by a ${kind === "value" ? `writer of scope ${scope}` : `member who reads and writes scope ${scope}`} or an admin`, {
    data: { file: path, env, key: name, scope, member: merger.member },
    hints: [`leave the conflict to a member who may write ${scope}: they run \`vault resolve ${name.replace(/^scope /, "")} --ours|--theirs\``],
  });
}

/** A settled conflict, and the leaves its sides' lines had (from {@link sideLeaves}, taken before settling). */
export interface SettledConflict {
  conflict: Conflict;
  sides: readonly string[];
  /**
   * The sides' leaves that the commit settling it will have in its parents: both in a merge
   * (the default), ours alone when a rebase, cherry-pick or revert replays theirs onto HEAD.
   */
  parents?: readonly string[];
}

/** The side leaves of a conflict the settling commit's parents hold: ours alone when it has one parent (HEAD). */
export function parentLeaves(cf: ConflictedFile, c: Conflict, oneParent: boolean): string[] {
  if (!oneParent) return sideLeaves(cf, c);
  const ours = sideLeaf(cf.file, c, c.ours);
  return ours === undefined ? [] : [ours];
}

const nameOf = (c: Conflict) => (c.kind === "scope" ? `scope ${c.name}` : c.name);

/**
 * Signs the merger's choices (docs/FORMAT.md §6 rule 3): for a key or scope both sides
 * changed, the merged commit may not simply hold one side's line. Each settled line that is
 * one side's, as it is, is written again with `prev` that line's leaf; a line a write made
 * over the conflict that names no side's line (it replaced a side dropped as unreadable) is
 * made to follow the first side's; a key whose kept side has no line is removed by a line
 * stamped `now`, following the other side's. One record by `merger` covers the lines written.
 *
 * A side's line is kept only when a valid record of a member `roster` lets write it covers it,
 * so a merge never launders a forged line; and the merger must be allowed to sign the lines.
 *
 * @throws Tampered when a kept line is not validly signed; NotAllowed when the merger may not write its scope.
 */
export function signSettled(f: EnvFile, settled: readonly SettledConflict[], roster: Roster, merger: Writer, verify: VerifySignature, path: string, now: number): EnvFile {
  const out: EnvFile = { ...f, scopePrev: new Map(f.scopePrev), values: new Map(f.values), removed: new Map(f.removed), sigs: new Map(f.sigs) };
  const view = signedView(f);
  const current = lineLeaves(view);
  const refs = leavesOf(view);
  const unsigned = new Map(checkSignedFile(view, roster, verify).map((p) => [p.key, p]));
  const rewritten: string[] = [];
  for (const { conflict: c, sides, parents = sides } of settled) {
    const name = nameOf(c);
    const leaf = current.get(name);
    if (sides.length === 0) continue;
    if (leaf === undefined) {
      // The side kept has no line for the key: the other side's line goes, by a removal the merger signs.
      const scope = c.kind === "key" ? conflictScope({ file: f, conflicts: [] }, c) : undefined;
      if (scope === undefined) continue;
      if (!maySign(roster, merger.member, scope, "value")) throw mayNotSettle(merger, f.env, name, scope, "value", path);
      out.removed.set(c.name, { scope, t: now, prev: parents[0] ?? sides[0]! });
      rewritten.push(name);
      continue;
    }
    const ref = refs.get(leaf)!;
    const prevNow = c.kind === "scope" ? f.scopePrev.get(c.name) : (f.values.get(c.name)?.prev ?? f.removed.get(c.name)?.prev);
    // A side's line kept as it is names itself; replayed onto HEAD (one parent), it names HEAD's.
    const isSide = sides.includes(leaf);
    const asIs = parents.includes(leaf);
    if (!isSide && prevNow !== undefined && parents.includes(prevNow)) continue; // a new line of this write, following a side
    if (isSide && unsigned.has(name)) {
      throw new Tampered(`${path}: the line of ${name} that was kept is not signed by a member allowed to write it (${unsigned.get(name)!.what})`, {
        data: { file: path, env: f.env, key: name, scope: ref.scope },
        hints: [`keep the other side, or set a new value: \`vault set ${c.kind === "scope" ? "KEY" : c.name}\``, "`vault verify` names the commit the line came from"],
      });
    }
    const kind: SignedKind = c.kind === "scope" ? "rotation" : "value";
    if (!maySign(roster, merger.member, ref.scope, kind)) throw mayNotSettle(merger, f.env, name, ref.scope, kind, path);
    const prev = asIs ? leaf : (parents[0] ?? sides[0]!);
    if (c.kind === "scope") out.scopePrev.set(c.name, prev);
    else if (out.values.has(c.name)) out.values.set(c.name, { ...out.values.get(c.name)!, prev });
    else out.removed.set(c.name, { ...out.removed.get(c.name)!, prev });
    rewritten.push(name);
  }
  if (rewritten.length === 0) return out;
  const after = lineLeaves(signedView(out));
  addRecord(out, merger, rewritten.map((n) => after.get(n)!), rewritten);
  const covered = new Set(leavesOf(signedView(out)).keys());
  out.sigs = new Map([...out.sigs].filter(([, r]) => splitLeaves(r.leaves).some((l) => covered.has(l))));
  return out;
}

/** The scope a conflict's lines belong to (a value's batch, a removal's scope, the scope itself). */
export function conflictScope(cf: ConflictedFile, c: Conflict): string | undefined {
  if (c.kind === "scope") return c.name;
  for (const s of [c.ours, c.theirs]) {
    if (s.line === undefined) continue;
    const scope = parseRemovedLine(s.line)?.removed.scope ?? scopeOfLine(cf.file, s.line);
    if (scope !== undefined) return scope;
  }
  return undefined;
}

/**
 * Merges two versions of `.envvault/chain`: every link of either side, once, in the
 * canonical order. It never conflicts as text; whether the result has one head is for the
 * readers' check (and `vault sign`) to say. An empty side (no chain yet) has no links.
 *
 * @throws Tampered when a side is not a chain.
 */
export function mergeChain(ours: string, theirs: string): { text: string; added: Link[] } {
  const mine = ours === "" ? [] : parseChain(ours);
  const known = new Set(mine.map((l) => l.hash));
  const added = (theirs === "" ? [] : parseChain(theirs)).filter((l) => !known.has(l.hash));
  return { text: printChain([...mine, ...added]), added };
}
