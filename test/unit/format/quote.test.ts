import { describe, expect, test } from "@jest/globals";
import { VaultError } from "../../../src/errors.js";
import { formatAssignment, get, parse, quoteValue } from "../../../src/format/index.js";
import { dotenvEntries } from "./corpus/dotenv.js";
import { unwritable } from "./corpus/writable.js";

const reads = (value: string) => {
  const line = formatAssignment("K", value);
  return [get(parse(line).doc, "K"), dotenvEntries(line).get("K")];
};

describe("quoteValue picks the simplest quoting: none, then single, double, backtick", () => {
  test.each([
    ["plain", "plain"],
    ["", ""],
    ["it's a \"test\"", "it's a \"test\""],
    ["$HOME ${X} $(cmd)", "$HOME ${X} $(cmd)"],
    ["C:\\dir\\", "C:\\dir\\"],
    ["a b", "a b"],
    [" padded ", "' padded '"],
    ["has # hash", "'has # hash'"],
    ["'starts with quote", "\"'starts with quote\""],
    ["line\nbreak", "'line\nbreak'"],
    ["it's\nmulti", "\"it's\\nmulti\""],
    ["carriage\rreturn", "\"carriage\\rreturn\""],
    ["'\"\n", "`'\"\n`"],
    ["\\n literally\n", "'\\n literally\n'"],
  ])("%j is written %j and read back by both parsers", (value, written) => {
    expect(quoteValue(value)).toBe(written);
    expect(reads(value)).toEqual([value, value]);
  });

  test("line breaks inside single quotes use the given line ending", () => {
    expect(quoteValue("a\nb", "\r\n")).toBe("'a\r\nb'");
  });

  test("formatAssignment writes one KEY=value line without a line ending", () => {
    expect(formatAssignment("DATABASE_URL", "postgres://u:p@h/db?x=1#frag")).toBe("DATABASE_URL='postgres://u:p@h/db?x=1#frag'");
  });

  test("formatAssignment rejects a key dotenv cannot read", () => {
    expect(() => formatAssignment("A B", "v")).toThrow(expect.objectContaining({ code: "USAGE" }));
  });

  test("quoteValue throws VALIDATION for a value no quoting can hold", () => {
    expect(() => quoteValue("'\"`\n")).toThrow(VaultError);
    expect(() => quoteValue("'\"`\n")).toThrow(expect.objectContaining({ code: "VALIDATION" }));
  });
});

describe("the values .env syntax cannot hold are few and well defined", () => {
  // Every string of up to 4 characters over the characters that make writing hard.
  const alphabet = ["a", " ", "\n", "\r", "'", '"', "`", "\\", "#", "n"];
  const all: string[] = [];
  for (let level = [""]; level[0]!.length <= 4; level = level.flatMap((v) => alphabet.map((c) => v + c))) all.push(...level);

  test("exactly the specified values are refused; every other one reads back exactly with both parsers", () => {
    const wrong = all.filter((value) => {
      if (!unwritable(value)) return reads(value).some((read) => read !== value);
      try {
        quoteValue(value);
        return true;
      } catch (e) {
        return (e as VaultError).code !== "VALIDATION";
      }
    });
    expect(wrong).toEqual([]);
  });

  test("each refused value needs quotes and ends with a backslash, or mixes ' and ` (or a CR) with \" or the text \\n / \\r", () => {
    const outside = all.filter(unwritable).filter((value) => {
      const endsWithBackslash = value.endsWith("\\");
      const singleAndBacktickFail = value.includes("\r") || (/(^|[^\\])'/.test(value) && /(^|[^\\])`/.test(value));
      const doubleFails = /(^|[^\\])"/.test(value) || /\\[nr]/.test(value);
      return !(endsWithBackslash || (singleAndBacktickFail && doubleFails));
    });
    expect(outside).toEqual([]);
  });

  test("ordinary secrets are writable: passwords, base64, JSON, PEM, URLs", () => {
    const samples = [
      "p@ss w0rd!%^&*()[]{}<>?/|~;:,.=+-_",
      "SGVsbG8gd29ybGQ=",
      '{"a": [1, "#x"], "b": "it\'s"}',
      "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
      "https://user:pa%20ss@host:5432/db?sslmode=require#frag",
    ];
    for (const value of samples) expect(reads(value)).toEqual([value, value]);
  });
});
