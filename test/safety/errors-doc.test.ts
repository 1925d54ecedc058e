/** docs/ERRORS.md documents every ErrorCode of src/errors.ts, with its exit status, and no other. */
import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ErrorCode, VaultError } from "../../src/errors.js";
import { ROOT } from "../e2e/harness.js";

const source = readFileSync(join(ROOT, "src", "errors.ts"), "utf8");
const union = /export type ErrorCode =([^;]+);/.exec(source)![1]!;
const codes = [...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]! as ErrorCode);
const doc = readFileSync(join(ROOT, "docs", "ERRORS.md"), "utf8");
const rows = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1]!, Number(m[2])]));

describe("docs/ERRORS.md", () => {
  test("lists every error code, with the exit status the CLI uses", () => {
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) expect({ code, exit: rows.get(code) }).toEqual({ code, exit: new VaultError(code, "x").exitCode });
  });

  test("lists no code that does not exist, and has a section with cause and fix for each", () => {
    expect([...rows.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(doc).toMatch(new RegExp(`^## \`${code}\` \\(exit \\d+\\)\\n[^#]*\\*\\*Fix\\*\\*`, "m"));
  });
});
