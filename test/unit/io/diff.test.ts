import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { diffHunks, MASKED, renderDiff, showingOnly, summarizeChanges, type Hunk } from "../../../src/model/diff.js";

const SECRET = "s3cr3t-Value-42";

/** Rebuilds both sides from the hunks' lines plus the untouched lines between hunks. */
function applyHunks(oldLines: string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let next = 0;
  for (const hunk of hunks) {
    const start = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    out.push(...oldLines.slice(next, start));
    next = start;
    for (const line of hunk.lines) {
      if (line.kind === "+") out.push(line.text);
      else {
        if (line.kind === " ") out.push(oldLines[next]!);
        next++;
      }
    }
  }
  return [...out, ...oldLines.slice(next)];
}

function lcsLength(a: string[], b: string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = x === b[j - 1] ? diag + 1 : Math.max(row[j]!, row[j - 1]!);
      diag = up;
    }
  }
  return row[b.length]!;
}

const reveal = (_key: string | undefined, raw: string): string => raw;

describe("renderDiff", () => {
  test("shows a changed key with its value masked, and context", () => {
    const before = `# db\nHOST=localhost\nPASSWORD=${SECRET}\nPORT=5432\n`;
    const after = `# db\nHOST=localhost\nPASSWORD=other-${SECRET}\nPORT=5432\nNEW=${SECRET}\n`;
    const out = renderDiff(before, after, { labels: { old: "a/.env", new: "b/.env" } });
    expect(out).toBe(
      [
        "--- a/.env",
        "+++ b/.env",
        "@@ -1,4 +1,5 @@",
        " # db",
        ` HOST=${MASKED}`,
        `-PASSWORD=${MASKED}`,
        `+PASSWORD=${MASKED}`,
        ` PORT=${MASKED}`,
        `+NEW=${MASKED}`,
        "",
      ].join("\n"),
    );
    expect(out).not.toContain(SECRET);
  });

  test("masks export, spaced and colon forms and commented-out assignments", () => {
    const after = `export TOKEN = ${SECRET}\nKEY: ${SECRET}\n# OLD=${SECRET}\n#OLDER: ${SECRET}\n  #  plain note\n`;
    const out = renderDiff("", after);
    expect(out).toBe(
      `@@ -0,0 +1,5 @@\n+export TOKEN =${MASKED}\n+KEY:${MASKED}\n+# OLD=${MASKED}\n+#OLDER:${MASKED}\n+  #  plain note\n`,
    );
  });

  test("hides every line of a multi-line quoted value, even ones that look like comments", () => {
    for (const quote of ['"', "'", "`"]) {
      const after = `A=1\nPEM=${quote}-----BEGIN\n# ${SECRET}\nX=${SECRET}\n-----END${quote}\n# shown\n`;
      const out = renderDiff("", after);
      expect(out).not.toContain(SECRET);
      expect(out).toContain(`+PEM=${MASKED}\n+${MASKED}\n+${MASKED}\n+${MASKED}\n+# shown\n`);
    }
  });

  test("an escaped double quote does not close the value", () => {
    const out = renderDiff("", `A="x\\"\n${SECRET}"\n# c\n`);
    expect(out).toBe(`@@ -0,0 +1,3 @@\n+A=${MASKED}\n+${MASKED}\n+# c\n`);
  });

  test("hides lines that are not assignments", () => {
    const out = renderDiff("", `${SECRET}\n\n`);
    expect(out).toBe(`@@ -0,0 +1,2 @@\n+${MASKED}\n+\n`);
  });

  test("a caller's mask can reveal non-secret keys", () => {
    const mask = (key: string | undefined, raw: string) => (key === "LOG_LEVEL" ? raw : "***");
    expect(renderDiff("LOG_LEVEL=info\nPW=a\n", "LOG_LEVEL=debug\nPW=b\n", { mask })).toBe(
      "@@ -1,2 +1,2 @@\n-LOG_LEVEL=info\n-PW=***\n+LOG_LEVEL=debug\n+PW=***\n",
    );
  });

  test("handles CRLF files and shows a change of line endings", () => {
    expect(renderDiff("A=1\r\nB=2\r\n", "A=1\r\nB=3\r\n")).toBe(`@@ -1,2 +1,2 @@\n A=${MASKED}\n-B=${MASKED}\n+B=${MASKED}\n`);
    expect(renderDiff("A=1\r\n", "A=1\n", { mask: reveal })).toBe("@@ -1 +1 @@\n-A=1\n+A=1\n");
  });

  test("marks a missing newline at the end of a file", () => {
    expect(renderDiff("A=1", "A=1\nB=2\n", { mask: reveal })).toBe(
      "@@ -1 +1,2 @@\n-A=1\n\\ No newline at end of file\n+A=1\n+B=2\n",
    );
  });

  test("empty files and equal texts", () => {
    expect(renderDiff("", "")).toBe("");
    expect(renderDiff("A=1\n", "A=1\n")).toBe("");
    expect(renderDiff("A=1\n", "", { mask: reveal })).toBe("@@ -1 +0,0 @@\n-A=1\n");
  });

  test("splits distant changes into hunks with three lines of context", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `K${i}=${i}`);
    const changed = lines.map((l, i) => (i === 2 || i === 15 ? `${l}x` : l));
    const hunks = diffHunks(lines.join("\n") + "\n", changed.join("\n") + "\n");
    expect(hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
      [1, 6, 1, 6],
      [13, 7, 13, 7],
    ]);
    expect(diffHunks(lines.join("\n"), changed.join("\n"), { context: 10 })).toHaveLength(1);
  });

  test("2,000-line files diff minimally (speed: a quadratic diff would blow the test timeout)", () => {
    const before = Array.from({ length: 2000 }, (_, i) => `KEY_${i}=${SECRET}${i}`);
    const shuffled = before.map((l, i) => (i % 7 === 0 ? `CHANGED_${i}=${SECRET}` : l)).reverse();
    const out = renderDiff(before.join("\n"), shuffled.join("\n"), { context: 0 });
    const disjoint = renderDiff(before.join("\n"), before.map((l) => `X${l}`).join("\n"));
    expect(out).not.toContain(SECRET);
    expect(disjoint.split("\n").filter((l) => l.startsWith("-"))).toHaveLength(2000);
  });

  test("the hunks rebuild the new text and keep a longest common subsequence (property)", () => {
    const line = fc.constantFrom("A=1", "B=2", "C=3", "# c", "", "D=4");
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(line, { maxLength: 30 }), fc.nat(4), (a, b, context) => {
        const text = (ls: string[]) => ls.map((l) => `${l}\n`).join("");
        const hunks = diffHunks(text(a), text(b), { context, mask: reveal });
        expect(applyHunks(a, hunks)).toEqual(b);
        const kept = hunks.flatMap((h) => h.lines).filter((l) => l.kind === " ").length;
        const removed = hunks.flatMap((h) => h.lines).filter((l) => l.kind === "-").length;
        expect(a.length - removed).toBe(lcsLength(a, b));
        expect(kept).toBeLessThanOrEqual(a.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe("summarizeChanges", () => {
  test("sorts keys into added, changed and removed", () => {
    const before = new Map([
      ["B", "1"],
      ["A", "1"],
      ["GONE", "x"],
      ["SAME", "s"],
    ]);
    const after = new Map([
      ["SAME", "s"],
      ["B", "2"],
      ["A", "0"],
      ["NEW", ""],
    ]);
    expect(summarizeChanges(before, after)).toEqual({ added: ["NEW"], changed: ["A", "B"], removed: ["GONE"] });
    expect(summarizeChanges(new Map(), new Map())).toEqual({ added: [], changed: [], removed: [] });
  });
});

describe("showingOnly", () => {
  const mask = showingOnly(new Map([["LOG_LEVEL", "debug"], ["GREETING", "hello world"], ["MULTI", "a\nb"]]));

  test("shows a config value where a line assigns exactly it, in any quoting, and masks the rest", () => {
    const before = `LOG_LEVEL=info\nGREETING=old\nAPI_KEY=${SECRET}\n`;
    const after = `LOG_LEVEL=debug\nGREETING='hello world' # hi\nAPI_KEY=${SECRET}x\nMULTI="a\nb"\n`;
    const text = renderDiff(before, after, { mask });
    expect(text).toContain("-LOG_LEVEL=••••\n");
    expect(text).toContain("+LOG_LEVEL=debug\n");
    expect(text).toContain("-GREETING=••••\n");
    expect(text).toContain("+GREETING='hello world' # hi\n");
    expect(text).toContain("+API_KEY=••••\n");
    expect(text).toContain("+MULTI=••••\n+••••\n");
    expect(text).not.toContain(SECRET);
  });

  test("a value edited to look like the config value in part is masked", () => {
    expect(renderDiff("", "LOG_LEVEL=debug2\nLOG_LEVEL=\"debug\n", { mask })).not.toMatch(/debug/);
  });
});
