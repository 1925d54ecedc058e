import { describe, expect, test } from "@jest/globals";
import { get, parse, print, remove, set } from "../../../src/format/index.js";
import { thrown } from "../errors.js";

const setText = (text: string, key: string, value: string) => print(set(parse(text).doc, key, value));
const removeText = (text: string, key: string) => print(remove(parse(text).doc, key));

describe("set rewrites only the key's effective line", () => {
  test("set changes only that line of the file", () => {
    expect(setText("# top\nA=1\nB=2\n\nC=3\n", "B", "new")).toBe("# top\nA=1\nB=new\n\nC=3\n");
  });

  test("set keeps export, spacing and the inline comment", () => {
    expect(setText("export  A = old   # why\n", "A", "new")).toBe("export  A = new   # why\n");
  });

  test("set keeps the colon separator", () => {
    expect(setText("A: old\n", "A", "new")).toBe("A: new\n");
  });

  test("set keeps single quotes when they can hold the value", () => {
    expect(setText("A='old' # c\n", "A", "two words")).toBe("A='two words' # c\n");
  });

  test("set keeps double quotes even for a value that needs none", () => {
    expect(setText('A="old"\n', "A", "plain")).toBe('A="plain"\n');
  });

  test("set keeps backticks when they can hold the value", () => {
    expect(setText("A=`old`\n", "A", "it's \"x\"")).toBe("A=`it's \"x\"`\n");
  });

  test("set moves to the simplest quoting that works when the old one cannot hold the value", () => {
    expect(setText("A=old # c\n", "A", " padded ")).toBe("A=' padded ' # c\n");
    expect(setText("A='old'\n", "A", "it's")).toBe("A=it's\n");
    expect(setText("A='old'\n", "A", "'quoted' start")).toBe("A=\"'quoted' start\"\n");
    expect(setText("A=\"old\"\n", "A", "say \"hi\"")).toBe("A=say \"hi\"\n");
    expect(setText("A=\"old\"\n", "A", "\"hi\" there")).toBe("A='\"hi\" there'\n");
  });

  test("set touches only the last of duplicate assignments", () => {
    expect(setText("A=1\nB=2\nA=3\n", "A", "9")).toBe("A=1\nB=2\nA=9\n");
  });

  test("set keeps CRLF line endings, on the line and inside a multi-line value", () => {
    expect(setText("A=1\r\nB='x'\r\nC=3\r\n", "B", "one\ntwo")).toBe("A=1\r\nB='one\r\ntwo'\r\nC=3\r\n");
  });

  test("set keeps a multi-line double-quoted value multi-line", () => {
    expect(setText('A="x\ny"\nB=1\n', "A", "p\nq\nr")).toBe('A="p\nq\nr"\nB=1\n');
  });

  test("set escapes line breaks in a one-line double-quoted value", () => {
    expect(setText('A="x"\n', "A", "p\nq\rr")).toBe('A="p\\nq\\rr"\n');
  });

  test("set replaces a whole multi-line value, whatever its length", () => {
    expect(setText("A=1\nK='-----BEGIN-----\nabc\n-----END-----'\nB=2\n", "K", "short")).toBe("A=1\nK='short'\nB=2\n");
  });

  test("set to an empty value", () => {
    expect(setText("A=old # c\nB=1\n", "A", "")).toBe("A= # c\nB=1\n");
    expect(setText("A='old'\n", "A", "")).toBe("A=''\n");
  });

  test("set keeps the last line without a line ending", () => {
    expect(setText("A=1\nB=2", "B", "3")).toBe("A=1\nB=3");
  });

  test("set keeps the BOM", () => {
    expect(setText("\uFEFFA=1\n", "A", "2")).toBe("\uFEFFA=2\n");
  });

  test("set returns the same document when the value does not change", () => {
    const { doc } = parse("A='1'\n");
    expect(set(doc, "A", "1")).toBe(doc);
  });

  test("set leaves the document it was given untouched", () => {
    const { doc } = parse("A=1\nB=2\n");
    const next = set(doc, "A", "x");
    expect(print(doc)).toBe("A=1\nB=2\n");
    expect(get(doc, "A")).toBe("1");
    expect(get(next, "A")).toBe("x");
  });

  test("set leaves opaque lines as they are", () => {
    expect(setText("junk\nA=1\nB='never closed\n", "A", "2")).toBe("junk\nA=2\nB='never closed\n");
  });
});

describe("set appends a new key", () => {
  test("set appends in LF style", () => {
    expect(setText("A=1\n", "B", "2")).toBe("A=1\nB=2\n");
  });

  test("set appends in the file's CRLF style", () => {
    expect(setText("A=1\r\n", "B", "x y")).toBe("A=1\r\nB=x y\r\n");
  });

  test("set adds a line ending to a last line without one before appending", () => {
    expect(setText("A=1\r\nB=2", "C", "3")).toBe("A=1\r\nB=2\r\nC=3\r\n");
  });

  test("set on an empty file writes just the line", () => {
    expect(setText("", "A", "1")).toBe("A=1\n");
  });

  test("set on a file holding only a BOM keeps it", () => {
    expect(setText("\uFEFF", "A", "1")).toBe("\uFEFFA=1\n");
  });

  test("set appends after a trailing comment, a blank line or an opaque line without touching them", () => {
    expect(setText("A=1\n\n# end", "B", "2")).toBe("A=1\n\n# end\nB=2\n");
    expect(setText("A=1\njunk", "B", "2")).toBe("A=1\njunk\nB=2\n");
  });

  test("set appends a key only assigned on an opaque line, where it never counted", () => {
    expect(setText('A="broken\n', "A", "ok")).toBe('A="broken\nA=ok\n');
  });

  test("set writes a new multi-line value in single quotes with the file's line endings", () => {
    expect(setText("A=1\r\n", "PEM", "-----BEGIN-----\nabc\n-----END-----")).toBe(
      "A=1\r\nPEM='-----BEGIN-----\r\nabc\r\n-----END-----'\r\n",
    );
  });
});

describe("set refuses what it cannot write", () => {
  test("a value .env syntax cannot hold throws VALIDATION naming the key and the reason, never the value", () => {
    const value = "a'b\"c`d\n";
    const error = thrown(() => set(parse("A=1\n").doc, "SECRET", value));
    expect(error.code).toBe("VALIDATION");
    expect(error.data).toEqual({ key: "SECRET" });
    expect(error.message).toBe(
      "the value of SECRET cannot be written in .env syntax: it needs quotes (it holds a line break) but single quotes cannot hold an unescaped ', backticks cannot hold an unescaped ` and double quotes cannot hold an unescaped \"",
    );
  });

  test("a quoted value ending in a backslash is refused, as its closing quote would be escaped", () => {
    const error = thrown(() => set(parse("").doc, "A", " C:\\dir\\"));
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain("ends with a backslash");
  });

  test("an invalid key throws USAGE", () => {
    for (const key of ["", "A B", "A=B", "Ä", "A#"]) expect(thrown(() => set(parse("").doc, key, "v")).code).toBe("USAGE");
  });

  test("set writes another quoting when a broken quote above would swallow the preferred one", () => {
    // `'#x'` would give the unterminated single quote on line 1 a closing quote followed by a comment.
    expect(setText("A='broken\n", "B", "#x")).toBe("A='broken\nB=\"#x\"\n");
  });

  test("set refuses when broken quotes above would swallow every way of writing the value", () => {
    const text = "A='broken\nB=\"broken\nC=`broken\n";
    const error = thrown(() => set(parse(text).doc, "D", "#x"));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.data).toEqual({ key: "D" });
  });
});

describe("remove", () => {
  test("remove deletes only that line, with its line ending", () => {
    expect(removeText("A=1\r\nB=2\r\nC=3\r\n", "B")).toBe("A=1\r\nC=3\r\n");
  });

  test("remove deletes a multi-line assignment whole", () => {
    expect(removeText("A=1\nK='x\ny\nz' # c\nB=2\n", "K")).toBe("A=1\nB=2\n");
  });

  test("remove deletes only the last of duplicates, and the earlier one counts again", () => {
    const next = remove(parse("A=1\nB=2\nA=3\n").doc, "A");
    expect(print(next)).toBe("A=1\nB=2\n");
    expect(get(next, "A")).toBe("1");
  });

  test("remove of the last line keeps the line ending of the line before", () => {
    expect(removeText("A=1\nB=2", "B")).toBe("A=1\n");
  });

  test("remove keeps the BOM when the first line goes", () => {
    expect(removeText("\uFEFFA=1\nB=2\n", "A")).toBe("\uFEFFB=2\n");
  });

  test("remove of an unknown key returns the same document", () => {
    const { doc } = parse("A=1\n");
    expect(remove(doc, "B")).toBe(doc);
  });

  test("remove refuses when a broken quote above would then swallow the lines below", () => {
    // B's opening quote stops A's search; without it, A would close at C's quote and take C.
    const text = "A='broken\nB='b'\nC='#c'\n";
    const error = thrown(() => remove(parse(text).doc, "B"));
    expect(error.code).toBe("INVALID_FILE");
    expect(error.data).toEqual({ key: "B" });
  });
});
