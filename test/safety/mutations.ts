/**
 * Systematic mutations of a vault's files, for the tamper matrix (docs/SECURITY.md: any
 * modification of ciphertext or key files, or a value moved between keys, scopes or
 * environments, is detected before anything is written). Pure: a mutation maps the vault's
 * files (path → text) to new files; `null` deletes a file.
 */

/** What reading the affected environment must do after the mutation. */
export type Outcome =
  /** Integrity failure, exit 4. */
  | "tampered"
  /** Not a recipient, exit 3: the mutation took the reader's access away. */
  | "denied"
  /** Either: a changed stanza addressed to the reader reads as "not a recipient" (FORMAT §2). */
  | "tampered-or-denied"
  /** A file no longer in the format's syntax: exit 4 or the parser's InvalidFile (exit 5), naming file and line. */
  | "malformed";

export interface Mutation {
  id: string;
  family: string;
  /** The environment whose read must fail. */
  env: string;
  expect: Outcome;
  /** The error must name at least one of these (a key, a file, a scope). */
  names: string[];
  /**
   * What the CLI says when it differs from the in-process read: the CLI verifies the vault
   * first (docs/FORMAT.md §6), so an unsigned change of roster.yaml is exit 4 there.
   */
  cli?: { expect: Outcome; names: string[] };
  apply(files: ReadonlyMap<string, string>): Map<string, string | null>;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX = "0123456789abcdef";
const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** The next character of `alphabet` (wrapping): a change that stays in the alphabet. */
function neighbour(c: string, alphabet: string): string {
  const i = alphabet.indexOf(c);
  return i < 0 ? alphabet[0]! : alphabet[(i + 1) % alphabet.length]!;
}

/** Upper ↔ lower case; a character without case moves to its alphabet neighbour instead. */
function caseFlip(c: string, alphabet: string): string {
  const f = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return f !== c && alphabet.includes(f) ? f : neighbour(c, alphabet);
}

/** `count` positions spread over [0, length): first, last, middle and evenly between. */
export function spread(length: number, count: number): number[] {
  const out = new Set<number>([0, length - 1, Math.floor(length / 2)]);
  for (let i = 1; out.size < Math.min(count, length) && i <= count; i++) out.add(Math.floor((i * length) / (count + 1)));
  return [...out].filter((p) => p >= 0 && p < length).sort((a, b) => a - b);
}

const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);
const lines = (text: string) => text.split("\n").slice(0, -1);
const unlines = (ls: string[]) => ls.join("\n") + "\n";

/** Changes one file's text. */
function edit(path: string, f: (text: string) => string) {
  return (files: ReadonlyMap<string, string>) => new Map<string, string | null>([[path, f(files.get(path)!)]]);
}

/** Changes the `index`-th line of a file. */
function editLine(path: string, index: number, f: (line: string) => string) {
  return edit(path, (text) => {
    const ls = lines(text);
    ls[index] = f(ls[index]!);
    return unlines(ls);
  });
}

interface ValueLine {
  index: number;
  key: string;
  batch: string;
  t: string;
  payload: string;
}

interface BatchLine {
  index: number;
  id: string;
  anchor: string;
  scope: string;
  b64: string;
}

export interface ParsedEnv {
  path: string;
  env: string;
  lines: string[];
  scopes: { index: number; scope: string; recipient: string }[];
  batches: BatchLine[];
  values: ValueLine[];
}

export function parseEnv(path: string, text: string): ParsedEnv {
  const env = /envs\/(.+)\.env$/.exec(path)![1]!;
  const out: ParsedEnv = { path, env, lines: lines(text), scopes: [], batches: [], values: [] };
  out.lines.forEach((l, index) => {
    let m: RegExpExecArray | null;
    if ((m = /^#@scope (\S+) (\S+) (\S+)$/.exec(l))) out.scopes.push({ index, scope: m[1]!, recipient: m[2]! });
    else if ((m = /^#@batch (\S+) (\S+) (\S+) (\S+)$/.exec(l))) out.batches.push({ index, id: m[1]!, scope: m[2]!, anchor: m[3]!, b64: m[4]! });
    else if ((m = /^([A-Za-z_]\w*)=ev2:([0-9a-f]+):(\d+):[A-Za-z0-9_-]+:(\S+)$/.exec(l))) out.values.push({ index, key: m[1]!, batch: m[2]!, t: m[3]!, payload: m[4]! });
  });
  return out;
}

/** Byte-class flips of one field of a line: each position × (alphabet neighbour, case flip). */
function fieldFlips(
  family: string,
  base: Omit<Mutation, "id" | "family" | "apply">,
  path: string,
  lineIndex: number,
  line: string,
  field: string,
  alphabet: string,
  positions: number,
  classes: ("neighbour" | "case")[] = ["neighbour", "case"],
): Mutation[] {
  const start = line.indexOf(field);
  const out: Mutation[] = [];
  const seen = new Set<string>();
  for (const p of spread(field.length, positions)) {
    for (const cls of classes) {
      const c = field[p]!;
      const to = cls === "neighbour" ? neighbour(c, alphabet) : caseFlip(c, alphabet);
      const changed = replaceAt(line, start + p, to);
      if (changed === line || seen.has(changed)) continue;
      seen.add(changed);
      out.push({ ...base, id: `${family} @${p} ${cls} ${c}→${to}`, family, apply: editLine(path, lineIndex, () => changed) });
    }
  }
  return out;
}

/** A distinct digit spelling of `t` that keeps the canonical form (no leading zero). */
function digitFlip(t: string, p: number): string {
  const d = Number(t[p]);
  const next = p === 0 ? (d % 9) + 1 : (d + 1) % 10;
  return replaceAt(t, p, String(next));
}

/**
 * Every mutation of the vault `files`, as read by `reader` (a member with read access to
 * every scope) whose key files are `keys/<dir>/<reader>.age`. `otherMember` is a member
 * whose key files the reader's identity cannot open; `freshRecipient` belongs to nobody.
 */
export function mutations(files: ReadonlyMap<string, string>, reader: string, otherMember: string, freshRecipient: string): Mutation[] {
  const out: Mutation[] = [];
  const envs = [...files.keys()].filter((p) => p.startsWith(".envvault/envs/")).map((p) => parseEnv(p, files.get(p)!));

  for (const e of envs) {
    const file = e.path;
    const keysOf = (batch: string) => e.values.filter((v) => v.batch === batch).map((v) => v.key);

    // Value lines: payload, batch id and timestamp.
    for (const v of e.values) {
      const line = e.lines[v.index]!;
      const base = { env: e.env, expect: "tampered" as const, names: [v.key] };
      const payloadStart = line.lastIndexOf(":") + 1;
      const payloadLine = line.slice(0, payloadStart);
      for (const p of spread(v.payload.length, 4)) {
        for (const [cls, to] of [["neighbour", neighbour(v.payload[p]!, B64U)], ["case", caseFlip(v.payload[p]!, B64U)]] as const) {
          out.push({ ...base, family: "value payload", id: `${file} ${v.key} payload @${p} ${cls}`, apply: editLine(file, v.index, () => payloadLine + replaceAt(v.payload, p, to)) });
        }
      }
      out.push(...fieldFlips(`value batch id`, { ...base }, file, v.index, line, `:${v.batch}:`.slice(1, -1), HEX, 3, ["neighbour"]).map((m) => ({ ...m, id: `${file} ${v.key} ${m.id}` })));
      for (const p of spread(v.t.length, 3)) {
        out.push({ ...base, family: "value timestamp", id: `${file} ${v.key} t @${p}`, apply: editLine(file, v.index, (l) => l.replace(`:${v.t}:`, `:${digitFlip(v.t, p)}:`)) });
      }
      out.push({ ...base, family: "value timestamp", id: `${file} ${v.key} t+1`, apply: editLine(file, v.index, (l) => l.replace(`:${v.t}:`, `:${Number(v.t) + 1}:`)) });
      out.push({ ...base, expect: "malformed", family: "value timestamp", id: `${file} ${v.key} t with a leading zero`, apply: editLine(file, v.index, (l) => l.replace(`:${v.t}:`, `:0${v.t}:`)) });
      // Truncated ciphertext, still in the syntax.
      for (const cut of [1, 4, 16]) {
        out.push({ ...base, family: "value truncated", id: `${file} ${v.key} payload minus ${cut}`, apply: editLine(file, v.index, (l) => l.slice(0, -cut)) });
      }
    }

    // #@batch lines: the base64 age file and the id.
    for (const b of e.batches) {
      const names = [...keysOf(b.id), file];
      const base = { env: e.env, expect: "tampered" as const, names };
      const line = e.lines[b.index]!;
      // A padding "=" changed to a letter leaves the line's syntax: "malformed" (exit 4 or 5).
      out.push(...fieldFlips("batch base64", base, file, b.index, line, b.b64, B64, 14).map((m) => ({ ...m, id: `${file} batch ${b.id} ${m.id}`, expect: m.id.includes(" =→") ? ("malformed" as const) : m.expect })));
      out.push(...fieldFlips("batch id", base, file, b.index, line, b.id, HEX, 3, ["neighbour"]).map((m) => ({ ...m, id: `${file} batch ${b.id} ${m.id}` })));
      out.push({ ...base, family: "batch truncated", id: `${file} batch ${b.id} base64 cut to a multiple of 4`, apply: editLine(file, b.index, (l) => l.slice(0, l.length - ((b.b64.length % 4) + 8))) });
      // Moved to another scope of the same environment (a forged batch): the scope key does not open it.
      const otherScope = e.scopes.find((s) => s.scope !== b.scope);
      if (otherScope !== undefined) {
        out.push({ ...base, family: "move batch between scopes", id: `${file} batch ${b.id} relabelled ${otherScope.scope}`, apply: editLine(file, b.index, (l) => l.replace(` ${b.scope} `, ` ${otherScope.scope} `)) });
      }
    }

    // #@scope recipients.
    for (const s of e.scopes) {
      const base = { env: e.env, expect: "tampered" as const, names: [file, s.scope] };
      const tail = s.recipient.slice(4);
      out.push(...fieldFlips("scope recipient", base, file, s.index, e.lines[s.index]!, tail, BECH32, 6, ["neighbour"]).map((m) => ({ ...m, id: `${file} scope ${s.scope} ${m.id}` })));
      out.push({ ...base, family: "scope recipient", id: `${file} scope ${s.scope} replaced by a fresh recipient`, apply: editLine(file, s.index, (l) => l.replace(s.recipient, freshRecipient)) });
      out.push({ ...base, family: "delete line", id: `${file} delete #@scope ${s.scope}`, apply: edit(file, (t) => unlines(lines(t).filter((_, i) => i !== s.index))) });
    }
    if (e.scopes.length > 1) {
      const [a, b] = e.scopes;
      out.push({ env: e.env, expect: "tampered", names: [file, a!.scope, b!.scope], family: "swap scope recipients", id: `${file} swap #@scope recipients`, apply: edit(file, (t) => t.replace(a!.recipient, "\0").replace(b!.recipient, a!.recipient).replace("\0", b!.recipient)) });
    }

    // Deleted, duplicated lines.
    for (const b of e.batches) {
      out.push({ env: e.env, expect: "tampered", names: keysOf(b.id), family: "delete line", id: `${file} delete #@batch ${b.id}`, apply: edit(file, (t) => unlines(lines(t).filter((_, i) => i !== b.index))) });
    }
    out.push({ env: e.env, expect: "malformed", names: [file], family: "delete line", id: `${file} delete the header`, apply: edit(file, (t) => unlines(lines(t).slice(1))) });
    e.lines.forEach((l, i) => {
      if (i === 0) return;
      out.push({ env: e.env, expect: "malformed", names: [file], family: "duplicate line", id: `${file} duplicate line ${i + 1}`, apply: edit(file, (t) => { const ls = lines(t); ls.splice(i, 0, l); return unlines(ls); }) });
    });
    out.push({ env: e.env, expect: "malformed", names: [file], family: "header", id: `${file} header version 3`, apply: editLine(file, 0, (l) => l.replace("envvault 2", "envvault 3")) });

    // Truncation in the middle of a line (a cut at a line end deletes whole lines: see below).
    const text = files.get(file)!;
    let truncations = 0;
    for (const p of spread(text.length, 24)) {
      if (text[p - 1] === "\n" || p === 0 || truncations >= 12) continue;
      const lineNo = text.slice(0, p).split("\n").length;
      if (lineNo === 1) continue;
      truncations++;
      const last = lines(text)[lineNo - 1]!;
      const key = /^([A-Za-z_]\w*)=/.exec(last)?.[1];
      out.push({ env: e.env, expect: "malformed", names: key === undefined ? [file] : [key, file], family: "truncate file", id: `${file} truncated at byte ${p}`, apply: edit(file, (t) => t.slice(0, p)) });
    }

    // Moves between keys (same batch) and to keys of another scope.
    const [v1, v2] = e.values;
    if (v1 !== undefined && v2 !== undefined) {
      const rhs = (v: ValueLine) => e.lines[v.index]!.slice(v.key.length);
      out.push({ env: e.env, expect: "tampered", names: [v1.key, v2.key], family: "move value between keys", id: `${file} swap ${v1.key} and ${v2.key}`, apply: edit(file, () => unlines(e.lines.map((l, i) => (i === v1.index ? v1.key + rhs(v2) : i === v2.index ? v2.key + rhs(v1) : l)))) });
      out.push({ env: e.env, expect: "tampered", names: [v1.key], family: "move value between keys", id: `${file} ${v2.key}'s value copied to ${v1.key}`, apply: editLine(file, v1.index, () => v1.key + rhs(v2)) });
      out.push({ env: e.env, expect: "tampered", names: [`${v1.key}_MOVED`], family: "move value between keys", id: `${file} ${v1.key} renamed`, apply: edit(file, () => unlines([...e.lines.filter((_, i) => i !== v1.index), `${v1.key}_MOVED${rhs(v1)}`])) });
    }
    const scopeOfBatch = new Map(e.batches.map((b) => [b.id, b.scope]));
    for (const from of e.values) {
      const to = e.values.find((v) => scopeOfBatch.get(v.batch) !== scopeOfBatch.get(from.batch));
      if (to === undefined) continue;
      out.push({ env: e.env, expect: "tampered", names: [to.key], family: "move value between scopes", id: `${file} ${from.key} (${scopeOfBatch.get(from.batch)}) moved onto ${to.key} (${scopeOfBatch.get(to.batch)})`, apply: editLine(file, to.index, () => to.key + e.lines[from.index]!.slice(from.key.length)) });
    }
  }

  // Moves between environments: a value line with its batch line, the batch relabelled to the target's default scope.
  for (const from of envs) {
    for (const to of envs) {
      if (from === to) continue;
      for (const v of from.values.slice(0, 4)) {
        const b = from.batches.find((x) => x.id === v.batch)!;
        const target = to.values.find((x) => x.key === v.key);
        out.push({
          env: to.env,
          expect: "tampered",
          names: [v.key],
          family: "move value between environments",
          id: `${v.key} moved from ${from.env} to ${to.env}`,
          apply: edit(to.path, () => {
            const ls = to.lines.filter((_, i) => i !== target?.index);
            ls.push(`#@batch ${b.id} ${to.env} ${b.anchor} ${b.b64}`, from.lines[v.index]!);
            return unlines(ls);
          }),
        });
      }
    }
  }

  // The reader's key files: armor body flips, truncation, swaps between scopes, deletion.
  const keyFiles = [...files.keys()].filter((p) => p.startsWith(".envvault/keys/") && p.endsWith(`/${reader}.age`));
  const scopeOfKeyDir = (p: string) => p.split("/")[2]!.replace(".", ":");
  const envOfKeyFile = (p: string) => scopeOfKeyDir(p).split(":")[0]!;
  for (const kf of keyFiles) {
    const text = files.get(kf)!;
    const ls = lines(text);
    const base = { env: envOfKeyFile(kf), names: [kf] };
    ls.forEach((l, i) => {
      if (l.startsWith("-----")) return;
      const flips = fieldFlips("key file armor", { ...base, expect: "tampered-or-denied" }, kf, i, l, l, B64, 8);
      out.push(...flips.map((m) => ({ ...m, id: `${kf} line ${i + 1} ${m.id}` })));
    });
    for (const cut of spread(text.length, 8)) {
      // Dropping only the final newline leaves the same armor, which age itself accepts.
      if (cut === 0 || cut >= text.trimEnd().length) continue;
      out.push({ ...base, expect: "tampered", family: "truncate key file", id: `${kf} truncated at byte ${cut}`, apply: edit(kf, (t) => t.slice(0, cut)) });
    }
    out.push({ ...base, expect: "tampered", family: "key file armor", id: `${kf} armor header changed`, apply: edit(kf, (t) => t.replace("BEGIN AGE", "BEGIN AEG")) });
    out.push({ ...base, expect: "tampered", family: "duplicate line", id: `${kf} body line duplicated`, apply: edit(kf, (t) => { const x = lines(t); x.splice(2, 0, x[1]!); return unlines(x); }) });
    out.push({ ...base, expect: "denied", family: "key file removed", id: `${kf} deleted`, apply: () => new Map([[kf, null]]) });
    const others = kf.replace(`/${reader}.age`, `/${otherMember}.age`);
    if (files.has(others)) {
      out.push({ ...base, expect: "denied", family: "key file of another member", id: `${kf} replaced by ${others}`, apply: (f) => new Map([[kf, f.get(others)!]]) });
    }
    for (const other of keyFiles) {
      if (other === kf) continue;
      out.push({ ...base, env: envOfKeyFile(kf), expect: "tampered", names: [kf], family: "swap key files between scopes", id: `${kf} replaced by ${other}`, apply: (f) => new Map([[kf, f.get(other)!]]) });
    }
  }

  // The roster: the reader's recipient edited (the reader is no longer a member).
  const roster = files.get(".envvault/roster.yaml")!;
  const mine = /^\s*- (age1\S+)/m.exec(roster.slice(roster.indexOf(`${reader}:`)))![1]!;
  const theirs = /^\s*- (age1\S+)/m.exec(roster.slice(roster.indexOf(`${otherMember}:`)))![1]!;
  const rbase = { env: "development", expect: "denied" as const, names: ["development"] };
  const unsigned = { cli: { expect: "tampered" as const, names: [".envvault/roster.yaml"] } };
  out.push({ ...rbase, ...unsigned, family: "roster recipients", id: "roster: reader's recipient replaced by a fresh one", apply: edit(".envvault/roster.yaml", (t) => t.replace(mine, freshRecipient)) });
  out.push({ ...rbase, ...unsigned, names: ["production"], env: "production", family: "roster recipients", id: "roster: reader's and other member's recipients swapped", apply: edit(".envvault/roster.yaml", (t) => t.replace(mine, "\0").replace(theirs, mine).replace("\0", theirs)) });
  // A changed character breaks the bech32 checksum: the roster itself is refused on load.
  for (const p of spread(mine.length - 4, 6)) {
    const changed = mine.slice(0, 4) + replaceAt(mine.slice(4), p, neighbour(mine[4 + p]!, BECH32));
    out.push({ ...rbase, expect: "malformed", names: [`.envvault/roster.yaml:`], family: "roster recipients", id: `roster: reader's recipient @${p + 4} changed`, apply: edit(".envvault/roster.yaml", (t) => t.replace(mine, changed)) });
  }
  return out;
}

/** Cuts of an environment file at a line end: whole value lines disappear (not detectable; see docs/SECURITY.md). */
export function lineEndTruncations(path: string, text: string): { id: string; text: string; kept: string[] }[] {
  const e = parseEnv(path, text);
  return e.values.map((v) => {
    const cut = unlines(e.lines.slice(0, v.index));
    return { id: `${path} cut before ${v.key}`, text: cut, kept: e.values.filter((x) => x.index < v.index).map((x) => x.key) };
  });
}
