import { afterEach, describe, expect, test } from "@jest/globals";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { refreshFingerprints } from "../../../src/app/fingerprints.js";
import { refresh } from "../../../src/app/hooks.js";
import { preCommit } from "../../../src/app/precommit.js";
import { loadCache } from "../../../src/store/fingerprints.js";
import { repo, type Repo, T0 } from "./fixture.js";

let r: Repo | undefined;

afterEach(async () => {
  await r?.cleanup();
  r = undefined;
});

const cacheBytes = (root: string) => readFile(join(root, ".envvault.local", "fingerprints.bin"));
const table = (bytes: Buffer) => bytes.subarray(bytes.indexOf(0x0a) + 1);

async function commitValue(repo: Repo, value: string, t: number): Promise<void> {
  await repo.set({ API_KEY: value }, t);
  repo.git(["add", "-A"]);
  repo.git(["commit", "-q", "-m", `API_KEY at ${t}`]);
}

describe("the fingerprint cache's rebuild", () => {
  test("after a ref moved with nothing new in the history, the table is kept byte for byte and the new refs are recorded", async () => {
    r = await repo();
    await commitValue(r, "sk-value-one-1/a", T0);
    await refreshFingerprints(r.root, r.deps);
    const before = await cacheBytes(r.root);
    r.git(["commit", "-q", "--allow-empty", "-m", "a ref moved"]);
    await refreshFingerprints(r.root, r.deps);
    const after = await cacheBytes(r.root);
    expect(table(after).equals(table(before))).toBe(true);
    expect((await loadCache(r.root))?.data.history?.refs).not.toBe(JSON.parse(before.toString("utf8", 0, before.indexOf(0x0a))).history.refs);
  });

  test("a value set again is an earlier value at once, committed or not; the cache holds no plaintext", async () => {
    r = await repo();
    await commitValue(r, "sk-value-two-1/b", T0);
    await r.set({ API_KEY: "sk-never-committed-2/c" }, T0 + 60);
    await refreshFingerprints(r.root, r.deps);
    await r.set({ API_KEY: "sk-value-three-3/d" }, T0 + 120);
    const report = await refreshFingerprints(r.root, r.deps);
    expect(report).toMatchObject({ values: 1, earlier: 2, history: 50 });
    const bytes = await cacheBytes(r.root);
    for (const v of ["sk-value-two", "sk-never-committed", "sk-value-three"]) expect(bytes.includes(v)).toBe(false);
    await writeFile(join(r.root, "e.txt"), "sk-never-committed-2/c\n");
    r.git(["add", "e.txt"]);
    expect((await preCommit(r.deps)).findings.map((f) => f.what)).toEqual(["an earlier value of API_KEY (development)"]);
  });

  test("values of versions that left the history stay until half of what was read has left, or `vault hooks refresh`", async () => {
    r = await repo();
    await r.write({ ".envvault/vault.yaml": (await readFile(join(r.root, ".envvault/vault.yaml"), "utf8")) + "pre_commit:\n  history: 4\n" });
    for (let i = 1; i <= 5; i++) {
      await commitValue(r, `sk-value-${i}-of-five/g`, T0 + 60 * i);
      await refreshFingerprints(r.root, r.deps);
    }
    // Versions 2 to 5 are in the history; 1 left it, one version of the four read.
    expect(await refreshFingerprints(r.root, r.deps)).toMatchObject({ values: 1, earlier: 4 });
    expect(await refresh(r.deps)).toMatchObject({ values: 1, earlier: 3, history: 4 });
    await writeFile(join(r.root, "f.txt"), "sk-value-1-of-five/g\nsk-value-2-of-five/g\n");
    r.git(["add", "f.txt"]);
    expect((await preCommit(r.deps)).findings.map((f) => `${f.line}: ${f.what}`)).toEqual(["2: an earlier value of API_KEY (development)"]);
  });
});
