import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { entries, parse } from "../../src/model/dotenv/index.js";
import { lineSoup, quoteSoup, soup, wellFormed } from "../unit/format/corpus/arbitraries.js";
import { dotenvEntries, sorted } from "../unit/format/corpus/dotenv.js";

const agreesWithDotenv = (text: string): void => {
  const { doc, warnings } = parse(text);
  // Where we keep a line opaque, we have said so; everything accepted must match dotenv.
  if (warnings.some((w) => w.kind === "opaque")) return;
  expect(sorted(entries(doc))).toEqual(sorted(dotenvEntries(text)));
};

describe("parse agrees with dotenv.parse on every input it accepts without an opaque line", () => {
  test("lines of syntax fragments", () => {
    fc.assert(fc.property(lineSoup, agreesWithDotenv), { numRuns: 3000 });
  });

  test("quotes, backslashes and line breaks of every kind", () => {
    fc.assert(fc.property(quoteSoup, agreesWithDotenv), { numRuns: 4000 });
  });

  test("unstructured junk", () => {
    fc.assert(fc.property(soup, agreesWithDotenv), { numRuns: 2000 });
  });

  test("well-formed files, which it accepts whole", () => {
    fc.assert(
      fc.property(wellFormed, (text) => {
        expect(parse(text).warnings.filter((w) => w.kind === "opaque")).toEqual([]);
        agreesWithDotenv(text);
      }),
      { numRuns: 1500 },
    );
  });
});
