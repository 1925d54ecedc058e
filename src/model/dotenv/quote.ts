/**
 * Writing values so that both our parser and `dotenv.parse` read them back exactly and,
 * when shell-safe (the default), so that a POSIX shell sourcing the file
 * (`set -a; . ./.env`, bash or dash) assigns exactly the value and runs nothing.
 *
 * What each way of writing can hold for dotenv (it has no escapes except `\n` and `\r`
 * inside double quotes, and keeps every backslash it does not expand):
 * - unquoted: no line break, no `#`, no leading or trailing whitespace, no quote first or
 *   right after U+2028 / U+2029 (dotenv's regex takes those for line breaks);
 * - 'single' and `backtick`: no carriage return (line breaks read back as LF), and the
 *   quote itself only right after a backslash (dotenv steps over `\'` but keeps the `\`);
 * - "double": LF and CR written as `\n` and `\r`; `"` only right after a backslash; never
 *   the text `\n` or `\r` itself, which would turn into a line break.
 * A quoted value must not end with a backslash: the closing quote would then be escaped,
 * and where the value ends would depend on quotes further down the file.
 *
 * What a shell takes away (shell-safe writing):
 * - unquoted: only `[A-Za-z0-9_@%+=:,./-]`, none of which starts an expansion, a glob, a
 *   quote, a comment or an operator (`~` is left out: after `=` or `:` it is a tilde
 *   expansion);
 * - 'single': no `'` at all, escaped or not, as a shell ends the quotes at the next one;
 * - "double": none of `$`, `` ` ``, `\` and `"`, which a shell interprets there, so no
 *   `\n` / `\r` escapes either: line feeds are written as they are;
 * - `backtick`: never, a shell runs what is inside;
 * - nowhere a NUL, which shells drop, or a carriage return, which dotenv reads as a line
 *   break unless written `\r`.
 *
 * Values none of these can hold are refused. For dotenv alone they need quotes and either
 * end with a backslash, or hold a carriage return or an unescaped `'` and `` ` ``, together
 * with an unescaped `"` or the text `\n` / `\r`. Shell-safe, they hold a carriage return or
 * a NUL, end with a backslash, or hold `'` together with one of `$`, `` ` ``, `\`, `"`.
 */
import { UsageError, ValidationFailed } from "../../errors.js";
import type { Quote } from "./document.js";
import { isKey, isShellName } from "./document.js";

/** How a value is written. `rawNewlines` keeps line feeds in double quotes as real line breaks instead of `\n`. */
export interface Style {
  readonly quote: Quote;
  readonly rawNewlines: boolean;
}

/** What the text written must mean besides what `dotenv.parse` reads. */
export interface WriteOptions {
  /**
   * Shell-safe: a POSIX shell sourcing the file (`set -a; . ./.env`, bash or dash) also
   * assigns exactly the value and runs nothing. Default `true`. `false` writes for dotenv
   * alone, which holds more values (a carriage return, or `'` with `$`), for files no shell
   * reads.
   */
  readonly shellSafe?: boolean;
}

/** The simplest first: unquoted, single, double, backtick. */
const PREFERENCE: readonly Style[] = [
  { quote: "", rawNewlines: false },
  { quote: "'", rawNewlines: false },
  { quote: '"', rawNewlines: false },
  { quote: "`", rawNewlines: false },
];

const BACKSLASH = 0x5c;
const SHELL_INERT = /^[A-Za-z0-9_@%+=:,./-]*$/;
const SHELL_SPECIAL_IN_DOUBLE = /[$`\\"]/;
const SHELL_NOWHERE = /[\0\r]/;

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

/** Whether a shell reads `value` written with `quote` as exactly `value`, running nothing. */
function shellReads(value: string, quote: Quote): boolean {
  if (SHELL_NOWHERE.test(value)) return false;
  if (quote === "") return SHELL_INERT.test(value);
  if (quote === "'") return !value.includes("'");
  return quote === '"' && !SHELL_SPECIAL_IN_DOUBLE.test(value);
}

/**
 * `value` written in `style` (quotes included), or `undefined` when that style cannot hold
 * it. Line breaks written as they are use `eol`.
 */
export function encodeValue(value: string, style: Style, eol: string, shellSafe: boolean): string | undefined {
  const { quote } = style;
  if (shellSafe && !shellReads(value, quote)) return undefined;
  if (quote === "") return needsQuotes(value) ? undefined : value;
  if (value.endsWith("\\") || hasBareQuote(value, quote)) return undefined;
  if (quote === '"') {
    if (/\\[nr]/.test(value)) return undefined;
    // A shell reads the escape `\n` as two characters.
    const lineFeed = style.rawNewlines || shellSafe ? eol : "\\n";
    return `"${value.replace(/\r/g, "\\r").replace(/\n/g, lineFeed)}"`;
  }
  if (value.includes("\r")) return undefined;
  return `${quote}${value.replace(/\n/g, eol)}${quote}`;
}

/**
 * The styles that can write `value`, `preferred` first when it can, then from the
 * simplest. Empty when nothing can.
 */
export function stylesFor(value: string, shellSafe: boolean, preferred?: Style): Style[] {
  const order = preferred === undefined ? PREFERENCE : [preferred, ...PREFERENCE.filter((s) => s.quote !== preferred.quote)];
  return order.filter((style) => encodeValue(value, style, "\n", shellSafe) !== undefined);
}

function quoteProblem(value: string, quote: string): string {
  if (quote === '"') return hasBareQuote(value, quote) ? 'an unescaped "' : "the text \\n or \\r (dotenv turns it into a line break)";
  return value.includes("\r") ? "a carriage return" : `an unescaped ${quote}`;
}

/** Why no way of writing holds `value` for dotenv. */
function dotenvProblem(value: string): string {
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
  return `cannot be written in .env syntax: it needs quotes (${reason}) ${why}`;
}

/** Why no way of writing holds `value` for both dotenv and a shell. */
function shellProblem(value: string): string {
  const why = value.includes("\r")
    ? "it holds a carriage return, which dotenv reads as a line break unless written as the escape \\r, which a shell does not know"
    : value.includes("\0")
      ? "it holds a NUL character, which a shell drops"
      : value.endsWith("\\")
        ? "it ends with a backslash: a shell needs it quoted, double quotes cannot hold it for a shell, and in single quotes it would escape the closing quote for dotenv"
        : "it holds ', which single quotes cannot hold for a shell, and also $, `, \\ or \", which a shell interprets in double quotes";
  return `cannot be written in a .env file that both dotenv and a shell (set -a; . ./.env) read exactly: ${why}`;
}

/** The error for a value no style can write; names the key (when there is one), never the value. */
export function unwritable(value: string, shellSafe: boolean, key?: string): ValidationFailed {
  const subject = key === undefined ? "this value" : `the value of ${key}`;
  const hints = ["store the value encoded (for example base64), or change the characters named above"];
  if (shellSafe) hints.push("`vault run -- <command>` passes any value to a command exactly, without a file");
  return new ValidationFailed(`${subject} ${shellSafe ? shellProblem(value) : dotenvProblem(value)}`, {
    data: key === undefined ? {} : { key },
    hints,
  });
}

/**
 * Throws a UsageError unless `key` is a valid dotenv key (`[A-Za-z0-9_.-]+`) and, shell-safe,
 * a name a shell can assign (`[A-Za-z_][A-Za-z0-9_]*`): to a shell, `a.b=1` is a command.
 */
export function assertKey(key: string, shellSafe: boolean): void {
  if (shellSafe ? isShellName(key) : isKey(key)) return;
  throw new UsageError(`${JSON.stringify(key)} cannot be a key in a .env file${shellSafe ? " that a shell reads" : ""}`, {
    data: { key },
    hints: [shellSafe ? "keys use letters, digits and _, and do not start with a digit" : "keys use letters, digits, _, . and -"],
  });
}

/** Whether `options` ask for shell-safe writing, the default. */
export function isShellSafe(options: WriteOptions): boolean {
  return options.shellSafe ?? true;
}

/**
 * The right-hand side that writes `value` in the simplest way that reads back exactly:
 * unquoted, else 'single', else "double" (dotenv alone: with `\n` / `\r` escapes; shell-safe:
 * with line feeds as they are), else, for dotenv alone, `backtick`. Line breaks written as
 * they are use `eol` (default LF); `key`, when given, is named in the error.
 * @throws ValidationFailed when no way of writing can hold the value.
 */
export function quoteValue(value: string, options: WriteOptions & { readonly eol?: string; readonly key?: string } = {}): string {
  const shellSafe = isShellSafe(options);
  const [style] = stylesFor(value, shellSafe);
  if (style === undefined) throw unwritable(value, shellSafe, options.key);
  return encodeValue(value, style, options.eol ?? "\n", shellSafe)!;
}

/**
 * One `KEY=value` line (without its line ending), quoted as {@link quoteValue} does.
 * @throws UsageError for an invalid key; ValidationFailed for a value that cannot be written.
 */
export function formatAssignment(key: string, value: string, options: WriteOptions & { readonly eol?: string } = {}): string {
  assertKey(key, isShellSafe(options));
  return `${key}=${quoteValue(value, { ...options, key })}`;
}
