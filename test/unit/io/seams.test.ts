/** nowSeconds, the clock with its test seam ENVVAULT_NOW (src/io/seams.ts). */
import { describe, expect, test } from "@jest/globals";
import { nowSeconds } from "../../../src/io/seams.js";
import { thrown } from "../errors.js";

describe("nowSeconds", () => {
  test("ENVVAULT_NOW in Unix seconds fixes the clock", () => {
    expect(nowSeconds({ ENVVAULT_NOW: "1700000000" })).toBe(1_700_000_000);
    expect(nowSeconds({ ENVVAULT_NOW: "0" })).toBe(0);
  });

  test("ENVVAULT_NOW as an ISO date is converted to whole seconds", () => {
    expect(nowSeconds({ ENVVAULT_NOW: "2024-01-02T03:04:05.999Z" })).toBe(1_704_164_645);
    expect(nowSeconds({ ENVVAULT_NOW: "2025-01-01T00:00:00Z" })).toBe(1_735_689_600);
  });

  test("an ENVVAULT_NOW that is not a time is a usage error", () => {
    const error = thrown(() => nowSeconds({ ENVVAULT_NOW: "yesterday" }));
    expect(error.code).toBe("USAGE");
    expect(error.message).toBe("ENVVAULT_NOW is not a time: use Unix seconds or an ISO date");
  });

  test("without ENVVAULT_NOW (or with it empty) it is the current time in seconds", () => {
    const before = Math.floor(Date.now() / 1000);
    const t = nowSeconds({ ENVVAULT_NOW: "" });
    const u = nowSeconds({});
    const after = Math.floor(Date.now() / 1000);
    for (const x of [t, u]) {
      expect(Number.isInteger(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(before);
      expect(x).toBeLessThanOrEqual(after);
    }
  });
});
