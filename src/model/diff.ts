/**
 * Previews of a text change with values masked (`vault unlock --dry-run`, `vault diff`).
 * Pure: no I/O, no colors (the caller colors lines by their first character).
 *
 * Lines are compared byte for byte, terminators included, so a CRLF → LF change shows;
 * they are displayed without terminators. Masking is line-based and errs towards hiding:
 * only blank lines and comments that are not commented-out assignments are shown as
 * they are; an assignment shows its key, never its value; the lines of a multi-line
 * quoted value and lines that are not assignments at all are hidden whole.
 */
import { entries, parse } from "./dotenv/index.js";

/** One displayed line: `' '` context, `'-'` removed, `'+'` added. */
export interface DiffLine {
  kind: " " | "-" | "+";
  /** The masked text, without its line terminator. */
  text: string;
  /** The line is the last of its file and has no terminator (`\ No newline at end of file`). */
  noNewline: boolean;
}

/** A run of changes with context; line numbers are 1-based, as in a unified diff header. */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

/**
 * What to show in place of a value. `key` is the variable (`undefined` for a line that
 * is not an assignment); `raw` is the text after `=` (or the whole line of a multi-line
 * value or a non-assignment). Callers may reveal non-secret kinds by returning `raw`.
 */
export type Mask = (key: string | undefined, raw: string) => string;

/** Options of {@link diffHunks} and {@link renderDiff}. */
export interface DiffOptions {
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
  /** Default: every value becomes `••••`. */
  mask?: Mask;
  /** Names for the `---` / `+++` header lines; without them no header is rendered. */
  labels?: { old: string; new: string };
}

/** Keys of two versions of a variable set, by what happened to them; each list sorted. */
export interface ChangeSummary {
  added: string[];
  changed: string[];
  removed: string[];
}

/** The default {@link Mask}. */
export const MASKED = "••••";

/**
 * A {@link Mask} that shows a line's value only where it is exactly the value `shown` has for
 * its key (the config values `vault list` shows), and masks every other: an old value, a
 * value edited locally, a line of a multi-line value.
 */
export function showingOnly(shown: ReadonlyMap<string, string>): Mask {
  return (key, raw) => {
    const value = key === undefined ? undefined : shown.get(key);
    if (key === undefined || value === undefined) return MASKED;
    const { doc, warnings } = parse(`${key}=${raw}\n`);
    return warnings.length === 0 && entries(doc).get(key) === value ? raw : MASKED;
  };
}

/**
 * The hunks of a line diff from `oldText` to `newText`, masked. Uses Myers' O(ND)
 * algorithm in linear space, so the script is a shortest one and a long file with every
 * line changed still diffs quickly. No hunks when the texts are equal.
 */
export function diffHunks(oldText: string, newText: string, opts: DiffOptions = {}): Hunk[] {
  const mask = opts.mask ?? (() => MASKED);
  const before = splitLines(oldText);
  const after = splitLines(newText);
  const shown = { old: maskLines(before, mask), new: maskLines(after, mask) };
  const script = editScript(before, after);
  const lines = script.map((op): DiffLine => {
    const raw = op.kind === "+" ? after[op.newIndex]! : before[op.oldIndex]!;
    return { kind: op.kind, text: displayed(op, shown, mask, raw), noNewline: !raw.endsWith("\n") };
  });
  return groupHunks(script, lines, opts.context ?? 3);
}

/** {@link diffHunks} rendered as unified-diff text (each line ending in `\n`); `""` when equal. */
export function renderDiff(oldText: string, newText: string, opts: DiffOptions = {}): string {
  const hunks = diffHunks(oldText, newText, opts);
  if (hunks.length === 0) return "";
  const out = opts.labels === undefined ? [] : [`--- ${opts.labels.old}`, `+++ ${opts.labels.new}`];
  for (const hunk of hunks) {
    out.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`);
    for (const line of hunk.lines) {
      out.push(`${line.kind}${line.text}`);
      if (line.noNewline) out.push("\\ No newline at end of file");
    }
  }
  return `${out.join("\n")}\n`;
}

/** Which keys were added, changed (different value) or removed between two variable sets. */
export function summarizeChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ChangeSummary {
  const summary: ChangeSummary = { added: [], changed: [], removed: [] };
  for (const [key, value] of after) {
    if (!before.has(key)) summary.added.push(key);
    else if (before.get(key) !== value) summary.changed.push(key);
  }
  for (const key of before.keys()) if (!after.has(key)) summary.removed.push(key);
  summary.added.sort();
  summary.changed.sort();
  summary.removed.sort();
  return summary;
}

// ---------------------------------------------------------------------------------------
// Masking

/** `KEY=`, `export KEY =`, `KEY: ` — the forms dotenv accepts; group 1 is what is shown. */
const ASSIGNMENT = /^(\s*(?:export\s+)?([\w.-]+)\s*(?:=|:(?=\s|$)))(.*)$/;
const COMMENT = /^(\s*#\s*)(.*)$/;
const QUOTES = new Set(['"', "'", "`"]);

/** Each line as displayed; needs the whole text because a quoted value may span lines. */
function maskLines(lines: readonly string[], mask: Mask): string[] {
  let open: { quote: string; key: string } | undefined;
  return lines.map((raw) => {
    const text = withoutTerminator(raw);
    if (open !== undefined) {
      if (closingQuote(text, 0, open.quote) >= 0) {
        const key = open.key;
        open = undefined;
        return mask(key, text);
      }
      return mask(open.key, text);
    }
    const assignment = ASSIGNMENT.exec(text);
    if (assignment !== null) {
      const [, head, key, value] = assignment as unknown as [string, string, string, string];
      open = openQuote(value, key);
      return head + mask(key, value);
    }
    return maskOther(text, mask);
  });
}

function maskOther(text: string, mask: Mask): string {
  if (text.trim() === "") return text;
  const comment = COMMENT.exec(text);
  if (comment === null) return mask(undefined, text);
  const assignment = ASSIGNMENT.exec(comment[2]!);
  return assignment === null ? text : comment[1]! + assignment[1]! + mask(assignment[2]!, assignment[3]!);
}

/** The quote a value opens and does not close on its line, i.e. a multi-line value. */
function openQuote(value: string, key: string): { quote: string; key: string } | undefined {
  const start = value.length - value.trimStart().length;
  const quote = value[start] ?? "";
  if (!QUOTES.has(quote) || closingQuote(value, start + 1, quote) >= 0) return undefined;
  return { quote, key };
}

/** dotenv lets `\"` stand inside double quotes only. */
function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (quote === '"' && text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/** A context line is the same text on both sides but may be masked differently (a quote opened above it changed). */
function displayed(op: Op, shown: { old: string[]; new: string[] }, mask: Mask, raw: string): string {
  if (op.kind === "+") return shown.new[op.newIndex]!;
  const old = shown.old[op.oldIndex]!;
  if (op.kind === "-" || old === shown.new[op.newIndex]) return old;
  return mask(undefined, withoutTerminator(raw));
}

// ---------------------------------------------------------------------------------------
// Lines and hunks

function splitLines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

function withoutTerminator(line: string): string {
  return line.replace(/\r?\n$/, "");
}

interface Op {
  kind: " " | "-" | "+";
  /** Index of this old line, or for an insertion the number of old lines before it. */
  oldIndex: number;
  /** Index of this new line, or for a deletion the number of new lines before it. */
  newIndex: number;
}

function editScript(before: readonly string[], after: readonly string[]): Op[] {
  const ids = new Map<string, number>();
  const code = (line: string): number => ids.get(line) ?? ids.set(line, ids.size).size - 1;
  const a = Int32Array.from(before, code);
  const b = Int32Array.from(after, code);
  const keptA = new Uint8Array(a.length);
  const keptB = new Uint8Array(b.length);
  align(a, b, { left: 0, top: 0, right: a.length, bottom: b.length }, keptA, keptB);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && keptA[i] === 0) ops.push({ kind: "-", oldIndex: i++, newIndex: j });
    else if (j < b.length && keptB[j] === 0) ops.push({ kind: "+", oldIndex: i, newIndex: j++ });
    else ops.push({ kind: " ", oldIndex: i++, newIndex: j++ });
  }
  return ops;
}

function groupHunks(script: readonly Op[], lines: readonly DiffLine[], context: number): Hunk[] {
  const hunks: Hunk[] = [];
  let i = 0;
  while (i < script.length) {
    if (script[i]!.kind === " ") {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    const stop = Math.min(script.length, lastChangeOfGroup(script, i, context) + 1 + context);
    hunks.push(hunkOf(script.slice(start, stop), lines.slice(start, stop)));
    i = stop;
  }
  return hunks;
}

/** Changes separated by at most 2 × context unchanged lines share a hunk. */
function lastChangeOfGroup(script: readonly Op[], from: number, context: number): number {
  let last = from;
  let equalRun = 0;
  for (let i = from; i < script.length && equalRun <= 2 * context; i++) {
    if (script[i]!.kind === " ") equalRun++;
    else {
      last = i;
      equalRun = 0;
    }
  }
  return last;
}

function hunkOf(script: readonly Op[], lines: DiffLine[]): Hunk {
  const first = script[0]!;
  const oldLines = script.filter((op) => op.kind !== "+").length;
  const newLines = script.filter((op) => op.kind !== "-").length;
  // An empty side names the line before the change, as diff(1) does.
  return {
    oldStart: first.oldIndex + (oldLines > 0 ? 1 : 0),
    oldLines,
    newStart: first.newIndex + (newLines > 0 ? 1 : 0),
    newLines,
    lines,
  };
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

// ---------------------------------------------------------------------------------------
// Myers' diff, linear-space variant (Myers 1986, §4b; layout after J. Coglan's write-up)

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Point {
  x: number;
  y: number;
}

/** Marks in keptA/keptB the lines of a longest common subsequence of a and b within box. */
function align(a: Int32Array, b: Int32Array, box: Box, keptA: Uint8Array, keptB: Uint8Array): void {
  let { left, top, right, bottom } = box;
  while (left < right && top < bottom && a[left] === b[top]) keptA[left++] = keptB[top++] = 1;
  while (left < right && top < bottom && a[right - 1] === b[bottom - 1]) keptA[--right] = keptB[--bottom] = 1;
  if (left === right || top === bottom) return;
  // With both ends trimmed the edit distance is at least 2, so each part below is smaller.
  const [start, finish] = midpoint(a, b, { left, top, right, bottom });
  align(a, b, { left, top, right: start.x, bottom: start.y }, keptA, keptB);
  align(a, b, { left: start.x, top: start.y, right: finish.x, bottom: finish.y }, keptA, keptB);
  align(a, b, { left: finish.x, top: finish.y, right, bottom }, keptA, keptB);
}

/** The middle snake of a shortest path through box: searched from both corners until they overlap. */
function midpoint(a: Int32Array, b: Int32Array, box: Box): [Point, Point] {
  const delta = box.right - box.left - (box.bottom - box.top);
  const max = Math.ceil((box.right - box.left + box.bottom - box.top) / 2);
  const offset = max + 1;
  const forward = new Int32Array(2 * max + 3);
  const backward = new Int32Array(2 * max + 3);
  forward[offset + 1] = box.left;
  backward[offset + 1] = box.bottom;
  for (let d = 0; d <= max; d++) {
    const snake =
      forwardStep(a, b, box, { forward, backward, offset, delta }, d) ??
      backwardStep(a, b, box, { forward, backward, offset, delta }, d);
    if (snake !== undefined) return snake;
  }
  throw new Error("diff: no middle snake (unreachable)");
}

interface Frontiers {
  /** Furthest x reached on each diagonal k = (x - left) - (y - top), stored at k + offset. */
  forward: Int32Array;
  /** Furthest (smallest) y reached backwards on each diagonal c = k - delta, at c + offset. */
  backward: Int32Array;
  offset: number;
  delta: number;
}

function forwardStep(a: Int32Array, b: Int32Array, box: Box, f: Frontiers, d: number): [Point, Point] | undefined {
  const { forward: v, backward, offset, delta } = f;
  for (let k = d; k >= -d; k -= 2) {
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
    const px = down ? v[offset + k + 1]! : v[offset + k - 1]!;
    let x = down ? px : px + 1;
    let y = box.top + (x - box.left) - k;
    const py = d === 0 || !down ? y : y - 1;
    while (x < box.right && y < box.bottom && a[x] === b[y]) {
      x++;
      y++;
    }
    v[offset + k] = x;
    const c = k - delta;
    if (delta % 2 !== 0 && c >= -(d - 1) && c <= d - 1 && y >= backward[offset + c]!) {
      return [{ x: px, y: py }, { x, y }];
    }
  }
  return undefined;
}

function backwardStep(a: Int32Array, b: Int32Array, box: Box, f: Frontiers, d: number): [Point, Point] | undefined {
  const { forward, backward: v, offset, delta } = f;
  for (let c = d; c >= -d; c -= 2) {
    const up = c === -d || (c !== d && v[offset + c - 1]! > v[offset + c + 1]!);
    const py = up ? v[offset + c + 1]! : v[offset + c - 1]!;
    let y = up ? py : py - 1;
    const k = c + delta;
    let x = box.left + (y - box.top) + k;
    const px = d === 0 || !up ? x : x + 1;
    while (x > box.left && y > box.top && a[x - 1] === b[y - 1]) {
      x--;
      y--;
    }
    v[offset + c] = y;
    if (delta % 2 === 0 && k >= -d && k <= d && x <= forward[offset + k]!) {
      return [{ x, y }, { x: px, y: py }];
    }
  }
  return undefined;
}
