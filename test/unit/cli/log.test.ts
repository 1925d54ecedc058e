import { describe, expect, test } from "@jest/globals";
import type { LogEntry } from "../../../src/app/log.js";
import { entryLines } from "../../../src/cli/commands/log.js";

const id = (c: string) => c.repeat(40);
const change = (changed: string[], added: string[] = []) => ({ env: "development", added, changed, removed: [], rekeyed: [] });

describe("vault log lines", () => {
  test("a commit: its refs after the id, one line per environment", () => {
    const e: LogEntry = {
      commit: id("1"),
      parents: [id("0")],
      refs: ["HEAD -> main", "tag: v2"],
      author: "alice",
      date: "2024-05-01T10:00:00+02:00",
      subject: "rotate",
      merge: false,
      changes: [change(["API_KEY"])],
      base: null,
      sides: [],
      settled: [],
    };
    expect(entryLines(e)).toEqual(["1111111111 (HEAD -> main, tag: v2) 2024-05-01 alice  development: ~API_KEY  rotate"]);
  });

  test("a merge: against its first parent, each side since the fork, and the keys it settled", () => {
    const e: LogEntry = {
      commit: id("m"),
      parents: [id("a"), id("b")],
      refs: [],
      author: "bob",
      date: "2024-05-02T10:00:00Z",
      subject: "Merge branch 'feature'",
      merge: true,
      changes: [change([], ["NEW"])],
      base: id("f"),
      sides: [
        { parent: id("a"), refs: ["main"], changes: [change(["API_KEY"])] },
        { parent: id("b"), refs: ["feature"], changes: [change(["API_KEY", "DB"], ["NEW"])] },
      ],
      settled: [
        { env: "development", key: "API_KEY", changedBy: [id("a"), id("b")], kept: id("a") },
        { env: "development", key: "DB", changedBy: [id("b")], kept: id("a") },
        { env: "development", key: "PORT", changedBy: [], kept: null },
      ],
    };
    expect(entryLines(e)).toEqual([
      "mmmmmmmmmm 2024-05-02 bob (merge)  development: +NEW against aaaaaaa  Merge branch 'feature'",
      "    side aaaaaaa (main): ~API_KEY since fffffff",
      "    side bbbbbbb (feature): +NEW ~API_KEY ~DB since fffffff",
      "    API_KEY: changed on both sides (a conflict); the merge kept the side of aaaaaaa (main)",
      "    DB: changed only on the side of bbbbbbb (feature); the merge kept the side of aaaaaaa (main), so that change was lost",
      "    PORT: changed on no side; the merge gave it a version of its own",
    ]);
  });
});
