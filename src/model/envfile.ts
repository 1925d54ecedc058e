/** Environment files, `.envvault/envs/<env>.env` (docs/FORMAT.md §3): their lines parsed and printed. Pure. */
import { InvalidFile, Tampered } from "../errors.js";
import { isKey, parseScope } from "./names.js";

/** One encrypted variable: which batch sealed it, when it last changed, the sealed bytes. */
export interface SealedValue {
  batch: string;
  t: number;
  payload: string;
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

/** A batch key, age-encrypted to one scope's recipient (base64 of the binary age file). */
export interface Batch {
  scope: string;
  age: string;
}

/** The parsed form of `.envvault/envs/<env>.env` (docs/FORMAT.md §3). */
export interface EnvFile {
  env: string;
  comments: string[];
  scopes: Map<string, string>;
  batches: Map<string, Batch>;
  values: Map<string, SealedValue>;
}

export const HEADER = "# envvault 1";
const SCOPE = /^#@scope ([a-z0-9:_-]+) (age1[0-9a-z]+)$/;
const BATCH = /^#@batch ([0-9a-f]{12}) ([a-z0-9:_-]+) ([A-Za-z0-9+/]+={0,2})$/;
const VALUE = /^([A-Za-z_][A-Za-z0-9_]*)=ev1:([0-9a-f]{12}):(0|[1-9][0-9]{0,15}):([A-Za-z0-9_-]+)$/;

/** The line of a value in its env file, as `printEnvFile` writes it: merges and diffs compare these. */
export function valueLine(key: string, v: SealedValue): string {
  return `${key}=ev1:${v.batch}:${v.t}:${v.payload}`;
}

/** A value line read back (a side of a merge conflict), or undefined when it is not one. */
export function parseValueLine(line: string): { key: string; value: SealedValue } | undefined {
  const m = VALUE.exec(line);
  if (m === null) return undefined;
  const [, key = "", batch = "", t = "0", payload = ""] = m;
  return { key, value: { batch, t: Number(t), payload } };
}

/** A value's change time (seconds since 1970) as ISO 8601 UTC to the second, as messages show it. */
export function valueTime(t: number): string {
  return new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** An environment file with no scope, batch or value yet. */
export function emptyEnvFile(env: string): EnvFile {
  return { env, comments: [], scopes: new Map(), batches: new Map(), values: new Map() };
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
  if (header !== `${HEADER} ${env}`) {
    fail(1, `expected the header "${HEADER} ${env}"`, "this file is not an envvault environment file, or belongs to another environment");
  }
  const editHint = "vault files are written by vault commands; restore the file from git (git checkout -- <file>)";
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const n = i + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("<<<<<<<") || line.startsWith(">>>>>>>") || line === "=======" || line.startsWith("|||||||")) {
      throw new InvalidFile(`${file}:${n}: unresolved merge conflict`, {
        data: { file, line: n, env },
        hints: ["run `vault status` to see the conflicting keys, then settle each with `vault resolve KEY --ours|--theirs` or `vault set KEY`"],
      });
    }
    let m: RegExpExecArray | null;
    if ((m = SCOPE.exec(line))) {
      const [, scope = "", recipient = ""] = m;
      checkScope(scope, env, () => fail(n, `scope ${scope} does not belong to environment ${env}`, editHint));
      if (out.scopes.has(scope)) fail(n, `scope ${scope} is declared twice`, editHint);
      out.scopes.set(scope, recipient);
    } else if ((m = BATCH.exec(line))) {
      const [, id = "", scope = "", age = ""] = m;
      checkScope(scope, env, () => fail(n, `batch ${id} names scope ${scope} of another environment`, editHint));
      if (out.batches.has(id)) fail(n, `batch ${id} is listed twice`, editHint);
      out.batches.set(id, { scope, age });
    } else if ((m = VALUE.exec(line))) {
      const [, key = "", batch = "", t = "0", payload = ""] = m;
      if (out.values.has(key)) fail(n, `variable ${key} is listed twice`, editHint);
      if (!Number.isSafeInteger(Number(t))) fail(n, `the time of ${key} is above 2^53 - 1`, editHint);
      out.values.set(key, { batch, t: Number(t), payload });
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
  return out;
}

function checkScope(scope: string, env: string, onError: () => never): void {
  try {
    if (parseScope(scope).env !== env) onError();
  } catch {
    onError();
  }
}

const byName = <T>(a: [string, T], b: [string, T]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Writes the canonical bytes of an environment file: same content, same bytes. */
export function printEnvFile(f: EnvFile): string {
  const lines = [`${HEADER} ${f.env}`, ...f.comments];
  for (const [scope, recipient] of [...f.scopes].sort(byName)) lines.push(`#@scope ${scope} ${recipient}`);
  for (const [id, b] of [...f.batches].sort(byName)) lines.push(`#@batch ${id} ${b.scope} ${b.age}`);
  for (const [key, v] of [...f.values].sort(byName)) lines.push(valueLine(key, v));
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
