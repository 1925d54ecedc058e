import { describe, expect, test } from "@jest/globals";
import { summary } from "../../../src/cli/common.js";

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("summary", () => {
  test("names every key of a small change, added, changed, removed in that order", () => {
    expect(summary(["A"], ["B"], ["C"])).toBe("+A ~B -C");
    expect(summary([], [], [])).toBe("no change");
    expect(summary(keys("K", 20), [], [])).toBe(keys("K", 20).map((k) => `+${k}`).join(" "));
  });

  test("past 20 names it shows the first 20 and counts the rest and the totals", () => {
    const line = summary(keys("A", 195), keys("C", 4), ["GONE"]);
    expect(line).toBe(`${keys("A", 20).map((k) => `+${k}`).join(" ")} … and 180 more (195 added, 4 changed, 1 removed in all)`);
    expect(summary([], keys("C", 25), [])).toMatch(/ … and 5 more \(25 changed in all\)$/);
  });
});
