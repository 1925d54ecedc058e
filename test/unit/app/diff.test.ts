import { describe, expect, test } from "@jest/globals";
import { diffSides } from "../../../src/app/diff.js";
import { UsageError } from "../../../src/errors.js";

describe("the versions vault diff compares", () => {
  test("nothing, REV, REV REV, A..B and its open ends", () => {
    expect(diffSides({})).toEqual({ from: "HEAD" });
    expect(diffSides({ from: "v1" })).toEqual({ from: "v1" });
    expect(diffSides({ from: "v1", to: "v3" })).toEqual({ from: "v1", to: "v3" });
    expect(diffSides({ from: "v1..v3" })).toEqual({ from: "v1", to: "v3" });
    expect(diffSides({ from: "v1.." })).toEqual({ from: "v1", to: "HEAD" });
    expect(diffSides({ from: "..v3" })).toEqual({ from: "HEAD", to: "v3" });
  });

  test("a range and a second revision together, or A...B, is a usage error that says what to type", () => {
    expect(() => diffSides({ from: "v1..v2", to: "v3" })).toThrow(UsageError);
    expect(() => diffSides({ from: "v1", to: "v2..v3" })).toThrow(/as A B or as A\.\.B, not both/);
    expect(() => diffSides({ from: "main...feature" })).toThrow(/A\.\.\.B/);
  });
});
