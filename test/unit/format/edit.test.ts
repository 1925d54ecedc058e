import { describe, expect, test } from "@jest/globals";
import { get, parse, print, remove, set } from "../../../src/model/dotenv/index.js";
import { thrown } from "../errors.js";
import { SHELLS, source } from "./corpus/shell.js";

const DOTENV_ONLY = { shellSafe: false } as const;

const setText = (text: string, key: string, value: string, options = {}) => print(set(parse(text).doc, key, value, options));
const removeText = (text: string, key: string) => print(remove(parse(text).doc, key));

describe("set rewrites only the key's effective line", () => {
  test("set changes only that line of the file", () => {
    expect(setText("# top\nA=1\nB=2\n\nC=3\n", "B", "new")).toBe("# top\nA=1\nB=new\n\nC=3\n");
  });

  test("set keeps export, indentation and the inline comment, and writes the separator as a plain =", () => {
    expect(setText("  export  A = old   # why\n", "A", "new")).toBe("  export  A=new   # why\n");
  });

  test("set turns a colon separator, which a shell would run as a command, into =", () => {
    expect(setText("A: old\n", "A", "new")).toBe("A=new\n");
    expect(setText("A:\t'old'\n", "A", "new")).toBe("A='new'\n");
  });

  test("set removes the space between = and the value", () => {
    expect(setText("A=   'old' # c\n", "A", "x y")).toBe("A='x y' # c\n");
  });

  test("set gives a comment right after the closing quote a space, as a shell would read it as part of the value", () => {
    expect(setText("A='old'#c\n", "A", "new")).toBe("A='new' #c\n");
    expect(setText("A=#c\n", "A", "new")).toBe("A=new #c\n");
  });

  test("set drops whitespace a shell would read as part of a word: around the line and after export", () => {
    expect(setText("\u00a0A=old\n", "A", "new")).toBe("A=new\n");
    expect(setText("export\u00a0A=old\n", "A", "new")).toBe("export A=new\n");
    expect(setText("A='old'\u00a0\n", "A", "new")).toBe("A='new'\n");
    expect(setText("A='old'\u00a0# c\n", "A", "new")).toBe("A='new' # c\n");
    expect(setText("export\tA='old'\t \n", "A", "new")).toBe("export\tA='new'\n");
  });

  test("set drops blanks at the end of the line, which in a CRLF file would make the CR a command", () => {
    expect(setText("A='old'  \r\nB=1\r\n", "A", "new")).toBe("A='new'\r\nB=1\r\n");
    expect(setText("A=old  # c\r\n", "A", "new")).toBe("A=new  # c\r\n");
  });

  test("for dotenv alone, set keeps export, spacing, the separator and the inline comment as they are", () => {
    expect(setText("export  A = old   # why\n", "A", "new", DOTENV_ONLY)).toBe("export  A = new   # why\n");
    expect(setText("A: old\n", "A", "new", DOTENV_ONLY)).toBe("A: new\n");
    expect(setText("A='old'#c\n", "A", "new", DOTENV_ONLY)).toBe("A='new'#c\n");
  });

  test("set keeps single quotes when they can hold the value", () => {
    expect(setText("A='old' # c\n", "A", "two words")).toBe("A='two words' # c\n");
  });

  test("set keeps double quotes even for a value that needs none", () => {
    expect(setText('A="old"\n', "A", "plain")).toBe('A="plain"\n');
  });

  test("set replaces backticks, inside which a shell runs the value, with the simplest safe quoting", () => {
    expect(setText("A=`old`\n", "A", "new")).toBe("A=new\n");
    expect(setText("A=`old`\n", "A", "touch CANARY")).toBe("A='touch CANARY'\n");
  });

  test("for dotenv alone, set keeps backticks when they can hold the value", () => {
    expect(setText("A=`old`\n", "A", "it's \"x\"", DOTENV_ONLY)).toBe("A=`it's \"x\"`\n");
  });

  test("set keeps double quotes only for a value without what a shell interprets in them", () => {
    expect(setText('A="old"\n', "A", "it's")).toBe('A="it\'s"\n');
    expect(setText('A="old"\n', "A", "$HOME")).toBe("A='$HOME'\n");
    expect(setText('A="old"\n', "A", "C:\\dir")).toBe("A='C:\\dir'\n");
  });

  test("set moves to the simplest quoting that works when the old one cannot hold the value", () => {
    expect(setText("A=old # c\n", "A", " padded ")).toBe("A=' padded ' # c\n");
    expect(setText("A='old'\n", "A", "it's")).toBe("A=\"it's\"\n");
    expect(setText("A='old'\n", "A", "'quoted' start")).toBe("A=\"'quoted' start\"\n");
    expect(setText("A=\"old\"\n", "A", "say \"hi\"")).toBe("A='say \"hi\"'\n");
    expect(setText("A=\"old\"\n", "A", "\"hi\" there")).toBe("A='\"hi\" there'\n");
  });

  test("for dotenv alone, set moves to the simplest quoting dotenv reads back", () => {
    expect(setText("A='old'\n", "A", "it's", DOTENV_ONLY)).toBe("A=it's\n");
    expect(setText("A=\"old\"\n", "A", "say \"hi\"", DOTENV_ONLY)).toBe("A=say \"hi\"\n");
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

  test("set writes line breaks in double quotes as they are, as a shell reads \\n as two characters", () => {
    expect(setText('A="x"\n', "A", "it's\nq")).toBe('A="it\'s\nq"\n');
    expect(setText('A="x\\ny"\n', "A", "x\ny")).toBe('A="x\ny"\n');
  });

  test("for dotenv alone, set escapes line breaks in a one-line double-quoted value", () => {
    expect(setText('A="x"\n', "A", "p\nq\rr", DOTENV_ONLY)).toBe('A="p\\nq\\rr"\n');
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

  test("set returns the same document when the value does not change and a shell reads the line alike", () => {
    const { doc } = parse("  export A='1' # c\n");
    expect(set(doc, "A", "1")).toBe(doc);
  });

  test("set rewrites a line that already holds the value when a shell would read it otherwise", () => {
    expect(setText("A = $(touch CANARY) # c\n", "A", "$(touch CANARY)")).toBe("A='$(touch CANARY)' # c\n");
    expect(setText("A=`touch CANARY`\n", "A", "touch CANARY")).toBe("A='touch CANARY'\n");
    expect(setText("A: 1\n", "A", "1")).toBe("A=1\n");
  });

  test("for dotenv alone, set returns the same document when the value does not change", () => {
    const { doc } = parse("A = $(touch CANARY)\n");
    expect(set(doc, "A", "$(touch CANARY)", DOTENV_ONLY)).toBe(doc);
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
    expect(setText("A=1\r\n", "B", "x y")).toBe("A=1\r\nB='x y'\r\n");
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
  test("a value no shell-safe quoting can hold throws VALIDATION naming the key and the reason, never the value", () => {
    const value = "it's $HOME";
    const error = thrown(() => set(parse("SECRET=1\n").doc, "SECRET", value));
    expect(error.code).toBe("VALIDATION");
    expect(error.data).toEqual({ key: "SECRET" });
    expect(error.message).toBe(
      "the value of SECRET cannot be written in a .env file that both dotenv and a shell (set -a; . ./.env) read exactly: it holds ', which single quotes cannot hold for a shell, and also $, `, \\ or \", which a shell interprets in double quotes",
    );
    expect([error.message, ...error.hints].join("\n")).not.toContain(value);
  });

  test("for dotenv alone, a value .env syntax cannot hold throws VALIDATION naming the key and the reason, never the value", () => {
    const value = "a'b\"c`d\n";
    const error = thrown(() => set(parse("A=1\n").doc, "SECRET", value, DOTENV_ONLY));
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
    for (const key of ["", "A B", "A=B", "Ä", "A#"]) {
      expect(thrown(() => set(parse("").doc, key, "v")).code).toBe("USAGE");
      expect(thrown(() => set(parse("").doc, key, "v", DOTENV_ONLY)).code).toBe("USAGE");
    }
  });

  test("a key a shell cannot assign throws USAGE, and only for shell-safe writing", () => {
    for (const key of ["a.b", "a-b", "1A"]) {
      expect(thrown(() => set(parse(`${key}=1\n`).doc, key, "v")).code).toBe("USAGE");
      expect(print(set(parse("").doc, key, "v", DOTENV_ONLY))).toBe(`${key}=v\n`);
    }
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

describe("the lines set writes are read alike by dotenv and a shell", () => {
  test("bash and dash sourcing an edited file with set -a assign exactly each value and run nothing", () => {
    const text = [
      "  export  A = $(touch CANARY)   # why",
      "B: `touch CANARY`",
      "C='old'#c",
      "export\u00a0D=old",
      "E=\"x\\ny\"",
      "F=old # it's $(touch CANARY)",
      "",
    ].join("\n");
    const values = { A: "$(touch CANARY)", B: "a;touch CANARY|b&c", C: "it's\nfine", D: "~/x *", E: "x\ny", F: "" };
    let doc = parse(text).doc;
    for (const [key, value] of Object.entries(values)) doc = set(doc, key, value);
    expect(print(doc)).toBe(
      [
        "  export  A='$(touch CANARY)'   # why",
        "B='a;touch CANARY|b&c'",
        "C=\"it's\nfine\" #c",
        "export D='~/x *'",
        "E=\"x\ny\"",
        "F= # it's $(touch CANARY)",
        "",
      ].join("\n"),
    );
    for (const shell of SHELLS) {
      const run = source(shell, [print(doc)], Object.keys(values));
      expect({ shell, stderr: run.stderr, canary: run.canary, values: run.values[0] }).toEqual({ shell, stderr: "", canary: false, values: Object.values(values) });
    }
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
