// The specification of which values .env syntax can hold, written independently of
// src/model/dotenv/quote.ts so that tests compare the two.

const bare = (value: string, quote: string): boolean => {
  for (let i = 0; i < value.length; i++) if (value[i] === quote && (i === 0 || value[i - 1] !== "\\")) return true;
  return false;
};

/** Whether the value can be written with `quote` ("" = unquoted) so that dotenv reads it back. */
export function fitsQuote(value: string, quote: "" | "'" | '"' | "`"): boolean {
  if (quote === "") {
    // A quote after U+2028/U+2029 would be stripped: dotenv's regex takes them for line breaks.
    return value === "" || !(/[\r\n#]/.test(value) || /(^|[\u2028\u2029])['"`]/.test(value) || /^\s|\s$/.test(value));
  }
  if (value.endsWith("\\") || bare(value, quote)) return false;
  return quote === '"' ? !/\\[nr]/.test(value) : !value.includes("\r");
}

/** Values no way of writing can hold: `set` must refuse exactly these. */
export function unwritable(value: string): boolean {
  return (["", "'", '"', "`"] as const).every((quote) => !fitsQuote(value, quote));
}

/**
 * Whether the value can be written with `quote` so that dotenv reads it back and a POSIX
 * shell sourcing the file (bash, dash) reads exactly it and runs nothing: unquoted only
 * characters no shell interprets, single quotes anything but `'`, double quotes nothing a
 * shell interprets there (`$`, backtick, `\`, `"`), backticks never. A shell drops NUL, and
 * a carriage return survives only as dotenv's `\r` escape, which a shell does not know.
 */
export function fitsShellQuote(value: string, quote: "" | "'" | '"' | "`"): boolean {
  if (!fitsQuote(value, quote) || /[\0\r]/.test(value)) return false;
  if (quote === "") return /^[A-Za-z0-9_@%+=:,./-]*$/.test(value);
  if (quote === "'") return !value.includes("'");
  return quote === '"' && !/[$`\\"]/.test(value);
}

/** Values no shell-safe way of writing can hold: shell-safe writing must refuse exactly these. */
export function shellUnwritable(value: string): boolean {
  return (["", "'", '"'] as const).every((quote) => !fitsShellQuote(value, quote));
}
