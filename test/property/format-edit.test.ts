import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { VaultError } from "../../src/errors.js";
import type { Assignment, EnvDocument } from "../../src/model/dotenv/index.js";
import { entries, get, lineEnding, parse, print, remove, set } from "../../src/model/dotenv/index.js";
import { trickyValue, wellFormed } from "../unit/format/corpus/arbitraries.js";
import { dotenvEntries, sorted } from "../unit/format/corpus/dotenv.js";
import { fitsQuote, unwritable } from "../unit/format/corpus/writable.js";

const NEW_KEY = "NEW.KEY"; // the generated files never use a dot
// The shell-safe default is format-shell.test.ts's; dotenv alone (vault edit's private file) holds more.
const DOTENV_ONLY = { shellSafe: false } as const;

/** The documented preference: unquoted, single, double, backtick. */
const simplestQuote = (value: string) => (["", "'", '"', "`"] as const).find((q) => fitsQuote(value, q));

function lastIndexOf(doc: EnvDocument, key: string): number {
  return doc.nodes.findLastIndex((n) => n.kind === "assignment" && n.key === key);
}

/** A generated file, and one of its keys (or a new one). */
const fileAndKey = fc.tuple(wellFormed, fc.nat(), fc.boolean()).map(([text, pick, fresh]) => {
  const { doc } = parse(text);
  const keys = [...entries(doc).keys()];
  return { text, doc, key: fresh || keys.length === 0 ? NEW_KEY : keys[pick % keys.length]! };
});

describe("set for dotenv alone", () => {
  test("writes any value so that both parsers read exactly it back, changing only that line, or refuses exactly the unwritable ones", () => {
    fc.assert(
      fc.property(fileAndKey, trickyValue, ({ text, doc, key }, value) => {
        if (unwritable(value)) {
          let error: unknown;
          try {
            set(doc, key, value, DOTENV_ONLY);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(VaultError);
          expect((error as VaultError).code).toBe("VALIDATION");
          expect((error as VaultError).data.key).toBe(key);
          return;
        }
        const next = set(doc, key, value, DOTENV_ONLY);
        const out = print(next);
        expect(print(doc)).toBe(text);

        const expected = entries(doc).set(key, value);
        expect(sorted(entries(parse(out).doc))).toEqual(sorted(expected));
        expect(parse(out).warnings.filter((w) => w.kind === "opaque")).toEqual([]);
        expect(sorted(dotenvEntries(out))).toEqual(sorted(expected));

        const index = lastIndexOf(doc, key);
        if (index === -1) {
          // Appended: the old text, a line ending if it lacked one, then one new line in the file's style.
          const eol = lineEnding(doc);
          const last = doc.nodes.at(-1);
          const prefix = last !== undefined && last.eol === "" ? text + eol : text;
          expect(out.startsWith(prefix)).toBe(true);
          expect(next.nodes.length).toBe(doc.nodes.length + 1);
          const added = next.nodes.at(-1)!;
          expect(added.raw).toBe(out.slice(prefix.length));
          expect(added.kind === "assignment" && added.key === key && added.eol === eol).toBe(true);
          expect((added as Assignment).quote).toBe(simplestQuote(value));
          return;
        }
        if (get(doc, key) === value) {
          expect(next).toBe(doc);
          return;
        }
        // Every other node is byte for byte the same; the edited one keeps what surrounds its value.
        expect(next.nodes.length).toBe(doc.nodes.length);
        next.nodes.forEach((node, i) => {
          if (i !== index) expect(node.raw).toBe(doc.nodes[i]!.raw);
        });
        const before = doc.nodes[index] as Assignment;
        const after = next.nodes[index] as Assignment;
        const { indent, exportPrefix, separator, gap, after: tail, eol } = before;
        const written = after.quote + after.body + after.quote;
        expect(after.raw).toBe(indent + exportPrefix + key + separator + gap + written + tail + eol);
        expect(after.quote).toBe(fitsQuote(value, before.quote) ? before.quote : simplestQuote(value));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("remove", () => {
  test("deletes only the key's last assignment, with its line ending, and both parsers agree on the rest", () => {
    fc.assert(
      fc.property(fileAndKey, ({ text, doc, key }) => {
        const index = lastIndexOf(doc, key);
        const next = remove(doc, key);
        expect(print(doc)).toBe(text);
        if (index === -1) {
          expect(next).toBe(doc);
          return;
        }
        const kept = doc.nodes.filter((_, i) => i !== index);
        expect(next.nodes.map((n) => n.raw)).toEqual(kept.map((n) => n.raw));
        const expected = entries({ bom: doc.bom, nodes: kept });
        expect(sorted(entries(next))).toEqual(sorted(expected));
        expect(sorted(dotenvEntries(print(next)))).toEqual(sorted(expected));
      }),
      { numRuns: 1000 },
    );
  });
});
