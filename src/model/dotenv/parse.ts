/**
 * The `.env` parser. It reads exactly what `dotenv.parse` (npm dotenv 17) reads for every
 * line it accepts, and keeps every other line verbatim in an opaque block with a warning.
 *
 * dotenv matches one multi-line regex over the text (after turning CRLF and lone CR into
 * LF). Its `\s` also spans line breaks, which lets a key on one line take `=` or a quoted
 * value from the next; such lines are opaque here, so that a line means the same on its
 * own as in the file. The rules that decide where a quoted value ends are reproduced
 * exactly, because those decide which lines belong to which key.
 *
 * Every loop is linear: a quoted value's search for its closing quote stops at the next
 * unescaped quote of the same kind, and the next opening quote of that kind is never
 * before it, so the searches never overlap.
 */
import type { Assignment, EnvNode, LineEnding, ParseResult, ParseWarning, Quote } from "./document.js";
import { KEY_PATTERN } from "./document.js";

/** JavaScript whitespace (what dotenv's `\s` and `trim()` remove) other than CR and LF. */
const WS = "[^\\S\\r\\n]";
// The start of dotenv's LINE regex, confined to one line (no class here matches CR or LF):
// `\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)`.
const HEAD = new RegExp(`(${WS}*)(?:(export${WS}+))?(${KEY_PATTERN})(${WS}*=|:${WS})`, "y");
const DANGLING_COLON = new RegExp(`^${WS}*(?:export${WS}+)?${KEY_PATTERN}:$`);
// After a closing quote: whitespace, then maybe a comment that stays on this line even by
// the regex's idea of lines (which also ends them at U+2028 and U+2029).
const AFTER_QUOTE = new RegExp(`^${WS}*(?:#[^\\u2028\\u2029]*)?$`);
const LINE_SEPARATOR = /[\u2028\u2029]/;
// dotenv strips a pair of quotes from each regex line of a value (its quote regex has the
// `m` flag), so an unquoted value with a quote right after U+2028/U+2029 can lose quotes.
const QUOTE_AFTER_SEPARATOR = /[\u2028\u2029]['"`]/;
const BREAK = /\r\n?|\n/g;
const PEM_BEGIN = "-----BEGIN ";
const PEM_END = /^\s*-----END /;
const PEM_BODY = /^\s*(?:[A-Za-z0-9+/=]*|[A-Za-z-]+: .*)\s*$/;

const BACKSLASH = 0x5c;
const HASH = 0x23;

const QUOTE_NAMES: Record<Exclude<Quote, "">, string> = { "'": "single", '"': "double", "`": "backtick" };

/** Whether `code` is a character JavaScript's `\s` matches. */
function isSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function isRegexLineEnd(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/**
 * Whether dotenv's `\s*(?:#.*)?$` matches at `from`: whitespace reaching a line end, or
 * whitespace and then a `#` or the end of the text.
 */
function endsLine(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isRegexLineEnd(code) || code === HASH) return true;
    if (!isSpace(code)) return false;
  }
  return true;
}

/**
 * Where dotenv's `q(?:\\q|[^q])*q` followed by `\s*(?:#.*)?$` closes the quote opened at
 * `opener`, or -1. The regex may only step over quotes preceded by a backslash, tries the
 * first unescaped quote first, then backtracks through the escaped ones, last first.
 */
function findClosingQuote(text: string, opener: number, quote: string): number {
  const escaped: number[] = [];
  for (let i = text.indexOf(quote, opener + 1); i !== -1; i = text.indexOf(quote, i + 1)) {
    if (text.charCodeAt(i - 1) !== BACKSLASH) {
      if (endsLine(text, i + 1)) return i;
      break;
    }
    escaped.push(i);
  }
  for (let k = escaped.length - 1; k >= 0; k--) {
    const candidate = escaped[k]!;
    if (endsLine(text, candidate + 1)) return candidate;
  }
  return -1;
}

/** The value dotenv gives a quoted body: line breaks become LF; double quotes expand `\n` and `\r`. */
function decode(body: string, quote: Quote): string {
  const value = body.replace(/\r\n?/g, "\n");
  return quote === '"' ? value.replace(/\\n/g, "\n").replace(/\\r/g, "\r") : value;
}

interface Line {
  /** End of the line's content. */
  readonly end: number;
  /** Start of the next line. */
  readonly next: number;
  readonly eol: LineEnding;
}

/** An assignment's value as written, and the line it ends on. */
interface Written {
  readonly quote: Quote;
  readonly body: string;
  readonly value: string;
  readonly after: string;
  readonly last: Line;
  readonly lines: number;
}

interface Opaque {
  start: number;
  end: number;
  line: number;
  endLine: number;
  eol: LineEnding;
  reason: string;
}

class Parser {
  private readonly nodes: EnvNode[] = [];
  private readonly warnings: ParseWarning[] = [];
  private readonly firstAssigned = new Map<string, number>();
  /** Keys assigned more than once: one warning each, however often, so huge files stay small. */
  private readonly reassigned = new Map<string, { last: number; count: number }>();
  private pending: Opaque | undefined;
  /** Where the last search for a PEM block's END line gave up. */
  private pemFailsAt = -1;
  private pos: number;
  private line = 1;

  constructor(
    private readonly text: string,
    private readonly bom: boolean,
  ) {
    this.pos = bom ? 1 : 0;
  }

  run(): ParseResult {
    const { text } = this;
    while (this.pos < text.length) {
      const start = this.pos;
      const line = this.lineAt(start);
      const first = this.skipSpace(start, line.end);
      if (first === line.end) {
        this.push({ kind: "blank", raw: text.slice(start, line.next), line: this.line, eol: line.eol }, line);
      } else if (text.charCodeAt(first) === HASH) {
        if (LINE_SEPARATOR.test(text.slice(first, line.end))) {
          this.opaque(start, line, 0, "a comment holding U+2028 or U+2029, which dotenv reads as a line break");
        } else {
          this.push({ kind: "comment", raw: text.slice(start, line.next), line: this.line, eol: line.eol }, line);
        }
      } else {
        HEAD.lastIndex = start;
        const head = HEAD.exec(text);
        if (head !== null) {
          this.assignment(start, line, head);
        } else {
          const reason = DANGLING_COLON.test(text.slice(start, line.end))
            ? "`KEY:` ends the line; dotenv would take the next line as its value"
            : "not a KEY=value line, a comment or a blank line";
          this.opaque(start, line, 0, reason);
        }
      }
    }
    this.flush();
    for (const [key, { last, count }] of this.reassigned) {
      const first = this.firstAssigned.get(key)!;
      const where =
        count === 2
          ? `is assigned on line ${first} and again on line ${last}`
          : `is assigned ${count} times, first on line ${first} and last on line ${last}`;
      this.warnings.push({ kind: "duplicate", line: last, key, message: `${key} ${where}; line ${last} wins` });
    }
    return { doc: { bom: this.bom, nodes: this.nodes }, warnings: this.warnings.sort((a, b) => a.line - b.line) };
  }

  /** The first position from `from` that is not whitespace, or `end`. */
  private skipSpace(from: number, end: number): number {
    let at = from;
    while (at < end && isSpace(this.text.charCodeAt(at))) at++;
    return at;
  }

  private lineAt(from: number): Line {
    BREAK.lastIndex = from;
    const found = BREAK.exec(this.text);
    if (found === null) return { end: this.text.length, next: this.text.length, eol: "" };
    return { end: found.index, next: found.index + found[0].length, eol: found[0] as LineEnding };
  }

  private countBreaks(from: number, to: number): number {
    let count = 0;
    BREAK.lastIndex = from;
    for (let found = BREAK.exec(this.text); found !== null && found.index < to; found = BREAK.exec(this.text)) count++;
    return count;
  }

  /** Adds a node that ends with `last` and moves on past it. */
  private push(node: EnvNode, last: Line, lines = 1): void {
    this.flush();
    this.nodes.push(node);
    this.pos = last.next;
    this.line += lines;
  }

  /**
   * Keeps the text from `start` to the end of `last` (which spans `extraLines` lines after
   * the first) verbatim. Consecutive unreadable lines form one block with one warning, so a
   * broken region gives one message however many lines it has.
   */
  private opaque(start: number, last: Line, extraLines: number, reason: string): void {
    const endLine = this.line + extraLines;
    const block = this.pending;
    if (block !== undefined && block.end === start) {
      block.end = last.next;
      block.endLine = endLine;
      block.eol = last.eol;
    } else {
      this.flush();
      this.pending = { start, end: last.next, line: this.line, endLine, eol: last.eol, reason };
    }
    this.pos = last.next;
    this.line = endLine + 1;
  }

  private flush(): void {
    const block = this.pending;
    if (block === undefined) return;
    this.pending = undefined;
    const { line, endLine, reason } = block;
    this.nodes.push({ kind: "opaque", raw: this.text.slice(block.start, block.end), line, endLine, eol: block.eol, reason });
    const message =
      line === endLine
        ? `line ${line} cannot be parsed (${reason}); kept as written`
        : `lines ${line}–${endLine} cannot be parsed (line ${line}: ${reason}); kept as written`;
    this.warnings.push({ kind: "opaque", line, endLine, message });
  }

  private assignment(start: number, line: Line, head: RegExpExecArray): void {
    const { text } = this;
    const indent = head[1]!;
    const exportPrefix = head[2] ?? "";
    const key = head[3]!;
    const separator = head[4]!;
    const valueStart = start + head[0].length;
    const first = this.skipSpace(valueStart, line.end);
    const quote = text[first];
    const written =
      first < line.end && (quote === "'" || quote === '"' || quote === "`")
        ? this.quoted(start, line, key, first, quote)
        : this.unquoted(start, line, valueStart, first);
    if (written === undefined) return;
    const { last } = written;
    // One object literal of one shape for every assignment: it keeps large files fast.
    const node: Assignment = {
      kind: "assignment",
      raw: text.slice(start, last.next),
      line: this.line,
      eol: last.eol,
      key,
      value: written.value,
      indent,
      exportPrefix,
      separator,
      gap: written.body === "" && written.quote === "" ? "" : text.slice(valueStart, first),
      quote: written.quote,
      body: written.body,
      after: written.after,
    };
    if (!this.firstAssigned.has(key)) this.firstAssigned.set(key, node.line);
    else this.reassigned.set(key, { last: node.line, count: (this.reassigned.get(key)?.count ?? 1) + 1 });
    this.push(node, last, written.lines);
  }

  /**
   * The unquoted value from `first` (its first non-blank character) up to a `#` or the end
   * of the line, trimmed; or undefined when the line is kept opaque.
   */
  private unquoted(start: number, line: Line, valueStart: number, first: number): Written | undefined {
    const { text } = this;
    let hash = first;
    while (hash < line.end && text.charCodeAt(hash) !== HASH) hash++;
    if (hash < line.end && LINE_SEPARATOR.test(text.slice(hash, line.end))) {
      this.opaque(start, line, 0, "an inline comment holding U+2028 or U+2029, which dotenv reads as a line break");
      return undefined;
    }
    let end = hash;
    while (end > first && isSpace(text.charCodeAt(end - 1))) end--;
    const body = text.slice(first, end);
    if (QUOTE_AFTER_SEPARATOR.test(body)) {
      this.opaque(start, line, 0, "a quote right after U+2028 or U+2029 in an unquoted value, which dotenv would strip");
      return undefined;
    }
    const after = text.slice(body === "" ? valueStart : end, line.end);
    return { quote: "", body, value: body, after, last: line, lines: 1 };
  }

  /** The value quoted from `opener`, or undefined when the line is kept opaque. */
  private quoted(start: number, line: Line, key: string, opener: number, quote: Exclude<Quote, "">): Written | undefined {
    const { text } = this;
    const closer = findClosingQuote(text, opener, quote);
    if (closer === -1) {
      this.unterminated(start, line, key, opener, quote);
      return undefined;
    }
    const last = this.lineAt(closer + 1);
    const extraLines = this.countBreaks(opener, closer);
    const after = text.slice(closer + 1, last.end);
    if (!AFTER_QUOTE.test(after)) {
      const reason = `text after the closing quote of ${key}'s value follows U+2028 or U+2029, which dotenv reads as a line break`;
      this.opaque(start, last, extraLines, reason);
      return undefined;
    }
    const body = text.slice(opener + 1, closer);
    return { quote, body, value: decode(body, quote), after, last, lines: extraLines + 1 };
  }

  /**
   * A quote that dotenv never sees closed (it would take the rest of the line literally,
   * quote included). Only this line is kept opaque, so the lines after it still parse;
   * a PEM block (`-----BEGIN …` to `-----END …`) is kept whole, as its base64 lines could
   * otherwise read as `KEY=` lines.
   */
  private unterminated(start: number, line: Line, key: string, opener: number, quote: Exclude<Quote, "">): void {
    const { text } = this;
    const closedOnLine = text.indexOf(quote, opener + 1);
    const reason =
      closedOnLine !== -1 && closedOnLine < line.end
        ? `${key}'s value has text after its closing ${QUOTE_NAMES[quote]} quote`
        : `${key}'s value opens a ${QUOTE_NAMES[quote]} quote that is never closed`;
    let last = line;
    let extraLines = 0;
    // A scan that found no END fails the same way for every BEGIN line it passed over;
    // skipping those keeps a file of such lines linear.
    if (text.startsWith(PEM_BEGIN, opener + 1) && line.next > this.pemFailsAt) {
      let at = line.next;
      for (let lines = 1; at < text.length; lines++) {
        const next = this.lineAt(at);
        const content = text.slice(at, next.end);
        if (PEM_END.test(content)) {
          last = next;
          extraLines = lines;
          break;
        }
        if (!PEM_BODY.test(content)) break;
        at = next.next;
      }
      if (last === line) this.pemFailsAt = at;
    }
    this.opaque(start, last, extraLines, reason);
  }
}

/**
 * Parses `.env` text into a lossless document: `print(parse(text).doc) === text` for every
 * string. `text` is already decoded (the I/O layer turns bytes into a string and deals
 * with invalid UTF-8); a leading U+FEFF is recorded as `bom`. Never throws: lines it
 * cannot read become opaque blocks with a warning.
 */
export function parse(text: string): ParseResult {
  return new Parser(text, text.charCodeAt(0) === 0xfeff).run();
}
