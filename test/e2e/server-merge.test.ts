/**
 * Merges as a hosting server makes them (docs/FORMAT.md §3, §11): two members push branches,
 * and the bare origin merges them with git's own line merge (`git merge-tree --write-tree`,
 * no envvault driver, as GitHub and GitLab do), then a clone verifies the result with the
 * pinned trust root and reads it. Changes to keys apart from each other merge as text and
 * verify as they are; changes to neighbouring keys conflict as text, the server refuses the
 * merge, and a member's clone merges them key by key with the driver. No registered secret
 * appears in any output, and no plaintext value reaches a git object.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const ENV_FILE = ".envvault/envs/development.env";
const SINGLES = ["S1", "S2", "S3", "S4", "S5", "S6"];
const BULK = ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"];
const valueOf = (key: string, who = "base") => `${key.toLowerCase()}-${who}-value-${key.length}0042`;

describe("merges made by the server: git's own line merge, no envvault driver", () => {
  let sb: Sandbox;
  let origin: string;
  let bobDir: string;
  let root: string;
  let expected: Record<string, string>;
  let round = 0;
  const dir = { alice: () => sb.repo, bob: () => bobDir };
  type Who = keyof typeof dir;

  const ok = (who: string, args: string[], o: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; reveals?: string[] } = {}): Run => {
    const r = sb.vault(who, args, o);
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${who}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (who: Who, args: string[]) => sb.git(args, { user: who, cwd: dir[who]() });
  const bare = (args: string[]) => sb.gitTry(args, { user: "server", cwd: origin });
  const set = (who: Who, key: string, value: string) => {
    sb.secret(value);
    ok(who, ["set", key, "--stdin"], { cwd: dir[who](), input: value });
  };
  /** `who` starts a branch from origin's main, lets `change` write, commits and pushes it. */
  const branch = (who: Who, name: string, change: () => void): void => {
    git(who, ["fetch", "-q", "origin"]);
    git(who, ["checkout", "-q", "-B", name, "origin/main"]);
    change();
    git(who, ["add", "-A"]);
    git(who, ["commit", "-q", "-m", `${who}: ${name}`]);
    git(who, ["push", "-q", "-f", "origin", name]);
  };
  /** The server merges `name` into main with git's line merge; the merge commit's sha, or undefined on a text conflict. */
  const serverMerge = (name: string): string | undefined => {
    const tree = bare(["merge-tree", "--write-tree", "main", name]);
    if (tree.code !== 0) {
      expect(tree.code).toBe(1);
      expect(tree.stdout).toContain(`CONFLICT (content): Merge conflict in ${ENV_FILE}`);
      return undefined;
    }
    const sha = bare(["commit-tree", tree.stdout.trim(), "-p", "main", "-p", name, "-m", `Merge branch '${name}'`]).stdout.trim();
    expect(bare(["update-ref", "refs/heads/main", sha]).code).toBe(0);
    return sha;
  };
  /** A fresh clone of origin's main, as a CI job with the pinned root sees it, and alice's clone moved to it. */
  const checkMain = (from: string) => {
    const ci = join(sb.base, `ci-${++round}`);
    sb.git(["clone", "-q", origin, ci], { user: "ci" });
    const text = sb.read(join("..", `ci-${round}`, ENV_FILE));
    expect(text).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    const pinned = sb.vault("ci", ["verify", `${from}..main`], { cwd: ci, env: { ENVVAULT_TRUST_ROOT: root } });
    expect(pinned.stderr).toMatch(/^verified [0-9a-f]{40}\.\.main: \d+ signed commits/);
    expect(pinned.code).toBe(0);
    expect(sb.vault("ci", ["verify"], { cwd: ci, env: { ENVVAULT_TRUST_ROOT: root } }).code).toBe(0);
    git("alice", ["checkout", "-q", "main"]);
    git("alice", ["fetch", "-q", "origin"]);
    git("alice", ["reset", "-q", "--hard", "origin/main"]);
    const verified = sb.vault("alice", ["verify"]);
    expect(verified.stderr).toMatch(/^verified HEAD and the work tree/);
    expect(verified.code).toBe(0);
    const values = JSON.parse(ok("alice", ["export", "--format", "json"], { reveals: [...sb.secrets] }).stdout) as Record<string, string>;
    expect(values).toEqual(expected);
    sb.assertNoSecretInGit();
    sb.assertNoSecretInGit(bobDir);
    sb.assertNoSecretInGit(origin);
  };
  const mainSha = () => bare(["rev-parse", "main"]).stdout.trim();

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox("alice");
    ok("alice", ["init", "--yes"]);
    // S keys each by a set of its own (a batch and a record each); T keys by one import (one of each for all).
    for (const k of SINGLES) set("alice", k, valueOf(k));
    const bulk = Object.fromEntries(BULK.map((k) => [k, valueOf(k)]));
    sb.secret(...Object.values(bulk));
    sb.write("../bulk.env", Object.entries(bulk).map(([k, v]) => `${k}=${v}\n`).join(""));
    ok("alice", ["import", join(sb.base, "bulk.env")]);
    const bob = sb.member("bob");
    ok("alice", ["member", "add", "bob", ...bob.args]);
    ok("alice", ["grant", "bob", "development"]);
    sb.commitAll("vault with alice (admin) and bob (writer)", "alice");
    root = ok("alice", ["verify"]).stdout.trim();
    expect(root).toMatch(/^[0-9a-f]{64}$/);
    expected = Object.fromEntries([...SINGLES, ...BULK].map((k) => [k, valueOf(k)]));
    origin = join(sb.base, "origin.git");
    sb.git(["init", "-q", "--bare", "-b", "main", origin]);
    git("alice", ["remote", "add", "origin", origin]);
    git("alice", ["push", "-q", "-u", "origin", "main"]);
    bobDir = join(sb.base, "bob");
    mkdirSync(bobDir);
    sb.git(["clone", "-q", origin, bobDir], { user: "bob" });
    sb.git(["config", "commit.gpgsign", "false"], { cwd: bobDir });
  });

  afterAll(() => sb?.cleanup());

  test("keys apart, each written by a set of its own: merged as text on the first try, and it verifies", () => {
    const from = mainSha();
    branch("alice", "alice-s2", () => set("alice", "S2", valueOf("S2", "alice")));
    branch("bob", "bob-s5", () => set("bob", "S5", valueOf("S5", "bob")));
    expect(serverMerge("alice-s2")).toBeDefined();
    expect(serverMerge("bob-s5")).toBeDefined();
    expected = { ...expected, S2: valueOf("S2", "alice"), S5: valueOf("S5", "bob") };
    checkMain(from);
  });

  test("keys apart within one import (one batch and one record for all of them): merged as text, and it verifies", () => {
    const from = mainSha();
    branch("alice", "alice-t1", () => set("alice", "T1", valueOf("T1", "alice")));
    branch("bob", "bob-t7", () => set("bob", "T7", valueOf("T7", "bob")));
    expect(serverMerge("bob-t7")).toBeDefined();
    expect(serverMerge("alice-t1")).toBeDefined();
    expected = { ...expected, T1: valueOf("T1", "alice"), T7: valueOf("T7", "bob") };
    checkMain(from);
  });

  test("a removal on one side, a new key and a change on the other: merged as text, and it verifies", () => {
    const from = mainSha();
    branch("alice", "alice-rm-s3", () => ok("alice", ["remove", "S3"]));
    branch("bob", "bob-new", () => {
      set("bob", "U_NEW", valueOf("U_NEW", "bob"));
      set("bob", "S6", valueOf("S6", "bob"));
    });
    expect(serverMerge("alice-rm-s3")).toBeDefined();
    expect(serverMerge("bob-new")).toBeDefined();
    delete expected.S3;
    expected = { ...expected, U_NEW: valueOf("U_NEW", "bob"), S6: valueOf("S6", "bob") };
    checkMain(from);
    expect(sb.read(ENV_FILE)).toMatch(/^#@removed S3 development /m);
  });

  test("an admin adds a member while a writer sets a key: merged as text, it verifies, and the new member reads", () => {
    const from = mainSha();
    const carol = sb.member("carol");
    branch("alice", "alice-carol", () => {
      ok("alice", ["member", "add", "carol", ...carol.args]);
      ok("alice", ["grant", "carol", "development"]);
    });
    branch("bob", "bob-t4", () => set("bob", "T4", valueOf("T4", "bob")));
    expect(serverMerge("bob-t4")).toBeDefined();
    expect(serverMerge("alice-carol")).toBeDefined();
    expected = { ...expected, T4: valueOf("T4", "bob") };
    checkMain(from);
    const carolDir = join(sb.base, "carol");
    sb.git(["clone", "-q", origin, carolDir], { user: "carol" });
    const got = sb.vault("carol", ["get", "T4"], { cwd: carolDir, env: { ENVVAULT_TRUST_ROOT: root }, reveals: [valueOf("T4", "bob")] });
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(`${valueOf("T4", "bob")}\n`);
  });

  test("neighbouring keys conflict as text: the server refuses, main is unchanged, and the driver in a clone merges them", () => {
    const before = mainSha();
    branch("alice", "alice-s1", () => set("alice", "S1", valueOf("S1", "alice")));
    branch("bob", "bob-s2", () => set("bob", "S2", valueOf("S2", "bob")));
    expect(serverMerge("alice-s1")).toBeDefined();
    expect(serverMerge("bob-s2")).toBeUndefined();
    const afterAlice = mainSha();
    expect(afterAlice).not.toBe(before);
    // Bob merges main into his branch with the driver installed, then the server fast-forwards.
    ok("bob", ["hooks", "install"], { cwd: bobDir });
    git("bob", ["fetch", "-q", "origin"]);
    const pulled = sb.gitTry(["merge", "--no-edit", "origin/main"], { user: "bob", cwd: bobDir });
    expect(pulled.code).toBe(0);
    expect(pulled.stderr).toContain(`envvault: merged ${ENV_FILE} key by key`);
    git("bob", ["push", "-q", "origin", "bob-s2"]);
    expect(serverMerge("bob-s2")).toBeDefined();
    expected = { ...expected, S1: valueOf("S1", "alice"), S2: valueOf("S2", "bob") };
    checkMain(before);
  });
});
