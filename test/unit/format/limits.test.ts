import { describe, expect, test } from "@jest/globals";
import { performance } from "node:perf_hooks";
import { entries, parse, print, set } from "../../../src/format/index.js";

const MB = 1024 * 1024;

/** Parses and prints `text`, checks the round trip, and returns the milliseconds it took. */
function timedRoundTrip(text: string): number {
  const start = performance.now();
  const { doc } = parse(text);
  const printed = print(doc);
  const ms = performance.now() - start;
  expect(printed === text).toBe(true);
  console.log(ms.toFixed(0), text.length);
  return ms;
}

describe("bad and huge input never crashes and never changes a byte", () => {
  test("NUL bytes anywhere", () => {
    const text = "\0\nA=\0\nB='\0\n\0'\n\0=\0\n#\0\n";
    timedRoundTrip(text);
    expect(entries(parse(text).doc)).toEqual(new Map([["A", "\0"], ["B", "\0\n\0"]]));
  });

  test("a 10 MB file of ordinary lines parses and prints well under two seconds", () => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 10 * MB; i++) {
      const line = [`KEY_${i}=value-${i}`, `export Q_${i}="double ${i}" # c`, `# comment ${i}`, "", `S_${i}='a\nb'`][i % 5]!;
      lines.push(line);
      size += line.length + 1;
    }
    const text = lines.join("\n");
    expect(timedRoundTrip(text)).toBeLessThan(2000);
  });

  test("a 10 MB file of junk and unterminated quotes stays linear", () => {
    const chunk = 'A="x\nB=\'y\nC=`z\n\\"\\\'\\`\n### \u2028 \n';
    expect(timedRoundTrip(chunk.repeat(Math.ceil((10 * MB) / chunk.length)))).toBeLessThan(2000);
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

  test("a 1 MB line of unterminated openers, one per line, stays linear", () => {
    expect(timedRoundTrip('A="x\n'.repeat(200_000))).toBeLessThan(1000);
  });

  test("an edit of a 10 MB file is quick and changes only its line", () => {
    const text = "A=1\n" + "B=2\n".repeat((10 * MB) / 4);
    const start = performance.now();
    const out = print(set(parse(text).doc, "A", "changed"));
    expect(performance.now() - start).toBeLessThan(3000);
    expect(out === "A=changed\n" + text.slice(4)).toBe(true);
  });
});
