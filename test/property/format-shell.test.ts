/**
 * What the vault writes into a target is shell-safe: `set -a; . ./.env` in bash and in dash
 * assigns exactly what `dotenv.parse` reads and runs nothing. Values carry canary commands
 * (`$(touch CANARY)`, `` `touch CANARY` ``, `;touch CANARY`, …): the file they create must
 * never appear. Each batch is one file of many keys, sourced by one bash and one dash.
 * 30 batches by default; ENVVAULT_LONG=1 runs 500.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { VaultError } from "../../src/errors.js";
import type { Assignment, EnvDocument, Quote } from "../../src/model/dotenv/index.js";
import { entries, formatAssignment, get, parse, print, set } from "../../src/model/dotenv/index.js";
import { wellFormed } from "../unit/format/corpus/arbitraries.js";
import { dotenvEntries, sorted } from "../unit/format/corpus/dotenv.js";
import { CANARIES, SHELLS, source } from "../unit/format/corpus/shell.js";
import { fitsShellQuote, shellUnwritable } from "../unit/format/corpus/writable.js";

const LONG = process.env.ENVVAULT_LONG === "1";
const BATCHES = LONG ? 500 : 30;
const EDITS = LONG ? 20_000 : 2000;

/** What a refused key is set to instead, so that the file stays whole. */
const FALLBACK = "refused";
/** Longer than any key the generated files use. */
const NEW_KEY = "NEW_KEY_X";

/** The documented preference: unquoted, single, double; never backticks. */
const simplestShellQuote = (value: string) => (["", "'", '"'] as const).find((q) => fitsShellQuote(value, q));

const value: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.constantFrom(
          "a", "Z", "0", "_", " ", "\t", "\n", "\r", "\r\n", "'", '"', "`", "$", "$X", "${X}", "\\", "\\n", "\\r",
          ";", "|", "&", "(", ")", "*", "?", "[", "]", "{", "}", "~", "!", "#", "=", ":", "@", "%", "+", ",", ".",
          "/", "-", "<", ">", "^", "é", "😀", "\u2028", "\u2029", "\u00a0", "\uFEFF", "\0", "\x01", "\x7f",
          ...CANARIES,
        ),
        { maxLength: 10 },
      )
      .map((units) => units.join("")),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_@%+=:,./-]{0,12}$/) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
);

/** A line assigning `key` the way a person (or an earlier version of the vault) wrote it. */
const oldLine = fc
  .tuple(
    fc.constantFrom("", "  ", "\t", "\u00a0"),
    fc.constantFrom("", "export ", "export\t", "export\u00a0"),
    fc.constantFrom("=", " = ", "\t=", ": ", ":\t"),
    fc.constantFrom(
      "old", "", "~/x", "$(touch CANARY)", "a b;touch CANARY", "'old'", '"old"', "`old`", "`touch CANARY`",
      '"$(touch CANARY)"', "'multi\nline'", '"multi\nline"', '"esc\\nape"', "''", '""',
    ),
    fc.constantFrom("", "  ", " # comment", "\t# it's $(touch CANARY)", "#tight", "\u00a0", "\u00a0# nbsp"),
  )
  .map(([indent, exported, separator, written, after]) => (key: string) => indent + exported + key + separator + written + after);

/** The refusal, checked: VALIDATION naming the key, never the value. */
function expectRefusal(error: unknown, key: string, refused: string): void {
  expect(error).toBeInstanceOf(VaultError);
  const { code, data, message, hints } = error as VaultError;
  expect({ code, data }).toEqual({ code: "VALIDATION", data: { key } });
  // A short value could be a word of the message by chance.
  if (refused.length >= 4) expect([message, ...hints].join("\n")).not.toContain(refused);
}

/** Sets each key in turn, `FALLBACK` for a refused value; returns the document and which keys were refused. */
function setAll(doc: EnvDocument, keys: readonly string[], values: readonly string[]): { doc: EnvDocument; refused: boolean[] } {
  const refused = keys.map((key, i) => {
    try {
      doc = set(doc, key, values[i]!);
      return false;
    } catch (e) {
      expectRefusal(e, key, values[i]!);
      doc = set(doc, key, FALLBACK);
      return true;
    }
  });
  return { doc, refused };
}

function assignmentOf(doc: EnvDocument, key: string): Assignment {
  return doc.nodes.findLast((n): n is Assignment => n.kind === "assignment" && n.key === key)!;
}

/** What every line set writes looks like: blanks before it, a plain `=`, nothing after it but a comment after blanks, no backticks. */
function expectShellSafeShape(node: Assignment): void {
  const { indent, exportPrefix, separator, gap, quote, after } = node;
  expect({ indent: /^[ \t]*$/.test(indent), exportPrefix: /^(export[ \t]+)?$/.test(exportPrefix), separator, gap, backtick: quote === "`", after: /^([ \t]+#.*)?$/.test(after) }).toEqual({
    indent: true,
    exportPrefix: true,
    separator: "=",
    gap: "",
    backtick: false,
    after: true,
  });
}

describe("shell-safe writing, checked with dotenv, bash and dash", () => {
  test("the harness notices a line that runs a command or that a shell cannot read", () => {
    for (const shell of SHELLS) {
      const run = source(shell, ["A=$(touch CANARY)\n", "B=two words\n"], ["A", "B"]);
      expect({ canary: run.canary, complains: run.stderr !== "" }).toEqual({ canary: true, complains: true });
    }
  });

  test(`set (appending or editing lines of every style) and formatAssignment write each value so that dotenv, bash and dash read exactly it and run nothing, or refuse exactly the values no shell-safe quoting holds (${BATCHES} batches${LONG ? "" : "; ENVVAULT_LONG=1 for more"})`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, oldLine), { minLength: 1, maxLength: 40 }), (batch) => {
        const keys = batch.map((_, i) => `K${i}`);
        const values = batch.map(([v]) => v);
        const expected = values.map((v) => (shellUnwritable(v) ? FALLBACK : v));

        const appended = setAll(parse("").doc, keys, values);
        const base = (eol: string) => batch.map(([, line], i) => line(keys[i]!) + eol).join("");
        const before = parse(base("\n")).doc;
        expect(parse(base("\n")).warnings).toEqual([]);
        const edited = setAll(before, keys, values);
        const editedCrlf = setAll(parse(base("\r\n")).doc, keys, values);
        const lines = keys
          .map((key, i) => {
            try {
              return formatAssignment(key, values[i]!);
            } catch (e) {
              expectRefusal(e, key, values[i]!);
              return formatAssignment(key, FALLBACK);
            }
          })
          .map((line) => line + "\n")
          .join("");

        for (const { refused } of [appended, edited, editedCrlf]) expect(refused).toEqual(values.map(shellUnwritable));
        const texts = [print(appended.doc), print(edited.doc), lines, print(editedCrlf.doc)];
        const want = sorted(new Map(keys.map((k, i) => [k, expected[i]!])));
        for (const text of texts) {
          expect(sorted(dotenvEntries(text))).toEqual(want);
          const { doc, warnings } = parse(text);
          expect(warnings).toEqual([]);
          expect(sorted(entries(doc))).toEqual(want);
        }

        keys.forEach((key, i) => {
          const simplest = simplestShellQuote(expected[i]!);
          expect({ key, quote: assignmentOf(appended.doc, key).quote }).toEqual({ key, quote: simplest });
          const old = assignmentOf(before, key);
          const now = assignmentOf(edited.doc, key);
          expectShellSafeShape(now);
          const kept: Quote | undefined = fitsShellQuote(expected[i]!, old.quote) ? old.quote : simplest;
          expect({ key, quote: now.quote }).toEqual({ key, quote: kept });
          const comment = old.after.indexOf("#");
          if (comment !== -1) expect(now.after.endsWith(old.after.slice(comment))).toBe(true);
        });

        for (const shell of SHELLS) {
          const run = source(shell, texts, keys);
          expect({ shell, stderr: run.stderr, status: run.status, canary: run.canary }).toEqual({ shell, stderr: "", status: 0, canary: false });
          const [fromAppended, fromEdited, fromLines, fromCrlf] = run.values;
          expect(fromAppended).toEqual(expected);
          expect(fromEdited).toEqual(expected);
          expect(fromLines).toEqual(expected);
          // A shell ends lines at LF only, so each CR of a CRLF file joins the word before it.
          expect(fromCrlf!.map((v) => v?.replace(/\r/g, ""))).toEqual(expected);
        }
      }),
      { numRuns: BATCHES },
    );
  });
});

describe("shell-safe set on any well-formed file", () => {
  const fileAndKey = fc.tuple(wellFormed, fc.nat(), fc.boolean()).map(([text, pick, fresh]) => {
    const { doc } = parse(text);
    const keys = [...entries(doc).keys()];
    return { text, doc, key: fresh || keys.length === 0 ? NEW_KEY : keys[pick % keys.length]! };
  });

  test(`changes only the key's line, makes that line shell-safe keeping its export and comment, or refuses exactly the values no shell-safe quoting holds (${EDITS} runs)`, () => {
    fc.assert(
      fc.property(fileAndKey, value, ({ text, doc, key }, v) => {
        if (shellUnwritable(v)) {
          let error: unknown;
          try {
            set(doc, key, v);
          } catch (e) {
            error = e;
          }
          expectRefusal(error, key, v);
          return;
        }
        const next = set(doc, key, v);
        const out = print(next);
        expect(print(doc)).toBe(text);
        const expected = sorted(entries(doc).set(key, v));
        expect(sorted(entries(parse(out).doc))).toEqual(expected);
        expect(sorted(dotenvEntries(out))).toEqual(expected);
        expect(parse(out).warnings.filter((w) => w.kind === "opaque")).toEqual([]);

        const index = doc.nodes.findLastIndex((n) => n.kind === "assignment" && n.key === key);
        const now = assignmentOf(next, key);
        expectShellSafeShape(now);
        if (index === -1) {
          expect(now.quote).toBe(simplestShellQuote(v));
          return;
        }
        expect(next.nodes.length).toBe(doc.nodes.length);
        next.nodes.forEach((node, i) => {
          if (i !== index) expect(node.raw).toBe(doc.nodes[i]!.raw);
        });
        const old = doc.nodes[index] as Assignment;
        if (next === doc) expect(get(doc, key)).toBe(v);
        expect(now.quote).toBe(fitsShellQuote(v, old.quote) ? old.quote : simplestShellQuote(v));
        expect(now.exportPrefix === "").toBe(old.exportPrefix === "");
        expect(now.eol).toBe(old.eol);
        const comment = old.after.indexOf("#");
        if (comment !== -1) expect(now.after.endsWith(old.after.slice(comment))).toBe(true);
      }),
      { numRuns: EDITS },
    );
  });
});
