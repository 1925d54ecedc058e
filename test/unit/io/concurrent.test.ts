import { describe, expect, test } from "@jest/globals";
import { mapConcurrent } from "../../../src/io/concurrent.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mapConcurrent", () => {
  test("returns results in the order of the items, whatever order they finish in", async () => {
    const delays = [30, 5, 20, 0, 10, 25, 1];
    expect(await mapConcurrent(delays, 3, async (ms, i) => (await tick(ms), `${i}:${ms}`))).toEqual(delays.map((ms, i) => `${i}:${ms}`));
  });

  test("never has more than `limit` calls in flight, and uses all of them", async () => {
    let inFlight = 0;
    let peak = 0;
    await mapConcurrent(Array.from({ length: 40 }, (_, i) => i), 4, async (i) => {
      peak = Math.max(peak, ++inFlight);
      await tick(i % 3);
      inFlight--;
    });
    expect(peak).toBe(4);
  });

  test("an empty list and a limit below 1 still work", async () => {
    expect(await mapConcurrent([], 8, async () => 1)).toEqual([]);
    expect(await mapConcurrent([1, 2], 0, async (x) => x * 2)).toEqual([2, 4]);
  });

  test("throws the first failure in item order, only after every call has settled", async () => {
    const settled: number[] = [];
    const run = mapConcurrent([0, 1, 2, 3, 4], 5, async (i) => {
      await tick(i === 3 ? 0 : 20);
      settled.push(i);
      if (i === 1 || i === 3) throw new Error(`item ${i}`);
      return i;
    });
    await expect(run).rejects.toThrow("item 1");
    expect(settled.sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
