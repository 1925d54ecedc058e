import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dotenv from "dotenv";
import { parse as parseYaml } from "yaml";
import { exportAs, formatFromName, importFrom, shellQuote } from "../../../src/model/formats.js";
import { thrown as invalid } from "../errors.js";
import { SHELLS, source } from "../format/corpus/shell.js";

/** Values that break naive writers: line breaks, quotes of every kind, #, $, backslashes, Unicode, spaces. */
const TRICKY = new Map([
  ["PLAIN", "hello"],
  ["EMPTY", ""],
  ["NEWLINES", "line1\nline2\n"],
  ["CRLF", "a\r\nb"],
  ["DOUBLE", 'say "hi"'],
  ["SINGLE", "it's"],
  ["MIXED", "it's \"quoted\"\nnext"],
  ["HASH", "pa#ss # not a comment"],
  ["DOLLAR", "$HOME ${USER} $(whoami) `id`"],
  ["BACKSLASH", "C:\\path\\to\\n"],
  ["UNICODE", "ünïcødé 🎉 日本"],
  ["LEADING", "  leading and trailing  "],
  ["EQUALS", "a=b=c"],
  ["JSONISH", '{"a": [1, 2]}'],
  ["NUMBERISH", "1.50"],
]);

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "envvault-formats-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});


/** The TRICKY values a shell-safe .env line can hold: all but a carriage return, and ' with " or $. */
const SHELL_SAFE = new Map([...TRICKY].filter(([k]) => k !== "CRLF" && k !== "MIXED"));

describe("exportAs", () => {
  test("dotenv output reads back with dotenv.parse as exactly the same map", () => {
    const text = exportAs("dotenv", SHELL_SAFE);
    expect(dotenv.parse(text)).toEqual(Object.fromEntries(SHELL_SAFE));
  });

  test("dotenv output sourced by bash and dash with set -a gives back every value exactly and runs nothing", () => {
    const keys = [...SHELL_SAFE.keys()];
    for (const shell of SHELLS) {
      const run = source(shell, [exportAs("dotenv", SHELL_SAFE)], keys);
      expect({ shell, stderr: run.stderr, values: run.values[0] }).toEqual({ shell, stderr: "", values: keys.map((k) => SHELL_SAFE.get(k)) });
    }
  });

  test("dotenv output refuses a value no shell-safe line can hold, naming the key", () => {
    for (const key of ["CRLF", "MIXED"]) {
      const e = invalid(() => exportAs("dotenv", new Map([["PLAIN", "x"], [key, TRICKY.get(key)!]])));
      expect({ code: e.code, data: e.data }).toEqual({ code: "VALIDATION", data: { key } });
    }
  });

  test("dotenv output is one sorted line per simple value, quoted where a shell needs it", () => {
    expect(exportAs("dotenv", new Map([["B", "2"], ["A", "x y"], ["C", ""]]))).toBe("A='x y'\nB=2\nC=\n");
  });

  test("dotenv output also reads back with envvault's own importer", () => {
    expect(importFrom("dotenv", exportAs("dotenv", SHELL_SAFE), "out.env")).toEqual(SHELL_SAFE);
  });

  test("dotenv output for dotenv alone (vault edit's private file) holds every value, for dotenv.parse and envvault's importer", () => {
    const text = exportAs("dotenv", TRICKY, { shellSafe: false });
    expect(dotenv.parse(text)).toEqual(Object.fromEntries(TRICKY));
    expect(importFrom("dotenv", text, "out.env")).toEqual(TRICKY);
  });

  test("json output is sorted, indented and reads back with JSON.parse", () => {
    const text = exportAs("json", new Map([["B", "2"], ["A", 'q"\n']]));
    expect(text).toBe('{\n  "A": "q\\"\\n",\n  "B": "2"\n}\n');
    expect(JSON.parse(exportAs("json", TRICKY))).toEqual(Object.fromEntries(TRICKY));
  });

  test("yaml output reads back with the yaml package as the same strings", () => {
    const text = exportAs("yaml", TRICKY);
    expect(parseYaml(text)).toEqual(Object.fromEntries(TRICKY));
    expect(exportAs("yaml", new Map([["PORT", "8080"], ["ON", "yes"]]))).toBe('ON: "yes"\nPORT: "8080"\n');
  });

  test("yaml output of no variables is an empty mapping", () => {
    expect(exportAs("yaml", new Map())).toBe("{}\n");
    expect(parseYaml(exportAs("yaml", new Map()))).toEqual({});
  });

  test("shell output is export lines with single quotes", () => {
    expect(exportAs("shell", new Map([["B", "it's"], ["A", "$x"]]))).toBe("export A='$x'\nexport B='it'\\''s'\n");
    expect(shellQuote("")).toBe("''");
  });

  test("shell output sourced by sh gives back every value exactly", async () => {
    const values = new Map([...TRICKY, ["GLOB", "* ?"]]);
    await writeFile(join(dir, "vars.sh"), exportAs("shell", values));
    const keys = [...values.keys()];
    const script = `. ./vars.sh; printf '%s\\0' ${keys.map((k) => `"$${k}"`).join(" ")}`;
    const out = execFileSync("sh", ["-c", script], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, encoding: "utf8" });
    expect(out.split("\0").slice(0, -1)).toEqual(keys.map((k) => values.get(k)));
  });
});

describe("importFrom", () => {
  test("dotenv: comments, export, quotes and escapes mean what dotenv says", () => {
    const text = "# comment\nexport A=1\nB='two words'\nC=\"x\\ny\"\nD=plain # inline\n\nE=\n";
    expect(importFrom("dotenv", text, ".env")).toEqual(new Map([["A", "1"], ["B", "two words"], ["C", "x\ny"], ["D", "plain"], ["E", ""]]));
    expect(Object.fromEntries(importFrom("dotenv", text, ".env"))).toEqual(dotenv.parse(text));
  });

  test("dotenv: an opaque line is an invalid file naming the file and the line", () => {
    const e = invalid(() => importFrom("dotenv", "A=1\nB=2\nthis is not an assignment\n", "app.env"));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe("app.env:3: cannot read this line as KEY=value");
    expect(e.data).toEqual({ file: "app.env", line: 3 });
  });

  test("dotenv: a key that is not a POSIX variable name is refused, naming the key", () => {
    const e = invalid(() => importFrom("dotenv", "GOOD=1\nmy.key=2\n", "app.env"));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.data.key).toBe("my.key");
    expect(e.message).toContain("my.key");
  });

  test("json: strings, numbers and booleans become strings", () => {
    expect(importFrom("json", '{"A": "x", "B": 8080, "C": true, "D": ""}', "v.json")).toEqual(
      new Map([["A", "x"], ["B", "8080"], ["C", "true"], ["D", ""]]),
    );
  });

  test("json: invalid JSON is an invalid file naming the file", () => {
    const e = invalid(() => importFrom("json", '{"A": ', "vars.json"));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toMatch(/^vars\.json: not valid JSON: /);
    expect(e.data).toEqual({ file: "vars.json" });
  });

  test("json: a nested object is refused, naming the key", () => {
    const e = invalid(() => importFrom("json", '{"A": "1", "DB": {"host": "x"}}', "vars.json"));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe("vars.json: the value of DB is not a string, number or boolean");
    expect(e.data).toEqual({ file: "vars.json", key: "DB" });
  });

  test("json: arrays and null are refused", () => {
    expect(invalid(() => importFrom("json", '{"L": [1]}', "v.json")).data.key).toBe("L");
    expect(invalid(() => importFrom("json", '{"N": null}', "v.json")).data.key).toBe("N");
    expect(invalid(() => importFrom("json", "[1, 2]", "v.json")).message).toBe("v.json: expected an object of KEY: value pairs");
    expect(invalid(() => importFrom("json", '"text"', "v.json")).message).toBe("v.json: expected an object of KEY: value pairs");
  });

  test("json: a bad key name is refused, naming it", () => {
    const e = invalid(() => importFrom("json", '{"1BAD": "x"}', "v.json"));
    expect(e.message).toBe('v.json: "1BAD" is not a valid variable name');
    expect(e.data).toEqual({ file: "v.json", key: "1BAD" });
  });

  test("yaml: a mapping of scalars imports as strings", () => {
    const text = "A: hello\nB: 'quoted # not comment'\nC: |\n  multi\n  line\nD: true\nE: 42\n";
    expect(importFrom("yaml", text, "v.yaml")).toEqual(
      new Map([["A", "hello"], ["B", "quoted # not comment"], ["C", "multi\nline\n"], ["D", "true"], ["E", "42"]]),
    );
  });

  test("yaml: plain scalars that look like numbers keep their text", () => {
    expect(importFrom("yaml", "PRICE: 1.50\nZIP: 01234\nID: 12345678901234567890\n", "v.yaml")).toEqual(
      new Map([["PRICE", "1.50"], ["ZIP", "01234"], ["ID", "12345678901234567890"]]),
    );
  });

  test("yaml: nested mappings, invalid YAML and bad key names are refused", () => {
    expect(invalid(() => importFrom("yaml", "DB:\n  host: x\n", "v.yaml")).message).toBe("v.yaml: the value of DB is not a string, number or boolean");
    expect(invalid(() => importFrom("yaml", "A: [1\n", "v.yaml")).message).toMatch(/^v\.yaml: not valid YAML: /);
    expect(invalid(() => importFrom("yaml", "bad-key: 1\n", "v.yaml")).data).toEqual({ file: "v.yaml", key: "bad-key" });
  });

  test("formatFromName picks the format from the file name", () => {
    expect(["a.json", "A.JSON", "b.yaml", "c.yml", ".env", ".env.local", "vars"].map(formatFromName)).toEqual(["json", "json", "yaml", "yaml", "dotenv", "dotenv", "dotenv"]);
  });
});
