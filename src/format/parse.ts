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
const BLANK = new RegExp(`^${WS}*$`);
const COMMENT = new RegExp(`^${WS}*#`);
// The start of dotenv's LINE regex, confined to one line: `\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)`.
const HEAD = new RegExp(`^(${WS}*)(?:(export${WS}+))?(${KEY_PATTERN})(${WS}*=|:${WS})`);
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
  private readonly assignedAt = new Map<string, number>();
  private pending: Opaque | undefined;
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
      const content = text.slice(start, line.end);
      if (BLANK.test(content)) {
        this.push({ kind: "blank", raw: text.slice(start, line.next), line: this.line, eol: line.eol }, line);
      } else if (COMMENT.test(content)) {
        if (LINE_SEPARATOR.test(content)) {
          this.opaque(start, line, 0, "a comment holding U+2028 or U+2029, which dotenv reads as a line break", false);
        } else {
          this.push({ kind: "comment", raw: text.slice(start, line.next), line: this.line, eol: line.eol }, line);
        }
      } else {
        const head = HEAD.exec(content);
        if (head !== null) {
          this.assignment(start, line, head);
        } else {
          const dangling = DANGLING_COLON.test(content);
          const reason = dangling
            ? "`KEY:` ends the line; dotenv would take the next line as its value"
            : "not a KEY=value line, a comment or a blank line";
          this.opaque(start, line, 0, reason, !dangling);
        }
      }
    }
    this.flush();
    return { doc: { bom: this.bom, nodes: this.nodes }, warnings: this.warnings };
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
   * the first) verbatim. A line that does not even start like an assignment joins the block
   * before it, so a broken multi-line value gives one block and one warning.
   */
  private opaque(start: number, last: Line, extraLines: number, reason: string, continues: boolean): void {
    const endLine = this.line + extraLines;
    if (continues && this.pending !== undefined && this.pending.end === start) {
      Object.assign(this.pending, { end: last.next, endLine, eol: last.eol });
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
    const where = line === endLine ? `line ${line} cannot be parsed` : `lines ${line}–${endLine} cannot be parsed`;
    this.warnings.push({ kind: "opaque", line, endLine, message: `${where} (${reason}); kept as written` });
  }

  private assignment(start: number, line: Line, head: RegExpExecArray): void {
    const { text } = this;
    const [matched, indent = "", exportPrefix = "", key = "", separator = ""] = head;
    const valueStart = start + matched.length;
    let first = valueStart;
    while (first < line.end && isSpace(text.charCodeAt(first))) first++;
    const quote = text[first];
    const parts = { key, indent, exportPrefix, separator, gap: text.slice(valueStart, first) };
    if (first < line.end && (quote === "'" || quote === '"' || quote === "`")) {
      this.quoted(start, line, parts, first, quote);
      return;
    }
    const content = text.slice(valueStart, line.end);
    const hash = content.indexOf("#");
    const valueText = hash === -1 ? content : content.slice(0, hash);
    const comment = hash === -1 ? "" : content.slice(hash);
    if (LINE_SEPARATOR.test(comment)) {
      this.opaque(start, line, 0, "an inline comment holding U+2028 or U+2029, which dotenv reads as a line break", false);
      return;
    }
    const body = valueText.trim();
    if (QUOTE_AFTER_SEPARATOR.test(body)) {
      this.opaque(start, line, 0, "a quote right after U+2028 or U+2029 in an unquoted value, which dotenv would strip", false);
      return;
    }
    const gap = body === "" ? "" : parts.gap;
    const after = valueText.slice(gap.length + body.length) + comment;
    this.add({ ...parts, quote: "", gap, body, after, value: body, raw: text.slice(start, line.next), eol: line.eol }, line, 1);
  }

  private quoted(
    start: number,
    line: Line,
    parts: Pick<Assignment, "key" | "indent" | "exportPrefix" | "separator" | "gap">,
    opener: number,
    quote: Exclude<Quote, "">,
  ): void {
    const { text } = this;
    const closer = findClosingQuote(text, opener, quote);
    if (closer === -1) {
      this.unterminated(start, line, parts.key, opener, quote);
      return;
    }
    const last = this.lineAt(closer + 1);
    const extraLines = this.countBreaks(opener, closer);
    const after = text.slice(closer + 1, last.end);
    if (!AFTER_QUOTE.test(after)) {
      const reason = `text after the closing quote of ${parts.key}'s value follows U+2028 or U+2029, which dotenv reads as a line break`;
      this.opaque(start, last, extraLines, reason, false);
      return;
    }
    const body = text.slice(opener + 1, closer);
    const node = { ...parts, quote, body, after, value: decode(body, quote), raw: text.slice(start, last.next), eol: last.eol };
    this.add(node, last, extraLines + 1);
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
    if (text.startsWith(PEM_BEGIN, opener + 1)) {
      for (let at = line.next, lines = 1; at < text.length; lines++) {
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
    }
    this.opaque(start, last, extraLines, reason, false);
  }

  private add(fields: Omit<Assignment, "kind" | "line">, last: Line, lines: number): void {
    const node: Assignment = { kind: "assignment", line: this.line, ...fields };
    const earlier = this.assignedAt.get(node.key);
    if (earlier !== undefined) {
      this.warnings.push({
        kind: "duplicate",
        line: node.line,
        key: node.key,
        message: `${node.key} is assigned on line ${earlier} and again on line ${node.line}; line ${node.line} wins`,
      });
    }
    this.assignedAt.set(node.key, node.line);
    this.push(node, last, lines);
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
