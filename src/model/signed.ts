/**
 * Signed lines of environment files (docs/FORMAT.md §4, §6): the leaf of every value,
 * removal and scope line, the change records that sign them, and the two checks a reader
 * runs — the state check (every line covered by a record of a member allowed to sign it)
 * and the history check of one commit against its parents (every line follows the one it
 * replaced). Pure: signatures are checked through the function the caller passes.
 */
import { createHash } from "node:crypto";
import { envPath } from "./layout.js";
import { maySign, type Roster, type SignedKind, signingKeysOf } from "./roster.js";

/** The `prev` of a line that replaced nothing. */
export const NO_PREV = "-";
const LEAF_BYTES = 16;

export interface ScopeLine {
  recipient: string;
  prev: string;
}

export interface ValueLine {
  batch: string;
  t: number;
  prev: string;
  payload: string;
}

export interface RemovedLine {
  scope: string;
  t: number;
  prev: string;
}

/** A change record: a member's signature over the leaves of the lines one write made. */
export interface ChangeRecord {
  member: string;
  /** base64url of the 64-byte signature. */
  signature: string;
  /** base64url of the leaves, 16 bytes each, ascending. */
  leaves: string;
  /** Where its line is printed (docs/FORMAT.md §3); not signed: it places the line, nothing more. */
  anchor?: string;
}

/** What the checks need of an environment file. */
export interface SignedFile {
  env: string;
  scopes: ReadonlyMap<string, ScopeLine>;
  batches: ReadonlyMap<string, { scope: string; age: string }>;
  values: ReadonlyMap<string, ValueLine>;
  removed: ReadonlyMap<string, RemovedLine>;
  sigs: ReadonlyMap<string, ChangeRecord>;
}

function leaf(label: string, fields: readonly (string | number)[]): string {
  return hashLeaf([label, ...fields.map(String)].join("\0"));
}

function hashLeaf(input: string): string {
  return createHash("sha256").update(input, "utf8").digest().subarray(0, LEAF_BYTES).toString("base64url");
}

/** Hex SHA-256 of a batch's age file (the `#@batch` line's base64, decoded). */
export function batchHash(ageBase64: string): string {
  return createHash("sha256").update(Buffer.from(ageBase64, "base64")).digest("hex");
}

export function valueLeaf(f: { env: string; scope: string; recipient: string; key: string; batchHash: string; t: number; prev: string; payload: string }): string {
  return leaf("envvault/v2/value", [f.env, f.scope, f.recipient, f.key, f.batchHash, f.t, f.prev, f.payload]);
}

export function removedLeaf(f: { env: string; scope: string; key: string; t: number; prev: string }): string {
  return leaf("envvault/v2/removed", [f.env, f.scope, f.key, f.t, f.prev]);
}

export function scopeLeaf(f: { env: string; scope: string; recipient: string; prev: string }): string {
  return leaf("envvault/v2/scope", [f.env, f.scope, f.recipient, f.prev]);
}

/** The leaves of `leaves` (base64url of 16-byte leaves) as texts. */
export function splitLeaves(leaves: string): string[] {
  const bytes = Buffer.from(leaves, "base64url");
  const out: string[] = [];
  for (let i = 0; i + LEAF_BYTES <= bytes.length; i += LEAF_BYTES) out.push(bytes.subarray(i, i + LEAF_BYTES).toString("base64url"));
  return out;
}

/** The `leaves` field of a record: the 16-byte leaves, ascending, no repeats. */
export function joinLeaves(leaves: Iterable<string>): string {
  const raw = [...new Set(leaves)].map((l) => Buffer.from(l, "base64url")).sort(Buffer.compare);
  return Buffer.concat(raw).toString("base64url");
}

/** The bytes a change record's signature covers. */
export function changeMessage(env: string, member: string, leaves: string): Uint8Array {
  return Buffer.concat([Buffer.from(`envvault/v2/change\0${env}\0${member}\0`, "utf8"), Buffer.from(leaves, "base64url")]);
}

/** A record's id: the first 12 hex digits of SHA-256 of its signature. */
export function recordId(signature: string): string {
  return createHash("sha256").update(Buffer.from(signature, "base64url")).digest("hex").slice(0, 12);
}

/** What one line is, for messages and for who may sign it. */
export interface LineRef {
  kind: "value" | "removal" | "scope";
  /** The key (value, removal) or the scope (scope line). */
  name: string;
  scope: string;
  signedAs: SignedKind;
}

/** The leaves of views a {@link LeafMemo} indexed: views of files that no longer change. */
const indexed = new WeakMap<SignedFile, Map<string, LineRef>>();

/**
 * Leaves computed once, for a walk over many versions of the same files (the history
 * check): a line that several versions share is hashed once, and the leaves of a view the
 * memo indexed are what every later `leavesOf` of that view returns. Only for views of files
 * that are not changed afterwards.
 */
export class LeafMemo {
  private readonly lines = new Map<string, string>();
  private readonly batches = new Map<string, string>();

  index(f: SignedFile): void {
    if (!indexed.has(f)) indexed.set(f, computeLeaves(f, this));
  }

  leaf(label: string, fields: readonly (string | number)[]): string {
    const input = [label, ...fields.map(String)].join("\0");
    let l = this.lines.get(input);
    if (l === undefined) this.lines.set(input, (l = hashLeaf(input)));
    return l;
  }

  batchHash(age: string): string {
    let h = this.batches.get(age);
    if (h === undefined) this.batches.set(age, (h = batchHash(age)));
    return h;
  }
}

/** Every signed line of a file by its leaf. A value whose batch is missing has no leaf (reading it fails anyway). */
export function leavesOf(f: SignedFile): Map<string, LineRef> {
  return indexed.get(f) ?? computeLeaves(f);
}

function computeLeaves(f: SignedFile, memo?: LeafMemo): Map<string, LineRef> {
  const out = new Map<string, LineRef>();
  const hashes = new Map<string, string>();
  const mk = memo === undefined ? leaf : (label: string, fields: readonly (string | number)[]) => memo.leaf(label, fields);
  for (const [scope, s] of f.scopes) {
    out.set(mk("envvault/v2/scope", [f.env, scope, s.recipient, s.prev]), { kind: "scope", name: scope, scope, signedAs: s.prev === NO_PREV ? "new scope" : "rotation" });
  }
  for (const [key, v] of f.values) {
    const batch = f.batches.get(v.batch);
    const recipient = batch === undefined ? undefined : f.scopes.get(batch.scope)?.recipient;
    if (batch === undefined || recipient === undefined) continue;
    let bh = hashes.get(v.batch);
    if (bh === undefined) hashes.set(v.batch, (bh = memo === undefined ? batchHash(batch.age) : memo.batchHash(batch.age)));
    out.set(mk("envvault/v2/value", [f.env, batch.scope, recipient, key, bh, v.t, v.prev, v.payload]), { kind: "value", name: key, scope: batch.scope, signedAs: "value" });
  }
  for (const [key, r] of f.removed) out.set(mk("envvault/v2/removed", [f.env, r.scope, key, r.t, r.prev]), { kind: "removal", name: key, scope: r.scope, signedAs: "value" });
  return out;
}

/** A reason not to trust a vault, naming what it can: the commit, the file, the key and who a line claims signed it. */
export interface TrustProblem {
  commit?: string;
  file: string;
  env?: string;
  /** The key, or `scope S`. */
  key?: string;
  signer?: string;
  what: string;
}

/** One line per problem: commit, file, key, the signer it claims, what is wrong. */
export function describeProblem(p: TrustProblem): string {
  // A message that starts with the file or key names it already.
  const named = (x: string | undefined) => x !== undefined && !p.what.startsWith(x);
  const where = [p.commit?.slice(0, 12), named(p.file) ? p.file : undefined, named(p.key) ? p.key : undefined].filter((x) => x !== undefined).join(" ");
  return `${where === "" ? "" : `${where}: `}${p.what}${p.signer === undefined || p.what.includes(p.signer) ? "" : ` (signed by ${p.signer})`}`;
}

const lineName = (ref: LineRef) => (ref.kind === "scope" ? `scope ${ref.name}` : ref.name);

/**
 * The state check of one environment file (docs/FORMAT.md §6): every value, removal and
 * scope line is covered by a valid record of a member the roster lets sign it. `verify`
 * checks one record's signature with one key.
 */
export function checkSignedFile(f: SignedFile, roster: Roster, verify: (key: string, message: Uint8Array, signature: Uint8Array) => boolean): TrustProblem[] {
  const file = envPath(f.env);
  const lines = leavesOf(f);
  const valid = new Map<string, string[]>(); // leaf -> members whose valid records cover it
  const claims = new Map<string, string[]>(); // leaf -> members whose records claim it (valid or not)
  for (const r of f.sigs.values()) {
    const covered = splitLeaves(r.leaves).filter((l) => lines.has(l));
    if (covered.length === 0) continue;
    for (const l of covered) claims.set(l, [...(claims.get(l) ?? []), r.member]);
    const message = changeMessage(f.env, r.member, r.leaves);
    const signature = Buffer.from(r.signature, "base64url");
    if (!signingKeysOf(roster, r.member).some((k) => verify(k, message, signature))) continue;
    for (const l of covered) valid.set(l, [...(valid.get(l) ?? []), r.member]);
  }
  const problems: TrustProblem[] = [];
  for (const [l, ref] of lines) {
    const signers = valid.get(l) ?? [];
    if (signers.some((m) => maySign(roster, m, ref.scope, ref.signedAs))) continue;
    const claimed = claims.get(l) ?? [];
    const what =
      signers.length > 0
        ? `${lineName(ref)} is signed by ${signers.join(", ")}, who may not ${ref.signedAs === "value" ? `write scope ${ref.scope}` : ref.signedAs === "new scope" ? "create a scope (admins only)" : `change the key pair of scope ${ref.scope} (a member who reads and writes it, or an admin)`}`
        : claimed.length > 0
          ? `${lineName(ref)} claims a signature of ${claimed.join(", ")} that does not verify (the line or its record was changed)`
          : `${lineName(ref)} is signed by nobody (no record covers it): it was not written by a vault command of a member`;
    problems.push({ file, env: f.env, key: lineName(ref), ...(signers[0] ?? claimed[0] ? { signer: (signers[0] ?? claimed[0])! } : {}), what });
  }
  return problems;
}

/** The line of a key (value or removal) or a scope in a file, by its leaf; undefined when absent. */
export function lineLeaves(f: SignedFile | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (f === undefined) return out;
  for (const [l, ref] of leavesOf(f)) out.set(ref.kind === "scope" ? `scope ${ref.name}` : ref.name, l);
  return out;
}

/** `prev` of every line seen in a history, by leaf: the links the history check follows. */
export class Ancestry {
  private readonly prev = new Map<string, string>();

  /** Remembers the `prev` of every line of a file. */
  add(f: SignedFile | undefined): void {
    if (f === undefined) return;
    const lines = leavesOf(f);
    for (const [l, ref] of lines) {
      const p = ref.kind === "scope" ? f.scopes.get(ref.name)?.prev : ref.kind === "value" ? f.values.get(ref.name)?.prev : f.removed.get(ref.name)?.prev;
      if (p !== undefined) this.prev.set(l, p);
    }
  }

  /** Whether `later` follows `earlier` through `prev` links (every line follows absence). */
  after(later: string, earlier: string | undefined): boolean {
    if (earlier === undefined) return true;
    const seen = new Set<string>();
    for (let l: string | undefined = later; l !== undefined && l !== NO_PREV && !seen.has(l); l = this.prev.get(l)) {
      if (l === earlier) return true;
      seen.add(l);
    }
    return false;
  }

  prevOf(l: string): string | undefined {
    return this.prev.get(l);
  }
}

/**
 * The history check of one environment file at a commit against its parents (docs/FORMAT.md
 * §6, rule 3), for every key and scope. `child` and `parents` undefined where the file is
 * absent; `ancestry` knows every line of the history walked so far (the child's included).
 */
export function checkFileTransition(env: string, child: SignedFile | undefined, parents: readonly (SignedFile | undefined)[], ancestry: Ancestry): TrustProblem[] {
  const file = envPath(env);
  const mine = lineLeaves(child);
  const theirs = parents.map(lineLeaves);
  const names = new Set([...mine.keys(), ...theirs.flatMap((p) => [...p.keys()])]);
  const problems: TrustProblem[] = [];
  for (const name of [...names].sort()) {
    const x = mine.get(name);
    const ls = theirs.map((p) => p.get(name));
    const present = ls.filter((l): l is string => l !== undefined);
    const problem = (what: string) => problems.push({ file, env, key: name, what });
    if (x === undefined) {
      if (present.length > 0) problem(`${name} was deleted without a signed removal (\`vault remove\` leaves one)`);
      continue;
    }
    if (ls.includes(x)) {
      if (!ls.every((l) => l === undefined || ancestry.after(x, l))) {
        problem(parents.length > 1 ? `${name} takes one side of a conflict that both sides changed, without a signed choice` : `${name} was put back to an older version of itself (a rollback)`);
      }
      continue;
    }
    if (present.some((l) => ancestry.after(l, x))) {
      problem(`${name} was put back to an older version of itself (a rollback)`);
      continue;
    }
    const prev = ancestry.prevOf(x) ?? NO_PREV;
    if (prev === NO_PREV) {
      if (present.length > 0) problem(`${name} replaces an existing line without naming it (its prev is -)`);
      continue;
    }
    if (!present.includes(prev)) {
      problem(`${name} follows a line that is not this commit's parent's (an old or foreign line put back)`);
      continue;
    }
    // Ordered parents' lines: the new line must follow the latest of them.
    const latest = present.find((l) => present.every((o) => ancestry.after(l, o)));
    if (latest !== undefined && prev !== latest) problem(`${name} follows an older line than its parent's latest (a rollback)`);
  }
  return problems;
}
