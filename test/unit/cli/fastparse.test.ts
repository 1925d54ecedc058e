import { describe, expect, test } from "@jest/globals";
import { parseFast } from "../../../src/cli/fastparse.js";

const base = { json: false, quiet: false, color: true, debug: false, allowUnverified: false };

describe("the fast parser", () => {
  test("names of Object.prototype are neither commands nor options", () => {
    for (const argv of [["toString"], ["constructor", "list"], ["list", "--constructor", "x"], ["list", "--toString"], ["export", "--hasOwnProperty=1"], ["run", "--__proto__", "x"]]) {
      expect(parseFast(argv)).toBeUndefined();
    }
  });

  test("parses export with a format and global options", () => {
    expect(parseFast(["export", "--format", "json", "-e", "prod", "--json"])).toEqual({
      name: "export",
      globals: { ...base, env: "prod", json: true },
      args: { format: "json" },
    });
  });

  test("takes --opt=value and short aliases", () => {
    expect(parseFast(["--env=staging", "export", "-f", "yaml", "-q", "--no-color"])).toEqual({
      name: "export",
      globals: { ...base, env: "staging", quiet: true, color: false },
      args: { format: "yaml" },
    });
  });

  test("fills defaults like yargs", () => {
    expect(parseFast(["unlock"])?.args).toEqual({ dryRun: false });
    expect(parseFast(["list"])?.args).toEqual({ reveal: false });
    expect(parseFast(["export"])?.args).toEqual({ format: "dotenv" });
  });

  test("parses get with exactly one key", () => {
    expect(parseFast(["get", "API_KEY"])?.args).toEqual({ key: "API_KEY" });
    expect(parseFast(["get"])).toBeUndefined();
    expect(parseFast(["get", "A", "B"])).toBeUndefined();
  });

  test("parses unlock options", () => {
    expect(parseFast(["unlock", "--dry-run", "--on-conflict", "overwrite"])?.args).toEqual({ dryRun: true, onConflict: "overwrite" });
  });

  test.each([
    [[]],
    [["--help"]],
    [["export", "--help"]],
    [["--version"]],
    [["set", "A=1"]],
    [["export", "--format", "bogus"]],
    [["export", "--format"]],
    [["export", "--env", "a", "--env", "b"]],
    [["unlock", "--on-conflict", "maybe"]],
    [["unlock", "--dry-run=yes"]],
    [["export", "--unknown"]],
    [["export", "-qe", "x"]],
    [["--env", "export"]],
    [["expor"]],
    [["run", "--", "x"]],
  ])("leaves %j to yargs", (argv) => {
    expect(parseFast(argv)).toBeUndefined();
  });
});
