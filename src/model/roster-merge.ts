/**
 * A key-level merge of roster.yaml (docs/FORMAT.md §11): two branches that each add a member,
 * grant a scope or name an admin merge to both changes. Members merge entry by entry (both
 * sides changing one member's entry differently is a conflict); admins and each scope's
 * readers and writers merge as sets (what a side added is added, what a side removed is
 * removed). The result is ours' document with theirs' changes applied, so ours' comments and
 * layout stay. Pure.
 */
import { isDeepStrictEqual } from "node:util";
import type { Document } from "yaml";
import type { AccessDef, MemberDef, Roster } from "./roster.js";

export type RosterMerge =
  | { ok: true; edit: (doc: Document) => void; added: string[]; changed: string[]; removed: string[] }
  | { ok: false; conflicts: string[] };

/** `ours ∪ theirs` without what either side removed from `base`, sorted. */
function mergeSet(base: readonly string[], ours: readonly string[], theirs: readonly string[]): string[] {
  const inBase = new Set(base);
  const [o, t] = [new Set(ours), new Set(theirs)];
  // A base element missing on a side was removed there; anything else either side has stays.
  return [...new Set([...ours, ...theirs])].filter((x) => !inBase.has(x) || (o.has(x) && t.has(x))).sort();
}

/** One scope's access as tokens (`r m alice`, `w t ops`, `w` for a `write` entry): merged as a set. */
function tokens(a: AccessDef | undefined): string[] {
  if (a === undefined) return [];
  return [
    ...(a.members ?? []).map((m) => `r m ${m}`),
    ...(a.teams ?? []).map((t) => `r t ${t}`),
    ...(a.write === undefined ? [] : ["w"]),
    ...(a.write?.members ?? []).map((m) => `w m ${m}`),
    ...(a.write?.teams ?? []).map((t) => `w t ${t}`),
  ];
}

function fromTokens(ts: readonly string[]): AccessDef | undefined {
  const pick = (prefix: string) => ts.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length)).sort();
  const out: AccessDef = {};
  if (pick("r t ").length > 0) out.teams = pick("r t ");
  if (pick("r m ").length > 0) out.members = pick("r m ");
  if (ts.some((t) => t.startsWith("w"))) {
    out.write = {};
    if (pick("w t ").length > 0) out.write.teams = pick("w t ");
    if (pick("w m ").length > 0) out.write.members = pick("w m ");
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Three versions of one entry: the side that changed it wins; both changing it differently is a conflict. */
function pick<T>(base: T | undefined, ours: T | undefined, theirs: T | undefined): { value: T | undefined } | "conflict" {
  if (isDeepStrictEqual(ours, theirs) || isDeepStrictEqual(base, theirs)) return { value: ours };
  if (isDeepStrictEqual(base, ours)) return { value: theirs };
  return "conflict";
}

/** Merges `theirs` into `ours` (`base` their common version, undefined when the file is new on both). */
export function mergeRoster(base: Roster | undefined, ours: Roster, theirs: Roster): RosterMerge {
  const conflicts: string[] = [];
  const edits: ((doc: Document) => void)[] = [];
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  if (ours.version !== theirs.version) return { ok: false, conflicts: [`version (${ours.version} against ${theirs.version})`] };

  const names = [...new Set([...Object.keys(base?.members ?? {}), ...Object.keys(ours.members), ...Object.keys(theirs.members)])].sort();
  const member = (r: Roster | undefined, n: string): MemberDef | undefined => (r !== undefined && Object.hasOwn(r.members, n) ? r.members[n] : undefined);
  for (const n of names) {
    const o = member(ours, n);
    const r = pick(member(base, n), o, member(theirs, n));
    if (r === "conflict") {
      conflicts.push(`member ${n} (changed on both branches)`);
      continue;
    }
    if (isDeepStrictEqual(r.value, o)) continue;
    const value = r.value;
    (o === undefined ? added : value === undefined ? removed : changed).push(`member ${n}`);
    edits.push((doc) => (value === undefined ? doc.deleteIn(["members", n]) : doc.setIn(["members", n], doc.createNode(value, { flow: false }))));
  }

  const admins = mergeSet(base?.admins ?? [], ours.admins ?? [], theirs.admins ?? []);
  if (!isDeepStrictEqual(admins, [...(ours.admins ?? [])].sort())) {
    changed.push("admins");
    edits.push((doc) => doc.setIn(["admins"], doc.createNode(admins, { flow: true })));
  }

  const scopes = [...new Set([...Object.keys(base?.access ?? {}), ...Object.keys(ours.access ?? {}), ...Object.keys(theirs.access ?? {})])].sort();
  const access = (r: Roster | undefined, s: string) => (r?.access !== undefined && Object.hasOwn(r.access, s) ? r.access[s] : undefined);
  for (const s of scopes) {
    const o = access(ours, s);
    const next = fromTokens(mergeSet(tokens(access(base, s)), tokens(o), tokens(access(theirs, s))));
    if (isDeepStrictEqual(fromTokens(tokens(o)), next)) continue;
    (o === undefined ? added : next === undefined ? removed : changed).push(`access ${s}`);
    edits.push((doc) => {
      if (next === undefined) doc.deleteIn(["access", s]);
      else {
        if (doc.getIn(["access"]) == null) doc.setIn(["access"], doc.createNode({}));
        doc.setIn(["access", s], doc.createNode(next, { flow: false }));
      }
    });
  }
  if (conflicts.length > 0) return { ok: false, conflicts };
  return { ok: true, edit: (doc) => edits.forEach((e) => e(doc)), added, changed, removed };
}
