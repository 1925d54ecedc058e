import { describe, expect, test } from "@jest/globals";
import { parseLog } from "../../../src/git/log.js";

const Z = "0".repeat(40);
const A = "a".repeat(40);
const B = "b".repeat(40);

describe("git log output", () => {
  test("records with parents, refs, changed files and deletions; a record with no file", () => {
    const out =
      `\x1e${"1".repeat(40)}\x1f${"2".repeat(40)} ${"3".repeat(40)}\x1fHEAD -> main, tag: v1\x1fAl Ice\x1f2024-01-02T03:04:05+00:00\x1fMerge branch 'x'\0` +
      `\n:100644 100644 ${A} ${B} M\0.envvault/envs/dev.env\0:100644 000000 ${A} ${Z} D\0.envvault/envs/old.env\0` +
      `\x1e${"2".repeat(40)}\x1f\x1f\x1fBob\x1f2024-01-01T00:00:00+00:00\x1fnothing here\n`;
    expect(parseLog(out)).toEqual([
      {
        commit: "1".repeat(40),
        parents: ["2".repeat(40), "3".repeat(40)],
        refs: ["HEAD -> main", "tag: v1"],
        author: "Al Ice",
        date: "2024-01-02T03:04:05+00:00",
        subject: "Merge branch 'x'",
        files: new Map([
          [".envvault/envs/dev.env", B],
          [".envvault/envs/old.env", undefined],
        ]),
      },
      { commit: "2".repeat(40), parents: [], refs: [], author: "Bob", date: "2024-01-01T00:00:00+00:00", subject: "nothing here", files: new Map() },
    ]);
  });
});
