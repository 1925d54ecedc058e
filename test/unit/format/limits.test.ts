import { describe, expect, test } from "@jest/globals";
import { entries, parse, print, set } from "../../../src/model/dotenv/index.js";

const MB = 1024 * 1024;

const tenMegabytes = (() => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 10 * MB; i++) {
    const line = [`KEY_${i}=value-${i}`, `export Q_${i}="double ${i}" # c`, `# comment ${i}`, "", `S_${i}='a\nb'`][i % 5]!;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
})();

/**
 * Parses and prints `text` and checks the round trip. Speed is measured in bench/format.mjs,
 * not asserted here; a quadratic parser would still blow the test's timeout on these inputs.
 */
function roundTrip(text: string): void {
  expect(print(parse(text).doc) === text).toBe(true);
}

describe("bad and huge input never crashes and never changes a byte", () => {
  test("NUL bytes anywhere", () => {
    const text = "\0\nA=\0\nB='\0\n\0'\n\0=\0\n#\0\n";
    roundTrip(text);
    expect(entries(parse(text).doc)).toEqual(new Map([["A", "\0"], ["B", "\0\n\0"]]));
  });

  test("a 10 MB file round-trips, and an edit of it changes only its line", () => {
    roundTrip(tenMegabytes);
    const out = print(set(parse(tenMegabytes).doc, "KEY_0", "changed"));
    expect(out === tenMegabytes.replace("KEY_0=value-0", "KEY_0=changed")).toBe(true);
  });

  test("a 10 MB file of junk and unterminated quotes between good lines round-trips", () => {
    const filler = " lorem ipsum dolor sit amet";
    const chunk = `A="x${filler}\nB='y${filler}\nC=\`z${filler}\n\\"\\'\\\`${filler}\n###${filler} \u2028 \nD=ok${filler}\n`;
    roundTrip(chunk.repeat(Math.ceil((10 * MB) / chunk.length)));
  });

  test.each([
    ["unquoted", "A=" + "x".repeat(MB)],
    ["spaces", "A=" + " ".repeat(MB) + "x"],
    ["double quoted", 'A="' + "x".repeat(MB) + '"'],
    ["escaped quotes", 'A="' + '\\"'.repeat(MB / 2)],
    ["hashes", "A=" + "#".repeat(MB)],
    ["no separator", "A".repeat(MB)],
    ["whitespace before a key", " ".repeat(MB) + "A"],
    ["quotes only", '"'.repeat(MB)],
  ])("a 1 MB single line (%s)", (_name, text) => {
    roundTrip(text);
  });

  test("200,000 unterminated openers, one per line, round-trip", () => {
    roundTrip('A="x\n'.repeat(200_000));
  });

  test("100,000 unterminated PEM openers that look like PEM headers round-trip", () => {
    roundTrip("K: '-----BEGIN X\n".repeat(100_000));
  });
});
