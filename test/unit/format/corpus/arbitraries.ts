// fast-check generators for .env text: adversarial soups and well-formed files.
import fc from "fast-check";

/** Pieces that exercise every decision of the parser when joined at random. */
const SOUP_PIECES = [
  "A", "B", "_1", "K.x-y", "export", "export ", "=", " = ", ":", ": ", "\"", "'", "`", "#", " # ",
  "\\", "\\n", "\\r", "\\\"", "\\'", " ", "\t", "\n", "\r\n", "\r", "\u2028", "\u2029", "\u00a0", "\uFEFF",
  "x", "é", "😀", "\0", "$", "${A}", "{", "}", "-----BEGIN X-----", "-----END X-----", "QUJD==",
];

/** Random junk made of .env syntax fragments. */
export const soup: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...SOUP_PIECES), { maxLength: 40 })
  .map((pieces) => pieces.join(""));

const BREAKS = ["\n", "\r\n", "\r"];

/** Lines that mostly start like assignments, with junk after the separator, joined by any line endings. */
export const lineSoup: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom("", " ", "export ", "\t", "# ", "\u2028"),
      fc.constantFrom("A", "B", "K.x-y", "export", ""),
      fc.constantFrom("=", " = ", ": ", ":", "", " "),
      fc.array(fc.constantFrom(...SOUP_PIECES.filter((p) => !BREAKS.includes(p))), { maxLength: 5 }),
      fc.constantFrom(...BREAKS),
    ),
    { maxLength: 5 },
  )
  .map((lines) => lines.map(([start, k, sep, value, eol]) => start + k + sep + value.join("") + eol).join(""));

/** Quotes, backslashes and line breaks of every kind: where quoted values end. */
export const quoteSoup: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom("A=", "B=", "\"", "'", "`", "\\", "#", " ", "\n", "\r\n", "\r", "x", "\u2028", "\u2029", "\u00a0", "export ", ":", ": "),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join(""));

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Every kind of string a file could hold once decoded. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: soup },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: codeUnit, maxLength: 60 }) },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), soup).map(([bom, s]) => (bom ? "\uFEFF" : "") + s) },
  { weight: 1, arbitrary: fc.tuple(soup, fc.integer({ min: 50, max: 400 })).map(([s, n]) => s.repeat(n)) },
);

/** Values with every character that makes writing one hard. */
export const trickyValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      "a", "Z", "0", " ", "\t", "\n", "\r", "\r\n", "'", "\"", "`", "#", "$", "${X}", "\\", "\\n", "\\r",
      "=", "é", "😀", "\u2028", "\u00a0", "\uFEFF", "\0", "{", "}", ":",
    ),
    maxLength: 12,
  }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,6}$/);
const ws = fc.constantFrom("", " ", "  ", "\t");
const commentText = fc.string({ unit: fc.constantFrom("a", " ", "#", "'", "\"", "=", "é", "😀", "\\"), maxLength: 10 });

/** A value written one of the four ways, from characters that cannot end it early. */
const writtenValue: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z0-9_./:@-]{0,10}$/),
  fc
    .tuple(fc.constantFrom("'", "\"", "`"), fc.array(fc.constantFrom("a", " ", "#", "=", "$", "é", "😀", "\n", "\r\n"), { maxLength: 8 }))
    .map(([q, chars]) => q + chars.join("") + q),
);

const assignmentLine = fc
  .tuple(ws, fc.boolean(), key, fc.constantFrom("=", " = ", "\t=", ": "), writtenValue, fc.option(commentText, { nil: undefined }), ws)
  .map(([indent, exported, k, sep, value, comment, trailing]) => {
    const after = comment === undefined ? trailing : ` #${comment}`;
    return `${indent}${exported ? "export " : ""}${k}${sep}${value}${after}`;
  });

const line = fc.oneof(
  { weight: 6, arbitrary: assignmentLine },
  { weight: 1, arbitrary: ws },
  { weight: 1, arbitrary: fc.tuple(ws, commentText).map(([indent, text]) => `${indent}#${text}`) },
);

/** A file whose every line parses: assignments (some duplicated), comments, blanks; any line endings; maybe a BOM. */
export const wellFormed: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.array(line, { maxLength: 12 }),
    fc.constantFrom("\n", "\r\n", "\r", "mixed"),
    fc.boolean(),
  )
  .map(([bom, lines, eol, finalEol]) => {
    const ending = (i: number) => (eol === "mixed" ? ["\n", "\r\n", "\r"][i % 3]! : eol);
    const body = lines.map((l, i) => l + (i < lines.length - 1 || finalEol ? ending(i) : "")).join("");
    return (bom ? "\uFEFF" : "") + body;
  });
