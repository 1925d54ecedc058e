import { describe, expect, test } from "@jest/globals";
import { CommitGraph } from "../../../src/model/graph.js";

/** A graph from `child: parent parent` lines, newest first. */
function graph(lines: string[]): { commit: string; parents: string[] }[] {
  return lines.map((l) => {
    const [commit = "", parents = ""] = l.split(":");
    return { commit, parents: parents.split(" ").filter((p) => p !== "") };
  });
}

describe("where the sides of a merge forked", () => {
  test("a branch off a line", () => {
    const g = new CommitGraph(graph(["m:d c", "d:b", "c:b", "b:a", "a:"]));
    expect(g.mergeBase(["d", "c"])).toBe("b");
  });

  test("one side an ancestor of the other", () => {
    const g = new CommitGraph(graph(["c:b", "b:a", "a:"]));
    expect(g.mergeBase(["c", "a"])).toBe("a");
  });

  test("after an earlier merge, the later fork point", () => {
    // x merged into main at m1; x goes on (y); main goes on (e); merging y again forks at x, not a.
    const g = new CommitGraph(graph(["m2:e y", "y:x", "e:m1", "m1:b x", "x:a", "b:a", "a:"]));
    expect(g.mergeBase(["e", "y"])).toBe("x");
  });

  test("a criss-cross merge: of the two best, the one listed first", () => {
    // b and c were each merged into the other's line (m1, m2): both are best fork points of p and q.
    const g = new CommitGraph(graph(["p:m1", "q:m2", "m2:c b", "m1:b c", "c:a", "b:a", "a:"]));
    expect(g.mergeBase(["p", "q"])).toBe("c");
    expect(new CommitGraph(graph(["p:m1", "q:m2", "m2:c b", "m1:b c", "b:a", "c:a", "a:"])).mergeBase(["p", "q"])).toBe("b");
  });

  test("an octopus: the fork of all sides", () => {
    const g = new CommitGraph(graph(["o:d e f", "d:b", "e:b", "f:a", "b:a", "a:"]));
    expect(g.mergeBase(["d", "e", "f"])).toBe("a");
  });

  test("no common history", () => {
    const g = new CommitGraph(graph(["b:", "a:"]));
    expect(g.mergeBase(["a", "b"])).toBeUndefined();
  });
});
