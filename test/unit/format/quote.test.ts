import { describe, expect, test } from "@jest/globals";
import { VaultError } from "../../../src/errors.js";
import { formatAssignment, get, parse, quoteValue } from "../../../src/model/dotenv/index.js";
import { thrown } from "../errors.js";
import { dotenvEntries } from "./corpus/dotenv.js";
import { SHELLS, source } from "./corpus/shell.js";
import { shellUnwritable, unwritable } from "./corpus/writable.js";

const DOTENV_ONLY = { shellSafe: false } as const;

const reads = (value: string, options = {}) => {
  const line = formatAssignment("K", value, options);
  return [get(parse(line).doc, "K"), dotenvEntries(line).get("K")];
};

/** Every string of up to `length` characters over `alphabet`. */
function allStrings(alphabet: readonly string[], length: number): string[] {
  const all: string[] = [];
  for (let level = [""]; level[0]!.length <= length; level = level.flatMap((v) => alphabet.map((c) => v + c))) all.push(...level);
  return all;
}

/** The values bash and dash give each value's key after sourcing one file of `K<i>=…` lines. */
function shellReads(values: readonly string[]): Record<string, (string | undefined)[]> {
  const keys = values.map((_, i) => `K${i}`);
  const text = values.map((v, i) => formatAssignment(keys[i]!, v) + "\n").join("");
  const out: Record<string, (string | undefined)[]> = {};
  for (const shell of SHELLS) {
    const run = source(shell, [text], keys);
    expect({ shell, stderr: run.stderr, status: run.status, canary: run.canary }).toEqual({ shell, stderr: "", status: 0, canary: false });
    out[shell] = run.values[0]!;
  }
  return out;
}

describe("quoteValue writes shell-safe by default: unquoted only when inert to a shell, then single, then double quotes", () => {
  const cases = [
    ["plain", "plain"],
    ["", ""],
    ["postgres://u:p@h:5432/db,x=1%20+y.z-_", "postgres://u:p@h:5432/db,x=1%20+y.z-_"],
    ["a b", "'a b'"],
    ["~/home", "'~/home'"],
    ["x=a:~", "'x=a:~'"],
    ["*.txt", "'*.txt'"],
    ["a?b[c]", "'a?b[c]'"],
    ["{a,b}", "'{a,b}'"],
    ["!history", "'!history'"],
    ["$HOME ${X} $(touch CANARY)", "'$HOME ${X} $(touch CANARY)'"],
    ["`touch CANARY`", "'`touch CANARY`'"],
    ["a;touch CANARY|x&y", "'a;touch CANARY|x&y'"],
    ["has # hash", "'has # hash'"],
    ["C:\\dir\\file", "'C:\\dir\\file'"],
    ['say "hi"', "'say \"hi\"'"],
    [" padded ", "' padded '"],
    ["line\nbreak", "'line\nbreak'"],
    ["\\n literally\n", "'\\n literally\n'"],
    ["pässwörd 密码", "'pässwörd 密码'"],
    ["x\u2028y", "'x\u2028y'"],
    ["it's", '"it\'s"'],
    ["it's\nmulti", '"it\'s\nmulti"'],
    ["'starts with quote", "\"'starts with quote\""],
  ] as const;

  test.each(cases)("%j is written %j and read back by dotenv", (value, written) => {
    expect(quoteValue(value)).toBe(written);
    expect(reads(value)).toEqual([value, value]);
  });

  test("bash and dash sourcing these lines with set -a assign exactly each value and run nothing", () => {
    const values = cases.map(([value]) => value);
    for (const read of Object.values(shellReads(values))) expect(read).toEqual(values);
  });

  test("line breaks inside quotes use the given line ending", () => {
    expect(quoteValue("a\nb", { eol: "\r\n" })).toBe("'a\r\nb'");
    expect(quoteValue("it's\nb", { eol: "\r\n" })).toBe("\"it's\r\nb\"");
  });

  test("formatAssignment writes one KEY=value line without a line ending", () => {
    expect(formatAssignment("DATABASE_URL", "postgres://u:p@h/db?x=1#frag")).toBe("DATABASE_URL='postgres://u:p@h/db?x=1#frag'");
  });

  test("formatAssignment rejects a key a shell cannot assign, which dotenv alone accepts", () => {
    for (const key of ["A B", "a.b", "a-b", "1A"]) expect(thrown(() => formatAssignment(key, "v")).code).toBe("USAGE");
    expect(formatAssignment("a.b", "v", DOTENV_ONLY)).toBe("a.b=v");
  });
});

describe("shell-safe writing refuses only what no shell-safe way of writing can hold", () => {
  // Every string of up to 4 characters over the characters that decide the quoting.
  const all = allStrings(["a", " ", "\n", "\r", "'", '"', "`", "\\", "$", "#", "\0", "n"], 4);

  const refusal = (value: string): VaultError | undefined => {
    try {
      quoteValue(value, { key: "K" });
      return undefined;
    } catch (e) {
      return e as VaultError;
    }
  };

  test("exactly the specified values are refused, with VALIDATION naming the key; every other one reads back exactly with both parsers", () => {
    const wrong = all.filter((value) => {
      const error = refusal(value);
      if (shellUnwritable(value)) return error?.code !== "VALIDATION" || error.data.key !== "K";
      return error !== undefined || reads(value).some((read) => read !== value);
    });
    expect(wrong).toEqual([]);
  });

  test("each refused value holds a carriage return or a NUL, ends with a backslash, or holds ' with one of $ ` \\ \"", () => {
    const outside = all.filter(shellUnwritable).filter((value) => !(/[\r\0]/.test(value) || value.endsWith("\\") || (value.includes("'") && /[$`\\"]/.test(value))));
    expect(outside).toEqual([]);
  });

  test("bash and dash read every value it writes exactly, without running anything", () => {
    const written = all.filter((value) => !shellUnwritable(value));
    for (const read of Object.values(shellReads(written))) expect(read).toEqual(written);
  });

  test.each([
    ["a\rb", "it holds a carriage return, which dotenv reads as a line break unless written as the escape \\r, which a shell does not know"],
    ["a\0b", "it holds a NUL character, which a shell drops"],
    ["C:\\dir\\", "it ends with a backslash: a shell needs it quoted, double quotes cannot hold it for a shell, and in single quotes it would escape the closing quote for dotenv"],
    ["it's $5", "it holds ', which single quotes cannot hold for a shell, and also $, `, \\ or \", which a shell interprets in double quotes"],
  ])("refusing %j says why, naming the key and never the value", (value, why) => {
    const error = refusal(value)!;
    expect(error.code).toBe("VALIDATION");
    expect(error.data).toEqual({ key: "K" });
    expect(error.message).toBe(`the value of K cannot be written in a .env file that both dotenv and a shell (set -a; . ./.env) read exactly: ${why}`);
    expect([error.message, ...error.hints].join("\n")).not.toContain(value);
  });

  test("ordinary secrets are writable: passwords, base64, JSON, PEM, URLs", () => {
    const samples = [
      "p@ss w0rd!%^&*()[]{}<>?/|~;:,.=+-_",
      "SGVsbG8gd29ybGQ=",
      '{"a": [1, "#x"], "b": "x"}',
      "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
      "https://user:pa%20ss@host:5432/db?sslmode=require#frag",
    ];
    for (const value of samples) expect(reads(value)).toEqual([value, value]);
    for (const read of Object.values(shellReads(samples))) expect(read).toEqual(samples);
  });
});

describe("for dotenv alone, quoteValue picks the simplest quoting: none, then single, double, backtick", () => {
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
    expect(quoteValue(value, DOTENV_ONLY)).toBe(written);
    expect(reads(value, DOTENV_ONLY)).toEqual([value, value]);
  });

  test("quoteValue throws VALIDATION for a value no quoting can hold", () => {
    expect(() => quoteValue("'\"`\n", DOTENV_ONLY)).toThrow(VaultError);
    expect(() => quoteValue("'\"`\n", DOTENV_ONLY)).toThrow(expect.objectContaining({ code: "VALIDATION" }));
  });

  test("formatAssignment rejects a key dotenv cannot read", () => {
    expect(() => formatAssignment("A B", "v", DOTENV_ONLY)).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
});

describe("the values .env syntax cannot hold for dotenv alone are few and well defined", () => {
  const all = allStrings(["a", " ", "\n", "\r", "'", '"', "`", "\\", "#", "n"], 4);

  test("exactly the specified values are refused; every other one reads back exactly with both parsers", () => {
    const wrong = all.filter((value) => {
      if (!unwritable(value)) return reads(value, DOTENV_ONLY).some((read) => read !== value);
      try {
        quoteValue(value, DOTENV_ONLY);
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

  test("values a shell-safe file cannot hold are writable: CR, ' with $ or \", JSON with apostrophes", () => {
    const samples = ["stdin first\r\nsecond", "it's $5", '{"a": "it\'s"}', "C:\\dir\\"];
    for (const value of samples) expect(reads(value, DOTENV_ONLY)).toEqual([value, value]);
  });
});
