import { describe, expect, test } from "@jest/globals";
import type { EnvFile } from "../../../src/model/envfile.js";
import { comparisons, entryOf, forKey, type LogEntry, mergeOutcome, treesOf } from "../../../src/model/log.js";

/** An environment file with these values, each sealed value named by its text. */
function file(values: Record<string, string>): EnvFile {
  const sealed = new Map(Object.entries(values).map(([k, v]) => [k, { batch: "b", t: 1, payload: v }]));
  return { env: "dev", version: 2, comments: [], scopes: new Map(), scopePrev: new Map(), batches: new Map(), sigs: new Map(), removed: new Map(), values: sealed };
}

describe("the files of every commit", () => {
  test("follow first parents, in any order, with removals", () => {
    const trees = treesOf([
      { commit: "m", parents: ["c", "b"], changed: new Map([["dev", "blob-m"]]) },
      { commit: "b", parents: ["a"], changed: new Map([["dev", "blob-b"]]) },
      { commit: "c", parents: ["a"], changed: new Map([["prod", undefined]]) },
      { commit: "a", parents: [], changed: new Map([["dev", "blob-a"], ["prod", "blob-p"]]) },
    ]);
    expect(trees.get("a")).toEqual(new Map([["dev", "blob-a"], ["prod", "blob-p"]]));
    expect(trees.get("c")).toEqual(new Map([["dev", "blob-a"]]));
    expect(trees.get("b")).toEqual(new Map([["dev", "blob-b"], ["prod", "blob-p"]]));
    expect(trees.get("m")).toEqual(new Map([["dev", "blob-m"]]));
  });

  test("a history of 100,000 commits in a line needs no deep stack", () => {
    const commits = Array.from({ length: 100_000 }, (_, i) => ({ commit: `c${i}`, parents: i === 0 ? [] : [`c${i - 1}`], changed: new Map([["dev", `blob${i}`]]) }));
    expect(treesOf(commits.reverse()).get("c99999")?.get("dev")).toBe("blob99999");
  });
});

describe("how a merge settled its sides", () => {
  const outcome = (base: Record<string, string>, ours: Record<string, string>, theirs: Record<string, string>, merged: Record<string, string>) =>
    mergeOutcome({ env: "dev", base: file(base), sides: [{ parent: "P1", file: file(ours) }, { parent: "P2", file: file(theirs) }], merged: file(merged) });

  test("each side's change taken: nothing settled, each side's change listed", () => {
    const r = outcome({ A: "1", B: "1" }, { A: "2", B: "1" }, { A: "1", B: "1", C: "1" }, { A: "2", B: "1", C: "1" });
    expect(r.settled).toEqual([]);
    expect(r.sides).toEqual([
      { env: "dev", added: [], changed: ["A"], removed: [], rekeyed: [] },
      { env: "dev", added: ["C"], changed: [], removed: [], rekeyed: [] },
    ]);
  });

  test("a side's change the merge did not keep is lost", () => {
    expect(outcome({ A: "1" }, { A: "1" }, { A: "2" }, { A: "1" }).settled).toEqual([{ env: "dev", key: "A", changedBy: ["P2"], kept: "P1" }]);
    expect(outcome({ A: "1" }, { A: "1" }, {}, { A: "1" }).settled).toEqual([{ env: "dev", key: "A", changedBy: ["P2"], kept: "P1" }]);
  });

  test("a conflict settled with one side, or a value of its own", () => {
    expect(outcome({ A: "1" }, { A: "2" }, { A: "3" }, { A: "3" }).settled).toEqual([{ env: "dev", key: "A", changedBy: ["P1", "P2"], kept: "P2" }]);
    expect(outcome({ A: "1" }, { A: "2" }, { A: "3" }, { A: "4" }).settled).toEqual([{ env: "dev", key: "A", changedBy: ["P1", "P2"], kept: null }]);
  });

  test("the same change on both sides is no conflict; a value set in the merge itself is said", () => {
    expect(outcome({ A: "1" }, { A: "2" }, { A: "2" }, { A: "2" }).settled).toEqual([]);
    expect(outcome({ A: "1" }, { A: "1" }, { A: "1" }, { A: "5" }).settled).toEqual([{ env: "dev", key: "A", changedBy: [], kept: null }]);
  });
});

describe("a log narrowed to one key", () => {
  const change = (added: string[], changed: string[]) => ({ env: "dev", added, changed, removed: [], rekeyed: ["dev"] });
  const entry = (over: Partial<LogEntry>): LogEntry => ({
    commit: "c",
    parents: ["p"],
    refs: [],
    author: "a",
    date: "2024-01-01T00:00:00Z",
    subject: "s",
    merge: false,
    changes: [],
    base: null,
    sides: [],
    settled: [],
    ...over,
  });

  test("keeps a merge whose only mention of the key is a side's lost change, and only that key", () => {
    const merge = entry({
      commit: "m",
      parents: ["p1", "p2"],
      merge: true,
      changes: [change(["OTHER"], [])],
      base: "b",
      sides: [
        { parent: "p1", refs: ["main"], changes: [] },
        { parent: "p2", refs: ["feature"], changes: [change(["OTHER"], ["KEY"])] },
      ],
      settled: [
        { env: "dev", key: "KEY", changedBy: ["p2"], kept: "p1" },
        { env: "dev", key: "ELSE", changedBy: [], kept: null },
      ],
    });
    const plain = entry({ commit: "x", changes: [change(["OTHER"], [])] });
    const [narrowed, ...rest] = forKey([merge, plain], "KEY");
    expect(rest).toEqual([]);
    expect(narrowed?.changes).toEqual([]);
    expect(narrowed?.sides.map((s) => s.changes)).toEqual([[], [{ env: "dev", added: [], changed: ["KEY"], removed: [], rekeyed: [] }]]);
    expect(narrowed?.settled).toEqual([{ env: "dev", key: "KEY", changedBy: ["p2"], kept: "p1" }]);
  });
});

describe("the commits vault log compares", () => {
  // main: a → c → m (merges b, whose change of dev it drops) → n (merges a branch that changed nothing of the vault)
  const commits = [
    { commit: "n", parents: ["m", "x"], changed: new Map() },
    { commit: "x", parents: ["m"], changed: new Map() },
    { commit: "m", parents: ["c", "b"], changed: new Map() },
    { commit: "b", parents: ["a"], changed: new Map([["dev", "blob-b"]]) },
    { commit: "c", parents: ["a"], changed: new Map([["prod", "blob-p"]]) },
    { commit: "a", parents: [], changed: new Map([["dev", "blob-a"]]) },
  ];

  test("every commit that changed a file, and a merge that differs from a parent, with its fork point", () => {
    expect(comparisons(commits).list).toEqual([
      // prod too: m has it from c, b does not.
      { commit: "m", parents: ["c", "b"], envs: ["dev", "prod"], base: "a" },
      { commit: "b", parents: ["a"], envs: ["dev"] },
      { commit: "c", parents: ["a"], envs: ["prod"] },
      { commit: "a", parents: [], envs: ["dev"] },
    ]);
  });

  test("the merge's entry: nothing against its first parent, the side's change lost", () => {
    const { list, trees } = comparisons(commits);
    const files = new Map([["blob-a", file({ K: "1" })], ["blob-b", file({ K: "2" })], ["blob-p", file({ P: "1" })]]);
    const version = (commit: string | undefined, env: string) => files.get(trees.get(commit ?? "")?.get(env) ?? "");
    const info = { commit: "m", refs: ["HEAD -> main"], author: "al", date: "2024-01-01T00:00:00Z", subject: "merge b" };
    expect(entryOf(info, list[0]!, version, (c) => (c === "b" ? ["b"] : []))).toEqual({
      ...info,
      parents: ["c", "b"],
      merge: true,
      changes: [],
      base: "a",
      sides: [
        { parent: "c", refs: [], changes: [{ env: "prod", added: ["P"], changed: [], removed: [], rekeyed: [] }] },
        { parent: "b", refs: ["b"], changes: [{ env: "dev", added: [], changed: ["K"], removed: [], rekeyed: [] }] },
      ],
      settled: [{ env: "dev", key: "K", changedBy: ["b"], kept: "c" }],
    });
  });
});
