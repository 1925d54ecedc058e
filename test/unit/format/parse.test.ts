import { describe, expect, test } from "@jest/globals";
import type { Assignment, EnvNode } from "../../../src/model/dotenv/index.js";
import { entries, get, keys, lineEnding, parse, print } from "../../../src/model/dotenv/index.js";

const only = <K extends EnvNode["kind"]>(text: string, kind: K) => {
  const { doc } = parse(text);
  expect(doc.nodes).toHaveLength(1);
  expect(doc.nodes[0]!.kind).toBe(kind);
  return doc.nodes[0] as Extract<EnvNode, { kind: K }>;
};

describe("parse builds a tree that keeps every byte", () => {
  test("an assignment keeps indent, export, separator, gap, quote, body, trailing comment and line ending apart", () => {
    const node = only('  export  KEY = "a b"  # note\r\n', "assignment");
    expect(node).toMatchObject({
      key: "KEY",
      value: "a b",
      indent: "  ",
      exportPrefix: "export  ",
      separator: " =",
      gap: " ",
      quote: '"',
      body: "a b",
      after: "  # note",
      eol: "\r\n",
      line: 1,
    });
  });

  test("an unquoted value is trimmed and its inline comment kept after it", () => {
    const node = only("KEY=  some value  # c\n", "assignment");
    expect(node).toMatchObject({ value: "some value", gap: "  ", body: "some value", after: "  # c" });
  });

  test("an empty unquoted value leaves all whitespace and the comment after it", () => {
    const node = only("KEY=   # c", "assignment");
    expect(node).toMatchObject({ value: "", gap: "", body: "", after: "   # c", eol: "" });
  });

  test("the colon separator keeps the one whitespace character dotenv requires", () => {
    expect(only("KEY:  v\n", "assignment")).toMatchObject({ separator: ": ", gap: " ", value: "v" });
  });

  test("blank and comment lines are nodes of their own", () => {
    const { doc } = parse("# c\n  \nA=1\n");
    expect(doc.nodes.map((n) => [n.kind, n.line, n.raw])).toEqual([
      ["comment", 1, "# c\n"],
      ["blank", 2, "  \n"],
      ["assignment", 3, "A=1\n"],
    ]);
  });

  test("a BOM is recorded once and is not part of the first line", () => {
    const { doc } = parse("\uFEFFA=1\n");
    expect(doc.bom).toBe(true);
    expect(doc.nodes[0]).toMatchObject({ raw: "A=1\n", indent: "", line: 1 });
    expect(print(doc)).toBe("\uFEFFA=1\n");
    expect(parse("\uFEFF").doc).toEqual({ bom: true, nodes: [] });
  });

  test("CRLF, LF and lone CR each end a line", () => {
    const { doc } = parse("A=1\r\nB=2\rC=3\nD=4");
    expect(doc.nodes.map((n) => [(n as Assignment).key, n.line, n.eol])).toEqual([
      ["A", 1, "\r\n"],
      ["B", 2, "\r"],
      ["C", 3, "\n"],
      ["D", 4, ""],
    ]);
  });

  test("a multi-line quoted value is one node, and the lines after it are numbered on", () => {
    const { doc } = parse('A="one\r\ntwo\r\nthree"\r\nB=2\r\n');
    expect(doc.nodes).toHaveLength(2);
    expect(doc.nodes[0]).toMatchObject({ key: "A", value: "one\ntwo\nthree", line: 1, eol: "\r\n" });
    expect(doc.nodes[1]).toMatchObject({ key: "B", line: 4 });
  });

  test("double quotes expand only \\n and \\r, like dotenv", () => {
    expect(get(parse('A="a\\nb\\rc\\td\\\\e\\"f"').doc, "A")).toBe('a\nb\rc\\td\\\\e\\"f');
    expect(get(parse("A='a\\nb'").doc, "A")).toBe("a\\nb");
    expect(get(parse("A=`a\\nb`").doc, "A")).toBe("a\\nb");
  });

  test("a value is decoded text: parse takes an already decoded string and NUL is an ordinary character", () => {
    expect(get(parse("A=x\0y\n").doc, "A")).toBe("x\0y");
  });
});

describe("reading the document", () => {
  const { doc } = parse("B=1\nA=2\nexport C='3'\nB=4\n");

  test("entries gives the final values, in the order keys first appear", () => {
    expect([...entries(doc)]).toEqual([
      ["B", "4"],
      ["A", "2"],
      ["C", "3"],
    ]);
  });

  test("get gives the last assignment's value, or undefined", () => {
    expect(get(doc, "B")).toBe("4");
    expect(get(doc, "missing")).toBeUndefined();
  });

  test("keys lists each key once", () => {
    expect(keys(doc)).toEqual(["B", "A", "C"]);
  });

  test("lineEnding is the file's first line ending, LF for a file without any", () => {
    expect(lineEnding(parse("A=1\r\nB=2\n").doc)).toBe("\r\n");
    expect(lineEnding(parse("# c\rA=1\n").doc)).toBe("\r");
    expect(lineEnding(parse("A=1").doc)).toBe("\n");
    expect(lineEnding(parse("").doc)).toBe("\n");
  });
});

describe("warnings", () => {
  test("a duplicate key warns with the key and both line numbers; the last one wins", () => {
    const { doc, warnings } = parse("A=1\nB=2\nA=3\n");
    expect(get(doc, "A")).toBe("3");
    expect(warnings).toEqual([
      { kind: "duplicate", line: 3, key: "A", message: "A is assigned on line 1 and again on line 3; line 3 wins" },
    ]);
  });

  test("a line that is not an assignment, comment or blank is kept opaque with its line number", () => {
    const { doc, warnings } = parse("A=1\nthis is not env\nB=2\n");
    expect(doc.nodes[1]).toMatchObject({ kind: "opaque", raw: "this is not env\n", line: 2, endLine: 2 });
    expect(warnings).toEqual([
      {
        kind: "opaque",
        line: 2,
        endLine: 2,
        message: "line 2 cannot be parsed (not a KEY=value line, a comment or a blank line); kept as written",
      },
    ]);
    expect([...entries(doc)]).toEqual([
      ["A", "1"],
      ["B", "2"],
    ]);
  });

  test("consecutive unreadable lines form one opaque block with one warning naming the first line's problem", () => {
    const { doc, warnings } = parse("junk one\nA='broken\nA=1\n");
    expect(doc.nodes[0]).toMatchObject({ kind: "opaque", raw: "junk one\nA='broken\n", line: 1, endLine: 2 });
    expect(warnings.map((w) => w.message)).toEqual([
      "lines 1–2 cannot be parsed (line 1: not a KEY=value line, a comment or a blank line); kept as written",
    ]);
  });

  test("a key assigned many times gives one warning with the first and last line", () => {
    const { warnings } = parse("A=1\nA=2\nB=1\nA=3\n");
    expect(warnings).toEqual([
      { kind: "duplicate", line: 4, key: "A", message: "A is assigned 3 times, first on line 1 and last on line 4; line 4 wins" },
    ]);
  });

  test("warnings come in line order", () => {
    const { warnings } = parse("A=1\nA=2\njunk\n");
    expect(warnings.map((w) => [w.kind, w.line])).toEqual([
      ["duplicate", 2],
      ["opaque", 3],
    ]);
  });

  test("an unterminated quote keeps only its own line opaque; the lines after it still parse", () => {
    const text = 'A="never closed\nB=2\nC="c"\n';
    const { doc, warnings } = parse(text);
    expect(doc.nodes[0]).toMatchObject({ kind: "opaque", raw: 'A="never closed\n', line: 1 });
    expect([...entries(doc)]).toEqual([
      ["B", "2"],
      ["C", "c"],
    ]);
    expect(warnings[0]!.message).toBe("line 1 cannot be parsed (A's value opens a double quote that is never closed); kept as written");
  });

  test("text after a closing quote makes the line opaque", () => {
    const { warnings } = parse("A='it's'\n");
    expect(warnings[0]!.message).toContain("A's value has text after its closing single quote");
  });

  test("a PEM block in an unterminated quote stays whole and untouched, and does not swallow the rest of the file", () => {
    const pem = [
      'TLS_KEY="-----BEGIN PRIVATE KEY-----',
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
      "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo==",
      "-----END PRIVATE KEY-----",
    ].join("\n");
    const text = `DB=postgres://db\n${pem}\nAPI="https://api"\nOTHER='x'\n`;
    const { doc, warnings } = parse(text);
    expect(print(doc)).toBe(text);
    expect(doc.nodes[1]).toMatchObject({ kind: "opaque", raw: `${pem}\n`, line: 2, endLine: 5 });
    expect([...entries(doc)]).toEqual([
      ["DB", "postgres://db"],
      ["API", "https://api"],
      ["OTHER", "x"],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: "opaque", line: 2, endLine: 5 });
  });

  test("a legacy PEM with headers is also kept whole", () => {
    const text = "K='-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,AB\n\nQUJD==\n-----END RSA PRIVATE KEY-----\nB=2\n";
    const { doc } = parse(text);
    expect(doc.nodes[0]).toMatchObject({ kind: "opaque", line: 1, endLine: 6 });
    expect([...entries(doc)]).toEqual([["B", "2"]]);
  });

  test("an unterminated quote whose text is not a PEM block keeps just its line", () => {
    const { doc } = parse("K='-----BEGIN X-----\nnot = base64 here\nB=2\n");
    expect(doc.nodes[0]).toMatchObject({ kind: "opaque", raw: "K='-----BEGIN X-----\n" });
    expect(keys(doc)).toEqual(["not", "B"]);
  });

  test("a quote closed further down by dotenv's rules takes those lines, as dotenv does", () => {
    const { doc, warnings } = parse('A="abc\nB=1\nC="\nD=2\n');
    expect(get(doc, "A")).toBe("abc\nB=1\nC=");
    expect(get(doc, "D")).toBe("2");
    expect(warnings).toEqual([]);
  });

  test("`KEY:` at the end of a line warns that dotenv would read the next line as its value", () => {
    const { doc, warnings } = parse("A:\nB=1\n");
    expect(get(doc, "B")).toBe("1");
    expect(warnings[0]!.message).toContain("dotenv would take the next line as its value");
  });

  test("U+2028 in a comment makes the line opaque", () => {
    const { warnings } = parse("# a\u2028B=1\n");
    expect(warnings[0]!.message).toContain("U+2028 or U+2029");
  });

  test("a clean file has no warnings", () => {
    expect(parse("# c\n\nexport A=1\nB='x'\n").warnings).toEqual([]);
  });
});
