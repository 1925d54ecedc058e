/**
 * Unresolved merges of environment files (docs/FORMAT.md "Merge conflicts"). The merge
 * driver writes what it could merge as ordinary lines and each conflict as a block in git's
 * diff3 style, one block per key or scope:
 *
 * ```
 * <<<<<<< ours API_KEY sealed=age1…: changed on both branches
 * API_KEY=ev2:…                 (a `#@removed API_KEY …` line when ours removed it)
 * ||||||| base
 * API_KEY=ev2:…
 * =======
 * API_KEY=ev2:…
 * >>>>>>> theirs API_KEY sealed=age1…
 * ```
 *
 * `sealed=` names the recipient the side's value was sealed for (its scope's recipient on
 * that side), so a value sealed under a key that the other side rotated away is never
 * picked silently. The `#@sig` records covering each side's line stay in the file, so the
 * side kept can be checked and signed again by the merger (model/merge.ts). The normal reader (`parseEnvFile`) keeps refusing such a file; only
 * `vault status`, `vault resolve`, `vault set` and the merge driver read it, through here.
 */
import { InvalidFile } from "../errors.js";
import { conflictHint, type EnvFile, HEADER, parseEnvFile, printEnvFile } from "./envfile.js";

export type Side = "ours" | "theirs";

export interface ConflictSide {
  /** The side's line: a value or `#@removed` line (key conflicts), a `#@scope` line; undefined when the side has none. */
  line?: string;
  /** Recipient the side's value was sealed for (value conflicts only). */
  sealed?: string;
}

export interface Conflict {
  kind: "key" | "scope";
  /** Variable or scope name. */
  name: string;
  reason: string;
  ours: ConflictSide;
  base?: string;
  theirs: ConflictSide;
}

export interface ConflictedFile {
  /** Everything merged cleanly, plus the batches the conflicting lines refer to. */
  file: EnvFile;
  conflicts: Conflict[];
}

const OPEN = "<<<<<<< ";
const BASE = "|||||||";
const MID = "=======";
const CLOSE = ">>>>>>> ";

/** The environment named by a path (`.envvault/envs/<env>.env`), else by the file's header. */
export function envOf(path: string, text: string): string {
  const fromPath = /(?:^|\/)\.envvault\/envs\/([^/]+)\.env$/.exec(path)?.[1];
  if (fromPath !== undefined) return fromPath;
  const head = (text.split("\n")[0] ?? "").replace(/\r$/, "");
  return head.startsWith(`${HEADER} `) ? head.slice(HEADER.length + 1) : "";
}

/** Whether a text holds a line of a conflict block (git's, or the merge driver's). */
export function hasConflictMarkers(text: string): boolean {
  return /^(?:<<<<<<<|>>>>>>>|=======$|\|\|\|\|\|\|\|)/m.test(text);
}

function markerLine(prefix: string, side: Side, c: Conflict, s: ConflictSide, reason: boolean): string {
  const what = c.kind === "scope" ? `scope ${c.name}` : c.name;
  const sealed = s.sealed !== undefined ? ` sealed=${s.sealed}` : "";
  return `${prefix}${side} ${what}${sealed}${reason ? `: ${c.reason}` : ""}`;
}

/**
 * The file with its conflict blocks, each where its line would be: scope blocks in place of
 * the `#@scope` line, key blocks in place of the key's line (model/envfile.ts places the rest).
 */
export function printConflicted(cf: ConflictedFile): string {
  const block = (c: Conflict): string[] => [
    markerLine(OPEN, "ours", c, c.ours, true),
    ...(c.ours.line === undefined ? [] : [c.ours.line]),
    `${BASE} base`,
    ...(c.base === undefined ? [] : [c.base]),
    MID,
    ...(c.theirs.line === undefined ? [] : [c.theirs.line]),
    markerLine(CLOSE, "theirs", c, c.theirs, false),
  ];
  const scopes = new Map(cf.conflicts.filter((c) => c.kind === "scope").map((c) => [c.name, block(c)]));
  const keys = new Map(cf.conflicts.filter((c) => c.kind === "key").map((c) => [c.name, block(c)]));
  return printEnvFile(cf.file, { scopes, keys });
}

/** Parses one side's line against the file's environment (strict: a scope, value or removal line). */
function sideLine(line: string, env: string, file: string, n: number): EnvFile {
  try {
    return parseEnvFile(`${HEADER} ${env}\n${line}\n`, file, env);
  } catch (e) {
    throw new InvalidFile(`${file}:${n}: a line of a merge conflict is not an envvault line`, {
      data: { file, line: n, env },
      hints: ["restore the file from one side: git checkout --ours|--theirs -- " + file],
      cause: e,
    });
  }
}

/** Reads an environment file that may hold conflict blocks. */
export function parseConflicted(text: string, file: string, env: string): ConflictedFile {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const clean: string[] = [];
  const conflicts: Conflict[] = [];
  const bad = (n: number, what: string): never => {
    throw new InvalidFile(`${file}:${n}: ${what}`, {
      data: { file, line: n, env },
      hints: ["restore the file from one side (git checkout --ours|--theirs -- " + file + ") and merge again"],
    });
  };
  const gitsOwn = (n: number): never => {
    throw new InvalidFile(`${file}:${n}: a conflict that git's own line merge wrote, not the envvault merge driver: vault cannot settle it key by key`, {
      data: { file, line: n, env },
      hints: [conflictHint(lines, file)],
    });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    if (!line.startsWith(OPEN)) {
      if (line.startsWith(CLOSE) || line === MID || line.startsWith(BASE)) bad(i + 1, "conflict marker out of place");
      clean.push(line);
      continue;
    }
    const head = /^<<<<<<< ours (scope )?(\S+)(?: sealed=(\S+))?(?:: (.*))?$/.exec(line) ?? gitsOwn(i + 1);
    const kind: Conflict["kind"] = head[1] === undefined ? "key" : "scope";
    const name = head[2] ?? "";
    const parts: string[][] = [[], [], []];
    let part = 0;
    let j = i + 1;
    let tail: RegExpExecArray | null = null;
    for (; j < lines.length; j++) {
      const l = (lines[j] ?? "").replace(/\r$/, "");
      if (l.startsWith(BASE)) part = 1;
      else if (l === MID) part = 2;
      else if (l.startsWith(CLOSE)) {
        tail = /^>>>>>>> theirs (?:scope )?(\S+)(?: sealed=(\S+))?$/.exec(l);
        break;
      } else if (l.startsWith(OPEN)) bad(j + 1, "a conflict block inside another");
      else parts[part]!.push(l);
    }
    if (tail === null || tail[1] !== name) bad(i + 1, `the conflict block of ${name} does not end`);
    if (parts.some((p) => p.length > 1)) bad(i + 1, `the conflict block of ${name} holds more than one line per side`);
    for (const p of [parts[0]!, parts[2]!]) if (p[0] !== undefined) sideLine(p[0], env, file, i + 1);
    conflicts.push({
      kind,
      name,
      reason: head[4] ?? "changed on both branches",
      ours: { ...(parts[0]![0] === undefined ? {} : { line: parts[0]![0] }), ...(head[3] === undefined ? {} : { sealed: head[3] }) },
      ...(parts[1]![0] === undefined ? {} : { base: parts[1]![0] }),
      theirs: { ...(parts[2]![0] === undefined ? {} : { line: parts[2]![0] }), ...(tail?.[2] === undefined ? {} : { sealed: tail[2] }) },
    });
    i = j;
  }
  return { file: parseEnvFile(clean.join("\n") + "\n", file, env), conflicts };
}

/** Puts one side's line into a file as it is (the caller has checked it may). */
export function applySide(f: EnvFile, c: Conflict, line: string | undefined, env: string, path: string): void {
  if (c.kind === "scope") {
    f.scopes.delete(c.name);
    f.scopePrev.delete(c.name);
    if (line === undefined) return;
    const side = sideLine(line, env, path, 0);
    for (const [s, r] of side.scopes) f.scopes.set(s, r);
    for (const [s, p] of side.scopePrev) f.scopePrev.set(s, p);
  } else {
    f.values.delete(c.name);
    f.removed.delete(c.name);
    if (line === undefined) return;
    const side = sideLine(line, env, path, 0);
    for (const [k, v] of side.values) f.values.set(k, v);
    for (const [k, r] of side.removed) f.removed.set(k, r);
  }
}
