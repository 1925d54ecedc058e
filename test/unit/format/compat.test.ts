import { describe, expect, test } from "@jest/globals";
import { entries, parse } from "../../../src/model/dotenv/index.js";
import { compatCases, deliberateDifferences } from "./corpus/cases.js";
import { dotenvEntries, sorted } from "./corpus/dotenv.js";

describe("values mean what dotenv.parse says", () => {
  test("the corpus has at least 60 hand-written cases", () => {
    expect(compatCases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(compatCases.map((c) => c.name)).size).toBe(compatCases.length);
  });

  test.each(compatCases.map((c) => [c.name, c.text] as const))("%s", (_name, text) => {
    const { doc, warnings } = parse(text);
    expect(warnings.filter((w) => w.kind === "opaque")).toEqual([]);
    expect(sorted(entries(doc))).toEqual(sorted(dotenvEntries(text)));
  });
});

describe("deliberate differences from dotenv", () => {
  test.each(deliberateDifferences.map((d) => [d.name, d] as const))("%s", (_name, d) => {
    const { doc, warnings } = parse(d.text);
    expect(sorted(entries(doc))).toEqual(sorted(new Map(Object.entries(d.ours))));
    expect(sorted(dotenvEntries(d.text))).toEqual(sorted(new Map(Object.entries(d.dotenv))));
    // Except for __proto__, every difference is a line we keep opaque and warn about.
    if (d.text.startsWith("__proto__")) expect(warnings).toEqual([]);
    else expect(warnings.some((w) => w.kind === "opaque")).toBe(true);
  });

  test("every difference has a one-line reason", () => {
    for (const d of deliberateDifferences) expect(d.reason).toMatch(/^[^\n]{10,200}$/);
  });
});
