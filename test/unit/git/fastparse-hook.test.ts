import { describe, expect, test } from "@jest/globals";
import { parseFast } from "../../../src/cli/fastparse.js";

describe("the hook command starts without yargs", () => {
  test("takes the hook name and git's arguments as they come", () => {
    const prev = "0".repeat(40);
    const next = "a".repeat(40);
    expect(parseFast(["hook", "post-checkout", prev, next, "1"])?.args).toEqual({ name: "post-checkout", args: [prev, next, "1"] });
    expect(parseFast(["hook", "pre-commit"])?.args).toEqual({ name: "pre-commit", args: [] });
    expect(parseFast(["hook"])).toBeUndefined();
  });

  test("unlock --at REV stays on the fast path", () => {
    expect(parseFast(["unlock", "--at", "main~2"])?.args).toEqual({ dryRun: false, at: "main~2" });
  });
});
