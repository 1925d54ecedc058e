/**
 * Writing values so that both our parser and `dotenv.parse` read them back exactly.
 *
 * What each way of writing can hold (dotenv has no escapes except `\n` and `\r` inside
 * double quotes, and keeps every backslash it does not expand):
 * - unquoted: no line break, no `#`, no leading or trailing whitespace, no quote first or
 *   right after U+2028 / U+2029 (dotenv's regex takes those for line breaks);
 * - 'single' and `backtick`: no carriage return (line breaks read back as LF), and the
 *   quote itself only right after a backslash (dotenv steps over `\'` but keeps the `\`);
 * - "double": LF and CR written as `\n` and `\r`; `"` only right after a backslash; never
 *   the text `\n` or `\r` itself, which would turn into a line break.
 * A quoted value must not end with a backslash: the closing quote would then be escaped,
 * and where the value ends would depend on quotes further down the file.
 *
 * Values none of these can hold need quotes and either end with a backslash, or hold a
 * carriage return or an unescaped `'` and `` ` ``, together with an unescaped `"` or the
 * text `\n` / `\r`. Writing them throws.
 */
import { UsageError, ValidationFailed } from "../errors.js";
import type { Quote } from "./document.js";
import { isKey } from "./document.js";

/** How a value is written. `rawNewlines` keeps line feeds in double quotes as real line breaks instead of `\n`. */
export interface Style {
  readonly quote: Quote;
  readonly rawNewlines: boolean;
}

/** The simplest first: unquoted, single, double, backtick. */
const PREFERENCE: readonly Style[] = [
  { quote: "", rawNewlines: false },
  { quote: "'", rawNewlines: false },
  { quote: '"', rawNewlines: false },
  { quote: "`", rawNewlines: false },
];

const BACKSLASH = 0x5c;

/** Whether `value` holds `quote` at a place not right after a backslash. */
function hasBareQuote(value: string, quote: string): boolean {
  for (let i = value.indexOf(quote); i !== -1; i = value.indexOf(quote, i + 1)) {
    if (i === 0 || value.charCodeAt(i - 1) !== BACKSLASH) return true;
  }
  return false;
}

function needsQuotes(value: string): boolean {
  return value !== "" && (/[\r\n#]|^['"`]|[\u2028\u2029]['"`]/.test(value) || value.trim() !== value);
}

/**
 * `value` written in `style` (quotes included), or `undefined` when that style cannot hold
 * it. Line breaks written as they are use `eol`.
 */
export function encodeValue(value: string, style: Style, eol: string): string | undefined {
  const { quote } = style;
  if (quote === "") return needsQuotes(value) ? undefined : value;
  if (value.endsWith("\\") || hasBareQuote(value, quote)) return undefined;
  if (quote === '"') {
    if (/\\[nr]/.test(value)) return undefined;
    return `"${value.replace(/\r/g, "\\r").replace(/\n/g, style.rawNewlines ? eol : "\\n")}"`;
  }
  if (value.includes("\r")) return undefined;
  return `${quote}${value.replace(/\n/g, eol)}${quote}`;
}

/**
 * The styles that can write `value`, `preferred` first when it can, then from the
 * simplest. Empty when nothing can.
 */
export function stylesFor(value: string, preferred?: Style): Style[] {
  const order = preferred === undefined ? PREFERENCE : [preferred, ...PREFERENCE.filter((s) => s.quote !== preferred.quote)];
  return order.filter((style) => encodeValue(value, style, "\n") !== undefined);
}

function quoteProblem(value: string, quote: string): string {
  if (quote === '"') return hasBareQuote(value, quote) ? 'an unescaped "' : "the text \\n or \\r (dotenv turns it into a line break)";
  return value.includes("\r") ? "a carriage return" : `an unescaped ${quote}`;
}

/** The error for a value no style can write; names the key (when there is one), never the value. */
export function unwritable(value: string, key?: string): ValidationFailed {
  const reason = /[\r\n]/.test(value)
    ? "it holds a line break"
    : value.includes("#")
      ? "it holds #"
      : value.trim() !== value
        ? "it has leading or trailing whitespace"
        : "it starts with a quote, or has one right after U+2028 or U+2029";
  const why = value.endsWith("\\")
    ? "and ends with a backslash, which would escape the closing quote"
    : `but single quotes cannot hold ${quoteProblem(value, "'")}, backticks cannot hold ${quoteProblem(value, "`")} and double quotes cannot hold ${quoteProblem(value, '"')}`;
  const subject = key === undefined ? "this value" : `the value of ${key}`;
  return new ValidationFailed(`${subject} cannot be written in .env syntax: it needs quotes (${reason}) ${why}`, {
    data: key === undefined ? {} : { key },
    hints: ["store the value encoded (for example base64), or change the characters named above"],
  });
}

/** Throws a UsageError unless `key` is a valid dotenv key (`[A-Za-z0-9_.-]+`). */
export function assertKey(key: string): void {
  if (!isKey(key)) {
    throw new UsageError(`${JSON.stringify(key)} cannot be a key in a .env file`, {
      data: { key },
      hints: ["keys use letters, digits, _, . and -"],
    });
  }
}

/**
 * The right-hand side that writes `value` in the simplest way that reads back exactly:
 * unquoted, else 'single', else "double" (with `\n` / `\r` escapes), else `backtick`.
 * Line breaks inside single or backtick quotes are written as `eol`; `key`, when given, is
 * named in the error.
 * @throws ValidationFailed when no way of writing can hold the value.
 */
export function quoteValue(value: string, eol = "\n", key?: string): string {
  const [style] = stylesFor(value);
  if (style === undefined) throw unwritable(value, key);
  return encodeValue(value, style, eol)!;
}

/**
 * One `KEY=value` line (without its line ending), quoted as {@link quoteValue} does.
 * @throws UsageError for an invalid key; ValidationFailed for a value that cannot be written.
 */
export function formatAssignment(key: string, value: string, eol = "\n"): string {
  assertKey(key);
  return `${key}=${quoteValue(value, eol, key)}`;
}
