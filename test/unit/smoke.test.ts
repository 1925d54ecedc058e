import { describe, expect, test } from "@jest/globals";
describe("toolchain", () => {
  test("runs ESM TypeScript", async () => {
    const m = await import("node:path");
    expect(m.join("a", "b")).toBe("a/b");
  });
});
