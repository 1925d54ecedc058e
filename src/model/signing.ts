/**
 * Signing one write (docs/FORMAT.md §4, §5, §9): given an environment file before and after a
 * command changed it, give every line that changed the `prev` of the line it replaced, turn
 * deleted keys into removal lines, and add one change record by the writer over the lines it
 * wrote; and, when roster.yaml, vault.yaml or exposed.json changed, a chain link signed by
 * the writer. Pure: the caller passes the signer and the time.
 */
import { NotAllowed } from "../errors.js";
import { type Link, makeLink, printChain } from "./chain.js";
import { anchorOf, type EnvFile, signedView } from "./envfile.js";
import { envPath } from "./layout.js";
import { adminsOf, maySign, type Roster, signingKeysOf } from "./roster.js";
import { changeMessage, checkSignedFile, joinLeaves, leavesOf, type LineRef, lineLeaves, NO_PREV, recordId, splitLeaves } from "./signed.js";

/** Who signs a write: a member of the roster, and their signing key. */
export interface Writer {
  member: string;
  publicKey: string;
  sign(message: Uint8Array): Uint8Array;
}

const lineName = (ref: LineRef) => (ref.kind === "scope" ? `scope ${ref.name}` : ref.name);

function notAllowed(w: Writer, env: string, ref: LineRef, roster: Roster): NotAllowed {
  const what = ref.signedAs === "value" ? `write scope ${ref.scope}` : ref.signedAs === "new scope" ? "create a scope" : `change the key pair of scope ${ref.scope}`;
  const admins = adminsOf(roster);
  return new NotAllowed(`${w.member} may not ${what} (${envPath(env)}, ${lineName(ref)})`, {
    data: { member: w.member, env, scope: ref.scope, key: lineName(ref) },
    hints: [admins.length > 0 ? `ask an admin (${admins.join(", ")}) to give you write access: \`vault grant ${w.member} ${ref.scope} --write-only\` or to make the change` : "the roster names no admin"],
  });
}

/**
 * Signs the changes `after` makes to `before` (undefined: a new file), as `writer`, under
 * `roster` (the roster the written vault will have). `now` is the time a removal is stamped
 * with. Lines the writer may not sign are refused with NotAllowed, before anything is
 * written. Returns the file to write.
 */
export function signEnvChange(before: EnvFile | undefined, after: EnvFile, roster: Roster, writer: Writer, now: number, committed?: ReadonlySet<string>): EnvFile {
  const old = before === undefined ? undefined : signedView(before);
  const oldLines = lineLeaves(old);
  const oldLeaves = new Set(oldLines.values());
  const oldPrev = new Map<string, string>([
    ...[...(old?.scopes ?? [])].map(([s, l]) => [`scope ${s}`, l.prev] as [string, string]),
    ...[...(old?.values ?? [])].map(([k, v]) => [k, v.prev] as [string, string]),
    ...[...(old?.removed ?? [])].map(([k, r]) => [k, r.prev] as [string, string]),
  ]);
  // A line replaced before it was ever committed is skipped: the new one names what the last
  // commit had, so that the history check, which sees only commits, finds its predecessor.
  const prevFor = (name: string): string => {
    const replaced = oldLines.get(name);
    if (replaced === undefined) return NO_PREV;
    if (committed === undefined || committed.has(replaced)) return replaced;
    return oldPrev.get(name) ?? NO_PREV;
  };
  const out: EnvFile = { ...after, version: 2, scopePrev: new Map(), removed: new Map(after.removed), values: new Map(), sigs: new Map() };
  for (const scope of after.scopes.keys()) {
    const same = before?.scopes.get(scope) === after.scopes.get(scope);
    out.scopePrev.set(scope, same ? (before?.scopePrev.get(scope) ?? NO_PREV) : prevFor(`scope ${scope}`));
  }
  // A value keeps its `prev` only if its whole line, leaf included, is the one before: a
  // value whose scope got a new key pair has a new leaf, and names the old one.
  const keep = new Map(after.values);
  for (const [key, v] of after.values) {
    const was = before?.values.get(key);
    keep.set(key, { ...v, prev: was?.prev ?? NO_PREV });
  }
  const kept = lineLeaves(signedView({ ...out, values: keep }));
  for (const [key, v] of after.values) {
    const unchanged = kept.get(key) !== undefined && kept.get(key) === oldLines.get(key);
    out.values.set(key, unchanged ? keep.get(key)! : { ...v, prev: prevFor(key) });
    out.removed.delete(key);
  }
  for (const [key, r] of before?.removed ?? []) if (!out.values.has(key) && !out.removed.has(key)) out.removed.set(key, r);
  for (const [key, v] of before?.values ?? []) {
    if (out.values.has(key)) continue;
    const scope = before?.batches.get(v.batch)?.scope ?? after.env;
    // A value whose line had no leaf (its batch is gone) cannot be named; reading it failed
    // anyway. A value added since the last commit leaves nothing to remove.
    const prev = oldLines.has(key) ? prevFor(key) : undefined;
    if (prev !== undefined && prev !== NO_PREV) out.removed.set(key, { scope, t: now, prev });
  }
  const lines = leavesOf(signedView(out));
  const fresh: string[] = [];
  for (const [leaf, ref] of lines) {
    if (oldLeaves.has(leaf)) continue;
    if (!maySign(roster, writer.member, ref.scope, ref.signedAs)) throw notAllowed(writer, after.env, ref, roster);
    fresh.push(leaf);
  }
  // Records that still cover a line stay; a new one covers what this write made.
  for (const [id, r] of new Map([...(before?.sigs ?? []), ...after.sigs])) if (splitLeaves(r.leaves).some((l) => lines.has(l))) out.sigs.set(id, r);
  if (fresh.length > 0) addRecord(out, writer, fresh, fresh.map((l) => lineName(lines.get(l)!)));
  return out;
}

/** Adds one record by `writer` covering `leaves` (the lines named `names`: keys, `scope S`) to a file. */
export function addRecord(f: EnvFile, writer: Writer, leaves: Iterable<string>, names: Iterable<string>): void {
  const joined = joinLeaves(leaves);
  const signature = Buffer.from(writer.sign(changeMessage(f.env, writer.member, joined))).toString("base64url");
  const anchor = anchorOf(names);
  f.sigs.set(recordId(signature), { member: writer.member, signature, leaves: joined, ...(anchor === undefined ? {} : { anchor }) });
}

/**
 * Lines of a file the roster no longer lets anyone's record vouch for (their writer lost the
 * right to write, or left), which an admin endorses with one record of their own so that they
 * stay valid (docs/FORMAT.md §9). Returns whether it added a record.
 */
export function endorse(f: EnvFile, before: Roster, roster: Roster, admin: Writer, verify: (key: string, message: Uint8Array, signature: Uint8Array) => boolean): boolean {
  const view = signedView(f);
  const lines = leavesOf(view);
  const byName = new Map([...lines].map(([leaf, ref]) => [lineName(ref), leaf]));
  // Only lines the roster before vouched for: an admin's roster change must not launder a forged line.
  const invalid = (r: Roster) => new Set(checkSignedFile(view, r, verify).flatMap((p) => (p.key === undefined ? [] : [p.key])));
  const was = invalid(before);
  const names = [...invalid(roster)].filter((k) => !was.has(k) && byName.has(k));
  if (names.length === 0) return false;
  addRecord(f, admin, names.map((k) => byName.get(k)!), names);
  return true;
}

/** The admins a link names: each admin of the roster with their signing keys. */
export function linkAdmins(roster: Roster): Map<string, string[]> {
  return new Map(adminsOf(roster).map((a) => [a, [...signingKeysOf(roster, a)].sort()]));
}

/**
 * The chain with a new link for the trusted files' new hashes, signed by `writer`, who must
 * be an admin of every head it follows (two heads: a merge of two branches' roster changes;
 * none: the root, approved by the new roster's admins).
 */
export function extendChain(links: readonly Link[], heads: readonly Link[], hashes: { roster: string; vault: string; exposed?: string }, roster: Roster, writer: Writer): string {
  const approvers = heads.length === 0 ? [linkAdmins(roster)] : heads.map((h) => h.admins);
  for (const approver of approvers) {
    if ((approver.get(writer.member) ?? []).includes(writer.publicKey)) continue;
    const admins = [...approver.keys()];
    throw new NotAllowed(`${writer.member} may not change roster.yaml, vault.yaml or exposed.json: only an admin may (admins: ${admins.join(", ") || "none"})`, {
      data: { member: writer.member },
      hints: [admins.length > 0 ? `ask ${admins.join(" or ")} to make this change` : "the vault names no admin"],
    });
  }
  const link = makeLink(links, { prev: heads.map((h) => h.hash), ...hashes, admins: linkAdmins(roster), member: writer.member }, (body) => writer.sign(body));
  return printChain([...links, link]);
}
