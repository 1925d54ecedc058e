/**
 * The three-way merge of an environment file, key by key (docs/FORMAT.md §8), without
 * decrypting: lines are compared as text (a value line names its batch, time and ciphertext).
 * Pure.
 *
 * - Scopes (`#@scope`): per scope, the side that changed the recipient wins; both changing
 *   it differently (concurrent rotations) is a scope conflict.
 * - Values: per key, the side that changed the line wins (a removal is a change); both
 *   changing it differently is a key conflict. A value taken from one side whose scope the
 *   other side rotated was sealed for a key the merged file no longer has: it becomes a
 *   conflict too, so a merge never produces a value nobody can open.
 * - Batches: exactly those the merged values and the conflicting lines refer to.
 * - Comments: the side that changed them, or both sides' lines.
 */
import { UsageError } from "../errors.js";
import { type EnvFile, emptyEnvFile, parseValueLine, printEnvFile, type SealedValue, valueLine } from "./envfile.js";
import { applySide, type Conflict, type ConflictedFile, type ConflictSide, printConflicted, type Side } from "./conflicts.js";

type Pick<T> = { from: Side; value: T | undefined } | "conflict";

function threeWay<T>(base: T | undefined, ours: T | undefined, theirs: T | undefined): Pick<T> {
  if (ours === theirs) return { from: "ours", value: ours };
  if (base === ours) return { from: "theirs", value: theirs };
  if (base === theirs) return { from: "ours", value: ours };
  return "conflict";
}

const union = (...maps: ReadonlyMap<string, unknown>[]) => [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function why(base: string | undefined, ours: string | undefined, theirs: string | undefined): string {
  if (base === undefined) return "added on both branches with different values";
  if (ours === undefined) return "removed on ours, changed on theirs";
  if (theirs === undefined) return "changed on ours, removed on theirs";
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
    const [rb, ro, rt] = [b.scopes.get(scope), ours.scopes.get(scope), theirs.scopes.get(scope)];
    const pick = threeWay(rb, ro, rt);
    if (pick === "conflict") {
      rotatedOnBoth.add(scope);
      const line = (r: string | undefined) => (r === undefined ? {} : { line: `#@scope ${scope} ${r}` });
      conflicts.push({
        kind: "scope",
        name: scope,
        reason: rb === undefined ? "added on both branches with different keys" : "its key was changed on both branches (concurrent rotations)",
        ours: line(ro),
        ...(rb === undefined ? {} : { base: `#@scope ${scope} ${rb}` }),
        theirs: line(rt),
      });
    } else if (pick.value !== undefined) {
      out.scopes.set(scope, pick.value);
    }
  }

  const scopeOf = (f: EnvFile, v: SealedValue) => f.batches.get(v.batch)?.scope;
  const keepBatch = (f: EnvFile, v: SealedValue) => {
    const batch = f.batches.get(v.batch);
    if (batch !== undefined) out.batches.set(v.batch, batch);
  };
  const conflictSide = (f: EnvFile, key: string): ConflictSide => {
    const v = f.values.get(key);
    if (v === undefined) return {};
    keepBatch(f, v);
    const scope = scopeOf(f, v);
    const sealed = scope === undefined ? undefined : f.scopes.get(scope);
    return { line: valueLine(key, v), ...(sealed === undefined ? {} : { sealed }) };
  };

  for (const key of union(b.values, ours.values, theirs.values)) {
    const line = (f: EnvFile) => {
      const v = f.values.get(key);
      return v === undefined ? undefined : valueLine(key, v);
    };
    const [lb, lo, lt] = [line(b), line(ours), line(theirs)];
    const pick = threeWay(lb, lo, lt);
    let reason: string | undefined;
    if (pick === "conflict") {
      reason = why(lb, lo, lt);
    } else if (pick.value !== undefined) {
      const from = side[pick.from];
      const v = from.values.get(key)!;
      const scope = scopeOf(from, v);
      const other = pick.from === "ours" ? "theirs" : "ours";
      if (scope !== undefined && rotatedOnBoth.has(scope)) {
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

  return { file: out, conflicts };
}

/** Drops batches that neither a value nor a conflicting line refers to. */
function pruned(cf: ConflictedFile): ConflictedFile {
  const used = new Set([...cf.file.values.values()].map((v) => v.batch));
  for (const c of cf.conflicts) {
    for (const s of [c.ours, c.theirs]) {
      const id = s.line === undefined ? undefined : parseValueLine(s.line)?.value.batch;
      if (id !== undefined) used.add(id);
    }
  }
  const batches = new Map([...cf.file.batches].filter(([id]) => used.has(id)));
  return { file: { ...cf.file, batches }, conflicts: cf.conflicts };
}

/** The bytes of a (possibly still conflicted) file: canonical once no conflict is left. */
export function printMerged(cf: ConflictedFile): string {
  const p = pruned(cf);
  return p.conflicts.length === 0 ? printEnvFile(p.file) : printConflicted(p);
}

/** The scope a value line's batch belongs to, in this file. */
function scopeOfLine(f: EnvFile, line: string): string | undefined {
  const id = parseValueLine(line)?.value.batch;
  return id === undefined ? undefined : f.batches.get(id)?.scope;
}

/** Whether a side of a key conflict can be kept: its value was sealed for the key its scope has in the merged file. */
export function sideUsable(cf: ConflictedFile, c: Conflict, side: Side): boolean {
  const s = c[side];
  if (c.kind === "scope" || s.line === undefined) return true;
  const scope = scopeOfLine(cf.file, s.line);
  if (scope === undefined || s.sealed === undefined) return false;
  return cf.file.scopes.get(scope) === s.sealed && !cf.conflicts.some((x) => x.kind === "scope" && x.name === scope);
}

/**
 * Settles one conflict with one side. A scope conflict settled with a side also settles
 * the key conflicts of that scope with the same side where that side's value was sealed
 * for the chosen key. A value sealed for a key the file no longer has is refused.
 */
export function resolveConflict(cf: ConflictedFile, c: Conflict, choice: Side, path: string): ConflictedFile {
  const file: EnvFile = { ...cf.file, scopes: new Map(cf.file.scopes), values: new Map(cf.file.values), batches: new Map(cf.file.batches) };
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
