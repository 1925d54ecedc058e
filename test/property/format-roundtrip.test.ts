import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import type { EnvNode } from "../../src/model/dotenv/index.js";
import { parse, print } from "../../src/model/dotenv/index.js";
import { anyText } from "../unit/format/corpus/arbitraries.js";

const breaks = (s: string) => s.match(/\r\n|\r|\n/g)?.length ?? 0;
const withoutEol = (node: EnvNode) => node.raw.slice(0, node.raw.length - node.eol.length);

/** What a node promises about its own text, given the line it should start on; "" when kept. */
function brokenPromise(node: EnvNode, line: number): string {
  if (node.line !== line) return `starts on line ${node.line}, not ${line}`;
  if (!node.raw.endsWith(node.eol)) return "raw does not end with eol";
  switch (node.kind) {
    case "assignment": {
      const { indent, exportPrefix, key, separator, gap, quote, body, after, eol } = node;
      return indent + exportPrefix + key + separator + gap + quote + body + quote + after + eol === node.raw ? "" : "parts do not add up to raw";
    }
    case "opaque":
      return node.endLine === node.line + breaks(withoutEol(node)) ? "" : "endLine is wrong";
    default:
      return breaks(withoutEol(node)) === 0 ? "" : "a single-line node spans lines";
  }
}

describe("print(parse(text)) gives back every byte", () => {
  test("for 10,000 generated inputs: CR/LF mixes, BOM, quotes, #, unicode, lone surrogates, NUL, long lines", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { doc } = parse(text);
        expect(print(doc)).toBe(text);
        const problems: string[] = [];
        let line = 1;
        for (const node of doc.nodes) {
          const problem = brokenPromise(node, line);
          if (problem !== "") problems.push(`${node.kind} at ${line}: ${problem}`);
          line += breaks(node.raw);
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
  });
});
