import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { verifySignature } from "../../../src/crypto/sign.js";
import { checkHistory, type WalkLimits } from "../../../src/store/history.js";
import { Vault } from "../../../src/store/vault.js";
import { type Repo, repo, T0 } from "../app/fixture.js";

/** Keeps one parsed file and reads one commit ahead: every version a commit is compared with is read again. */
const TINY: WalkLimits = { keepParsed: 1, readAhead: 1 };

describe("the history walk keeps few parsed versions and reads the rest again from git when it needs them", () => {
  let r: Repo;
  const commit = (message: string) => {
    r.git(["add", "-A"]);
    r.git(["commit", "-q", "-m", message]);
  };

  beforeAll(async () => {
    r = await repo();
    await r.set({ A: "a0", B: "b0", C: "c0", D: "d0" });
    commit("vault");
    // A branch whose tip the merge compares with long after the walk parsed it.
    r.git(["checkout", "-q", "-b", "feature"]);
    await r.set({ D: "d-feature" }, T0 + 1);
    commit("feature sets D");
    r.git(["checkout", "-q", "main"]);
    for (let i = 1; i <= 6; i++) {
      await r.set({ A: `a${i}` }, T0 + 1 + i);
      commit(`A ${i}`);
    }
    // No merge driver in this repository: git's own line merge, as a server's.
    r.git(["merge", "-q", "--no-edit", "feature"]);
  });

  afterAll(() => r?.cleanup());

  test("a legitimate history with a merge verifies the same with the tiniest limits as with the defaults", async () => {
    const tiny = await checkHistory(r.root, ["HEAD"], [], verifySignature, { limits: TINY });
    const usual = await checkHistory(r.root, ["HEAD"], [], verifySignature);
    expect(tiny.problems).toEqual([]);
    expect(usual.problems).toEqual([]);
    expect(tiny.checked).toEqual(usual.checked);
    expect(tiny.checked).toHaveLength(9);
    expect(tiny.root).toBe(usual.root);
  });

  test("a line deleted by hand is found with either limits, naming the commit and the key", async () => {
    const path = join(r.root, Vault.envPath("development"));
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace(/^C=.*\n/m, ""));
    commit("C gone by hand");
    const sha = r.git(["rev-parse", "HEAD"]).trim();
    for (const limits of [TINY, undefined]) {
      const h = await checkHistory(r.root, ["HEAD"], [], verifySignature, limits === undefined ? {} : { limits });
      expect(h.problems.map((p) => [p.commit, p.key, p.what])).toEqual([[sha, "C", "C was deleted without a signed removal (`vault remove` leaves one)"]]);
    }
  });
});
