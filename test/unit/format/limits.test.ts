import { describe, expect, test } from "@jest/globals";
import { performance } from "node:perf_hooks";
import { entries, parse, print, set } from "../../../src/format/index.js";

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

/** Parses and prints `text`, checks the round trip, and returns the milliseconds it took. */
function timedRoundTrip(text: string): number {
  const start = performance.now();
  const { doc } = parse(text);
  const printed = print(doc);
  const ms = performance.now() - start;
  expect(printed === text).toBe(true);
  return ms;
}

describe("bad and huge input never crashes and never changes a byte", () => {
  test("NUL bytes anywhere", () => {
    const text = "\0\nA=\0\nB='\0\n\0'\n\0=\0\n#\0\n";
    timedRoundTrip(text);
    expect(entries(parse(text).doc)).toEqual(new Map([["A", "\0"], ["B", "\0\n\0"]]));
  });

  // Limits leave room for a loaded two-core CI machine; unloaded, these take a third of it.
  test("a 10 MB file parses and prints in well under two seconds, and an edit of it changes only its line", () => {
    expect(timedRoundTrip(tenMegabytes)).toBeLessThan(2000);
    const { doc } = parse(tenMegabytes);
    const start = performance.now();
    const out = print(set(doc, "KEY_0", "changed"));
    expect(performance.now() - start).toBeLessThan(3000);
    expect(out === tenMegabytes.replace("KEY_0=value-0", "KEY_0=changed")).toBe(true);
  });

  test("a 10 MB file of junk and unterminated quotes between good lines stays linear", () => {
    const filler = " lorem ipsum dolor sit amet";
    const chunk = `A="x${filler}\nB='y${filler}\nC=\`z${filler}\n\\"\\'\\\`${filler}\n###${filler} \u2028 \nD=ok${filler}\n`;
    expect(timedRoundTrip(chunk.repeat(Math.ceil((10 * MB) / chunk.length)))).toBeLessThan(3000);
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
    expect(timedRoundTrip(text)).toBeLessThan(1000);
  });

  test("200,000 unterminated openers, one per line, stay linear", () => {
    expect(timedRoundTrip('A="x\n'.repeat(200_000))).toBeLessThan(1000);
  });

  test("100,000 unterminated PEM openers that look like PEM headers stay linear", () => {
    expect(timedRoundTrip("K: '-----BEGIN X\n".repeat(100_000))).toBeLessThan(1000);
  });
});
