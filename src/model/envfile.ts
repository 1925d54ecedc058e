/** Environment files, `.envvault/envs/<env>.env` (docs/FORMAT.md §3): their lines parsed and printed. Pure. */
import { InvalidFile, Tampered } from "../errors.js";
import { isKey, parseScope } from "./names.js";
import { type ChangeRecord, leavesOf, type LineRef, NO_PREV, type RemovedLine, type SignedFile, splitLeaves } from "./signed.js";

/**
 * One encrypted variable: which batch sealed it, when it last changed, the sealed bytes, and
 * the leaf of the line it replaced (docs/FORMAT.md §4). A value a write has just sealed has no
 * `prev` yet: signing the write (store/signing.ts) gives it one.
 */
export interface SealedValue {
  batch: string;
  t: number;
  payload: string;
  prev?: string;
}

/** A stored variable of an environment, without its value. */
export interface Entry {
  key: string;
  /** The environment whose file holds it (an ancestor for inherited values). */
  env: string;
  scope: string;
  t: number;
}

/** A value an environment of the chain holds itself, as one reader sees it. */
export interface OwnValue {
  env: string;
  /** Undefined when the value is in a scope this reader cannot open. */
  value: string | undefined;
}

/**
 * A batch key, age-encrypted to one scope's recipient (base64 of the binary age file).
 * `anchor` is the key its line is printed next to (docs/FORMAT.md §3); a batch just drawn has
 * none and is printed before the first key it seals.
 */
export interface Batch {
  scope: string;
  age: string;
  anchor?: string;
}

/** The parsed form of `.envvault/envs/<env>.env` (docs/FORMAT.md §3). */
export interface EnvFile {
  env: string;
  /** 2, or 1 for a file written before signatures (to be adopted, docs/FORMAT.md §14). */
  version: 1 | 2;
  comments: string[];
  /** Scope → its recipient. */
  scopes: Map<string, string>;
  /** Scope → the leaf of the scope line its line replaced; none yet for a key pair just made. */
  scopePrev: Map<string, string>;
  batches: Map<string, Batch>;
  /** Change records by id (docs/FORMAT.md §4). */
  sigs: Map<string, ChangeRecord>;
  /** Keys removed, with their signed removal line. */
  removed: Map<string, RemovedLine>;
  values: Map<string, SealedValue>;
}

export const HEADER = "# envvault 2";
const HEADER_V1 = "# envvault 1";
const LEAF = "[A-Za-z0-9_-]{22}";
const SCOPE = new RegExp(`^#@scope ([a-z0-9:_-]+) (age1[0-9a-z]+) (-|${LEAF})$`);
const SCOPE_V1 = /^#@scope ([a-z0-9:_-]+) (age1[0-9a-z]+)$/;
const KEY_ANCHOR = "[A-Za-z_][A-Za-z0-9_]*";
const BATCH = new RegExp(`^#@batch ([0-9a-f]{12}) ([a-z0-9:_-]+) (${KEY_ANCHOR}) ([A-Za-z0-9+/]+={0,2})$`);
const SIG = new RegExp(`^#@sig ([0-9a-f]{12}) (${KEY_ANCHOR}|@[a-z0-9:_-]+) ([a-z0-9][a-z0-9_-]{0,63}) ([A-Za-z0-9_-]{86}) ([A-Za-z0-9_-]+)$`);
const BATCH_V1 = /^#@batch ([0-9a-f]{12}) ([a-z0-9:_-]+) ([A-Za-z0-9+/]+={0,2})$/;
const REMOVED = new RegExp(`^#@removed ([A-Za-z_][A-Za-z0-9_]*) ([a-z0-9:_-]+) (0|[1-9][0-9]{0,15}) (-|${LEAF})$`);
const VALUE = new RegExp(`^([A-Za-z_][A-Za-z0-9_]*)=ev2:([0-9a-f]{12}):(0|[1-9][0-9]{0,15}):(-|${LEAF}):([A-Za-z0-9_-]+)$`);
const VALUE_V1 = /^([A-Za-z_][A-Za-z0-9_]*)=ev1:([0-9a-f]{12}):(0|[1-9][0-9]{0,15}):([A-Za-z0-9_-]+)$/;

/** The line of a value in its env file, as `printEnvFile` writes it: merges and diffs compare these. */
export function valueLine(key: string, v: SealedValue): string {
  return `${key}=ev2:${v.batch}:${v.t}:${v.prev ?? NO_PREV}:${v.payload}`;
}

/** The line of a removed key, as `printEnvFile` writes it. */
export function removedLine(key: string, r: RemovedLine): string {
  return `#@removed ${key} ${r.scope} ${r.t} ${r.prev}`;
}

/** A value line read back (a side of a merge conflict), or undefined when it is not one. */
export function parseValueLine(line: string): { key: string; value: SealedValue } | undefined {
  const m = VALUE.exec(line);
  if (m === null) return undefined;
  const [, key = "", batch = "", t = "0", prev = NO_PREV, payload = ""] = m;
  return { key, value: { batch, t: Number(t), prev, payload } };
}

/** A removal line read back, or undefined when it is not one. */
export function parseRemovedLine(line: string): { key: string; removed: RemovedLine } | undefined {
  const m = REMOVED.exec(line);
  if (m === null) return undefined;
  const [, key = "", scope = "", t = "0", prev = NO_PREV] = m;
  return { key, removed: { scope, t: Number(t), prev } };
}

/** What the checks of model/signed.ts see of an environment file. */
export function signedView(f: EnvFile): SignedFile {
  return {
    env: f.env,
    scopes: new Map([...f.scopes].map(([s, recipient]) => [s, { recipient, prev: f.scopePrev.get(s) ?? NO_PREV }])),
    batches: f.batches,
    values: new Map([...f.values].map(([k, v]) => [k, { batch: v.batch, t: v.t, prev: v.prev ?? NO_PREV, payload: v.payload }])),
    removed: f.removed,
    sigs: f.sigs,
  };
}

/** A value's change time (seconds since 1970) as ISO 8601 UTC to the second, as messages show it. */
export function valueTime(t: number): string {
  return new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** An environment file with no scope, batch or value yet. */
export function emptyEnvFile(env: string): EnvFile {
  return { env, version: 2, comments: [], scopes: new Map(), scopePrev: new Map(), batches: new Map(), sigs: new Map(), removed: new Map(), values: new Map() };
}

/**
 * Reads an environment file. Lines may come in any order (a hand merge may leave them
 * unsorted); `printEnvFile` writes them back sorted. Envvault writes these files itself, so
 * a line outside the format is damage (Tampered, exit 4); an unresolved merge is reported
 * as an invalid file (exit 5) with the way to settle it.
 */
export function parseEnvFile(text: string, file: string, env: string): EnvFile {
  const out = emptyEnvFile(env);
  const lines = text.split("\n");
  const fail = (line: number, what: string, hint: string): never => {
    throw new Tampered(`${file}:${line}: ${what}`, { data: { file, line, env }, hints: [hint] });
  };
  // Every file ends with a newline: one that does not was cut short, perhaps inside a line.
  if (lines[lines.length - 1] !== "") fail(lines.length, "the file ends in the middle of a line (it was cut short)", `restore it from git: git checkout -- ${file}`);
  lines.pop();
  const header = (lines[0] ?? "").replace(/\r$/, "");
  if (header === `${HEADER_V1} ${env}`) out.version = 1;
  else if (header !== `${HEADER} ${env}`) {
    fail(1, `expected the header "${HEADER} ${env}"`, "this file is not an envvault environment file, or belongs to another environment");
  }
  const v1 = out.version === 1;
  const editHint = "vault files are written by vault commands; restore the file from git (git checkout -- <file>)";
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const n = i + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("<<<<<<<") || line.startsWith(">>>>>>>") || line === "=======" || line.startsWith("|||||||")) {
      throw new InvalidFile(`${file}:${n}: unresolved merge conflict`, { data: { file, line: n, env }, hints: [conflictHint(lines, file)] });
    }
    let m: RegExpExecArray | null;
    if ((m = (v1 ? SCOPE_V1 : SCOPE).exec(line))) {
      const [, scope = "", recipient = "", prev = NO_PREV] = m;
      checkScope(scope, env, () => fail(n, `scope ${scope} does not belong to environment ${env}`, editHint));
      if (out.scopes.has(scope)) fail(n, `scope ${scope} is declared twice`, editHint);
      out.scopes.set(scope, recipient);
      out.scopePrev.set(scope, prev);
    } else if (!v1 && (m = SIG.exec(line))) {
      const [, id = "", anchor = "", member = "", signature = "", leaves = ""] = m;
      if (out.sigs.has(id)) fail(n, `record ${id} is listed twice`, editHint);
      out.sigs.set(id, { member, signature, leaves, anchor });
    } else if (!v1 && (m = REMOVED.exec(line))) {
      const [, key = "", scope = "", t = "0", prev = NO_PREV] = m;
      checkScope(scope, env, () => fail(n, `the removal of ${key} names scope ${scope} of another environment`, editHint));
      if (out.removed.has(key)) fail(n, `the removal of ${key} is listed twice`, editHint);
      if (!Number.isSafeInteger(Number(t))) fail(n, `the time of ${key} is above 2^53 - 1`, editHint);
      out.removed.set(key, { scope, t: Number(t), prev });
    } else if (!v1 && (m = BATCH.exec(line))) {
      const [, id = "", scope = "", anchor = "", age = ""] = m;
      checkScope(scope, env, () => fail(n, `batch ${id} names scope ${scope} of another environment`, editHint));
      if (out.batches.has(id)) fail(n, `batch ${id} is listed twice`, editHint);
      out.batches.set(id, { scope, age, anchor });
    } else if (v1 && (m = BATCH_V1.exec(line))) {
      const [, id = "", scope = "", age = ""] = m;
      checkScope(scope, env, () => fail(n, `batch ${id} names scope ${scope} of another environment`, editHint));
      if (out.batches.has(id)) fail(n, `batch ${id} is listed twice`, editHint);
      out.batches.set(id, { scope, age });
    } else if ((m = (v1 ? VALUE_V1 : VALUE).exec(line))) {
      const [, key = "", batch = "", t = "0"] = m;
      const [prev, payload] = v1 ? [NO_PREV, m[4] ?? ""] : [m[4] ?? NO_PREV, m[5] ?? ""];
      if (out.values.has(key)) fail(n, `variable ${key} is listed twice`, editHint);
      if (!Number.isSafeInteger(Number(t))) fail(n, `the time of ${key} is above 2^53 - 1`, editHint);
      out.values.set(key, { batch, t: Number(t), prev, payload });
    } else if (line.startsWith("# ") || line === "#") {
      out.comments.push(line);
    } else {
      const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
      if (key !== undefined && isKey(key)) {
        fail(n, `the value of ${key} is not an envvault ciphertext`, "set values with `vault set`, never by editing the file; restore it with git checkout -- <file>");
      }
      fail(n, "line is not part of the envvault format", editHint);
    }
  }
  for (const key of out.removed.keys()) if (out.values.has(key)) throw new Tampered(`${file}: ${key} has both a value and a removal`, { data: { file, key, env }, hints: [editHint] });
  return out;
}

/** A block the envvault merge driver writes starts `<<<<<<< ours KEY` (model/conflicts.ts); any other is git's own line merge. */
const DRIVER_BLOCK = /^<<<<<<< ours (?:scope )?\S+(?: sealed=\S+)?(?:: .*)?\r?$/;

/** How to settle the conflicts of a file: with vault resolve, or, when git's line merge wrote them, by merging it again with the driver. */
export function conflictHint(lines: readonly string[], file: string): string {
  const opening = lines.filter((l) => l.startsWith("<<<<<<<"));
  if (opening.length > 0 && opening.every((l) => DRIVER_BLOCK.test(l))) {
    return "run `vault status` to see the conflicting keys, then settle each with `vault resolve KEY --ours|--theirs` or `vault set KEY`";
  }
  return `git's own line merge wrote these markers (the envvault merge driver was not installed here): run \`vault hooks install\`, then \`git checkout -m -- ${file}\` merges the file again key by key`;
}

function checkScope(scope: string, env: string, onError: () => never): void {
  try {
    if (parseScope(scope).env !== env) onError();
  } catch {
    onError();
  }
}

const byName = <T>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function printBatch(id: string, b: Batch): string {
  return `#@batch ${id} ${b.scope} ${b.anchor ?? ""} ${b.age}`;
}

function printSig(id: string, r: ChangeRecord): string {
  return `#@sig ${id} ${r.anchor ?? ""} ${r.member} ${r.signature} ${r.leaves}`;
}

/**
 * The anchor of a record over the lines named `names` (keys, and `scope S` for scope lines):
 * the first of them in the file's order (docs/FORMAT.md §3).
 */
export function anchorOf(names: Iterable<string>): string | undefined {
  let scope: string | undefined;
  let key: string | undefined;
  for (const n of names) {
    if (n.startsWith("scope ")) {
      const s = n.slice(6);
      if (scope === undefined || s < scope) scope = s;
    } else if (key === undefined || n < key) key = n;
  }
  return scope !== undefined ? `@${scope}` : key;
}

/** Lines placed before a scope line or a key line, by that line's name (`@scope` or the key). */
class Groups {
  private readonly scopes = new Map<string, string[]>();
  private readonly keys = new Map<string, string[]>();

  add(anchor: string, line: string): void {
    const [map, name] = anchor.startsWith("@") ? [this.scopes, anchor.slice(1)] : [this.keys, anchor];
    const group = map.get(name);
    if (group === undefined) map.set(name, [line]);
    else group.push(line);
  }

  /** Every group in name order, each group's anchored lines first, then `own(name)`. */
  print(out: string[], section: "scopes" | "keys", own: (name: string) => readonly string[]): void {
    const map = this[section];
    for (const [name, lines] of [...map].sort(byName)) out.push(...lines.sort(), ...own(name));
  }
}

/**
 * Extra lines to print in place of a scope's or a key's own line (the merge driver's conflict
 * blocks, model/conflicts.ts), by scope and by key.
 */
export interface Blocks {
  scopes?: ReadonlyMap<string, readonly string[]>;
  keys?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Writes the canonical bytes of an environment file: same content, same bytes. Batch and
 * record lines go right before the line they were made for (their anchor), so that two
 * writes to keys apart from each other change lines apart from each other, and git's own
 * line merge (a server's) merges them (docs/FORMAT.md §3, §11).
 */
export function printEnvFile(f: EnvFile, blocks: Blocks = {}): string {
  const lines = [`${HEADER} ${f.env}`, ...f.comments];
  const groups = new Groups();
  const own = new Map<string, string[]>();
  const scopeOwn = new Map<string, string[]>();
  for (const [scope, recipient] of f.scopes) scopeOwn.set(scope, [`#@scope ${scope} ${recipient} ${f.scopePrev.get(scope) ?? NO_PREV}`]);
  for (const [scope, block] of blocks.scopes ?? []) scopeOwn.set(scope, [...block]);
  // A key set again after its removal has its value only.
  for (const [key, r] of f.removed) if (!f.values.has(key)) own.set(key, [removedLine(key, r)]);
  const firstUser = new Map<string, string>();
  for (const [key, v] of f.values) {
    own.set(key, [valueLine(key, v)]);
    const first = firstUser.get(v.batch);
    if (first === undefined || key < first) firstUser.set(v.batch, key);
  }
  for (const [key, block] of blocks.keys ?? []) {
    own.set(key, [...block]);
    // The batch of a conflict side's value goes with the block.
    for (const line of block) {
      const batch = parseValueLine(line)?.value.batch;
      if (batch === undefined) continue;
      const first = firstUser.get(batch);
      if (first === undefined || key < first) firstUser.set(batch, key);
    }
  }
  // A batch that has no anchor yet and seals nothing has no place, and no meaning.
  for (const [id, b] of f.batches) {
    const anchor = b.anchor ?? firstUser.get(id);
    if (anchor !== undefined) groups.add(anchor, printBatch(id, { ...b, anchor }));
  }
  let derived: Map<string, LineRef> | undefined;
  for (const [id, r] of f.sigs) {
    let anchor = r.anchor;
    if (anchor === undefined) {
      derived ??= leavesOf(signedView(f));
      anchor = anchorOf(splitLeaves(r.leaves).flatMap((l) => {
        const ref = derived!.get(l);
        return ref === undefined ? [] : [ref.kind === "scope" ? `scope ${ref.name}` : ref.name];
      }));
    }
    if (anchor !== undefined) groups.add(anchor, printSig(id, { ...r, anchor }));
  }
  for (const name of scopeOwn.keys()) groups.add(`@${name}`, "");
  for (const name of own.keys()) groups.add(name, "");
  const body: string[] = [];
  groups.print(body, "scopes", (s) => scopeOwn.get(s) ?? []);
  groups.print(body, "keys", (k) => own.get(k) ?? []);
  for (const l of body) if (l !== "") lines.push(l);
  return lines.join("\n") + "\n";
}

/** Drops batches no value refers to any more. */
export function pruneBatches(f: EnvFile): EnvFile {
  const used = new Set([...f.values.values()].map((v) => v.batch));
  const batches = new Map([...f.batches].filter(([id]) => used.has(id)));
  return { ...f, batches };
}

/** The scope a stored value belongs to, or undefined when its batch is missing. */
export function scopeOf(f: EnvFile, key: string): string | undefined {
  const v = f.values.get(key);
  return v === undefined ? undefined : f.batches.get(v.batch)?.scope;
}
