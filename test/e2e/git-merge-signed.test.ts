/**
 * Two members' clones of one origin merging a signed vault (docs/FORMAT.md §6, §11): disjoint
 * changes merged by the envvault driver, or by git's own text merge where the driver is not
 * installed, verify as they are; a key both changed is settled by `vault resolve`, which signs
 * the side kept, so the merge verifies; a member who may not write the key cannot settle it;
 * two admins' roster changes leave the chain with two heads until `vault sign` joins them.
 * After every step, `vault verify` checks the whole history, no registered secret appears in
 * any output, and no plaintext value reaches a git object of either clone.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import dotenv from "dotenv";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const BASE = { A: "alpha-base-value-001", B: "bravo-base-value-002", C: "charlie-base-value-03", D: "delta-base-value-004", E: "echo-base-value-0005" };

describe("merging a signed vault between two members' clones", () => {
  let sb: Sandbox;
  let bobDir: string;
  const clone = { alice: () => sb.repo, bob: () => bobDir };
  type Who = keyof typeof clone;

  const ok = (user: string, args: string[], o: { cwd?: string; input?: string; reveals?: string[] } = {}): Run => {
    const r = sb.vault(user, args, o);
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (who: Who, args: string[]) => sb.git(args, { user: who, cwd: clone[who]() });
  const gitTry = (who: Who, args: string[]) => sb.gitTry(args, { user: who, cwd: clone[who]() });
  const set = (who: Who, key: string, value: string) => {
    sb.secret(value);
    ok(who, ["set", key, "--stdin"], { cwd: clone[who](), input: value });
  };
  const commit = (who: Who, message: string) => {
    git(who, ["add", "-A"]);
    git(who, ["commit", "-q", "-m", message]);
  };
  const pull = (who: Who) => gitTry(who, ["pull", "--no-rebase", "--no-edit", "origin", "main"]);
  const verified = (who: Who) => {
    const r = sb.vault(who, ["verify"], { cwd: clone[who]() });
    expect(r.stderr).toMatch(/^verified HEAD and the work tree: \d+ signed commits?/);
    expect(r.code).toBe(0);
  };
  const exported = (who: Who): Record<string, string> => JSON.parse(ok(who, ["export", "--format", "json"], { cwd: clone[who](), reveals: [...sb.secrets] }).stdout) as Record<string, string>;
  const noSecretInGit = () => {
    sb.assertNoSecretInGit();
    sb.assertNoSecretInGit(bobDir);
  };
  const whoami = (user: string) => JSON.parse(ok(user, ["whoami", "--json"], { cwd: sb.base }).stdout) as { recipients: string[]; signingKeys: string[] };
  const addMember = (admin: Who, name: string, role: string[]) => {
    ok(name, ["keygen"], { cwd: sb.base });
    const me = whoami(name);
    ok(admin, ["member", "add", name, "--recipient", me.recipients[0]!, "--signing-key", me.signingKeys[0]!], { cwd: clone[admin]() });
    ok(admin, ["grant", name, "development", ...role], { cwd: clone[admin]() });
  };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox("alice");
    sb.secret(...Object.values(BASE));
    ok("alice", ["init", "--yes"]);
    for (const [k, v] of Object.entries(BASE)) set("alice", k, v);
    addMember("alice", "bob", []);
    ok("alice", ["admin", "add", "bob"]);
    commit("alice", "vault with alice and bob");
    const origin = join(sb.base, "origin.git");
    sb.git(["init", "-q", "--bare", "-b", "main", origin]);
    git("alice", ["remote", "add", "origin", origin]);
    git("alice", ["push", "-q", "-u", "origin", "main"]);
    bobDir = join(sb.base, "bob");
    mkdirSync(bobDir);
    sb.git(["clone", "-q", origin, bobDir], { user: "bob" });
    sb.git(["config", "commit.gpgsign", "false"], { cwd: bobDir });
    ok("bob", ["unlock"], { cwd: bobDir });
    verified("bob");
  });

  afterAll(() => sb?.cleanup());

  test("the driver merges two members' changes of different keys: the merge verifies and unlocks", () => {
    ok("bob", ["hooks", "install"], { cwd: bobDir });
    set("alice", "A", "alpha-alice-value-11");
    commit("alice", "alice sets A");
    set("bob", "E", "echo-bob-value-0012");
    commit("bob", "bob sets E");
    git("bob", ["push", "-q", "origin", "main"]);
    const r = pull("alice");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("envvault: merged .envvault/envs/development.env key by key: ~E");
    verified("alice");
    ok("alice", ["unlock"]);
    expect(dotenv.parse(sb.bytes(".env"))).toEqual({ ...BASE, A: "alpha-alice-value-11", E: "echo-bob-value-0012" });
    git("alice", ["push", "-q", "origin", "main"]);
    expect(pull("bob").code).toBe(0);
    verified("bob");
    expect(exported("bob")).toEqual({ ...BASE, A: "alpha-alice-value-11", E: "echo-bob-value-0012" });
    noSecretInGit();
  });

  test("git's own text merge of disjoint changes (no driver installed) merges at once and verifies as it is", () => {
    // One import: the T keys share one batch and one record, which a change of one of them
    // keeps (they still cover the others), so neither side deletes a `#@batch` or `#@sig` line.
    const bulk = Object.fromEntries(["T1", "T2", "T3", "T4", "T5", "T6"].map((k) => [k, `${k.toLowerCase()}-bulk-value-00`]));
    sb.secret(...Object.values(bulk));
    sb.write("../bulk.env", Object.entries(bulk).map(([k, v]) => `${k}=${v}\n`).join(""));
    ok("alice", ["import", join(sb.base, "bulk.env")]);
    commit("alice", "alice imports T1..T6");
    git("alice", ["push", "-q", "origin", "main"]);
    expect(pull("bob").code).toBe(0);
    ok("bob", ["hooks", "uninstall"], { cwd: bobDir });
    set("alice", "T1", "t1-alice-value-0021");
    commit("alice", "alice sets T1");
    git("alice", ["push", "-q", "origin", "main"]);
    // Each side's new `#@batch` and `#@sig` lines sit right before the key they were made
    // for, so the two sides' changes are apart and git's line merge takes both.
    set("bob", "T6", "t6-bob-text-merge-00");
    commit("bob", "bob sets T6");
    const merged = pull("bob");
    expect(merged.code).toBe(0);
    expect(merged.stdout + merged.stderr).not.toContain("envvault: merged");
    verified("bob");
    const values = exported("bob");
    expect(values.T1).toBe("t1-alice-value-0021");
    expect(values.T6).toBe("t6-bob-text-merge-00");
    git("bob", ["push", "-q", "origin", "main"]);
    expect(pull("alice").code).toBe(0);
    verified("alice");
    ok("bob", ["hooks", "install"], { cwd: bobDir });
    noSecretInGit();
  });

  test("both change the same key: a conflict; vault resolve --ours signs the side kept, and the merge verifies", () => {
    set("alice", "C", "charlie-alice-value-31");
    commit("alice", "alice sets C");
    set("bob", "C", "charlie-bob-value-0032");
    commit("bob", "bob sets C");
    git("bob", ["push", "-q", "origin", "main"]);
    const r = pull("alice");
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("CONFLICT (content): Merge conflict in .envvault/envs/development.env");
    expect(r.stderr).toContain("1 conflict(s) left: C (changed on both branches)");
    expect(sb.vault("alice", ["verify"]).code).not.toBe(0);
    const res = ok("alice", ["resolve", "C", "--ours"]);
    expect(res.stderr).toContain("kept ours for C");
    expect(sb.read(".envvault/envs/development.env")).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    git("alice", ["add", ".envvault"]);
    git("alice", ["commit", "-q", "--no-edit"]);
    verified("alice");
    expect(exported("alice").C).toBe("charlie-alice-value-31");
    git("alice", ["push", "-q", "origin", "main"]);
    expect(pull("bob").code).toBe(0);
    verified("bob");
    expect(ok("bob", ["get", "C"], { cwd: bobDir, reveals: ["charlie-alice-value-31"] }).stdout).toBe("charlie-alice-value-31\n");
    noSecretInGit();
  });

  test("a member who may only read the scope cannot settle its key: NotAllowed names the key and scope", () => {
    addMember("alice", "carol", ["--read-only"]);
    commit("alice", "carol reads development");
    git("alice", ["push", "-q", "origin", "main"]);
    expect(pull("bob").code).toBe(0);
    const carol = join(sb.base, "carol");
    sb.git(["clone", "-q", join(sb.base, "origin.git"), carol], { user: "carol" });
    sb.git(["config", "commit.gpgsign", "false"], { cwd: carol });
    ok("carol", ["hooks", "install"], { cwd: carol });
    set("alice", "D", "delta-alice-value-0041");
    commit("alice", "alice sets D");
    git("alice", ["push", "-q", "origin", "main"]);
    set("bob", "D", "delta-bob-value-00042");
    commit("bob", "bob sets D");
    git("bob", ["push", "-q", "origin", "HEAD:refs/heads/bob-d"]);
    sb.git(["fetch", "-q", "origin"], { user: "carol", cwd: carol });
    sb.git(["merge", "-q", "--ff-only", "origin/main"], { user: "carol", cwd: carol });
    const m = sb.gitTry(["merge", "--no-edit", "origin/bob-d"], { user: "carol", cwd: carol });
    expect(m.stderr).toContain("1 conflict(s) left: D (changed on both branches)");
    expect(m.code).not.toBe(0);
    const refused = sb.vault("carol", ["resolve", "D", "--theirs"], { cwd: carol });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("carol may not settle D in .envvault/envs/development.env");
    expect(refused.stderr).toContain("writer of scope development");
    expect(sb.read("../carol/.envvault/envs/development.env")).toContain("<<<<<<< ours D");
    sb.gitTry(["merge", "--abort"], { user: "carol", cwd: carol });
    // bob settles it himself, a writer of the scope
    expect(pull("bob").code).not.toBe(0);
    ok("bob", ["resolve", "D", "--theirs"], { cwd: bobDir });
    git("bob", ["add", ".envvault"]);
    git("bob", ["commit", "-q", "--no-edit"]);
    verified("bob");
    expect(exported("bob").D).toBe("delta-alice-value-0041");
    git("bob", ["push", "-q", "origin", "main"]);
    expect(pull("alice").code).toBe(0);
    verified("alice");
    noSecretInGit();
    sb.assertNoSecretInGit(carol);
  });

  test("each admin adds a member on their branch: roster.yaml merges entry by entry; the merge stops for vault sign to join the chain's two heads", () => {
    addMember("alice", "dave", []);
    commit("alice", "alice adds dave");
    addMember("bob", "erin", []);
    commit("bob", "bob adds erin");
    git("bob", ["push", "-q", "origin", "main"]);
    const r = pull("alice");
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain("Merge conflict in .envvault/roster.yaml");
    expect(r.stdout).toContain("CONFLICT (content): Merge conflict in .envvault/chain");
    expect(r.stderr).toContain("envvault: merged .envvault/roster.yaml key by key: +member erin ~access development");
    expect(r.stderr).toContain("an admin runs `vault sign` (it joins them), then `git add -A` and `git commit`");
    const roster = sb.read(".envvault/roster.yaml");
    expect(roster).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    expect(roster).toMatch(/^  dave:$/m);
    expect(roster).toMatch(/^  erin:$/m);
    const twoHeads = sb.vault("alice", ["verify"]);
    expect(twoHeads.code).toBe(4);
    expect(twoHeads.stdout).toContain(".envvault/chain: the chain has 2 heads");
    expect(twoHeads.stdout).toContain("(`vault sign`)");
    ok("alice", ["sign"]);
    git("alice", ["add", "-A"]);
    git("alice", ["commit", "-q", "--no-edit"]);
    verified("alice");
    expect(exported("alice")).toMatchObject({ A: "alpha-alice-value-11", C: "charlie-alice-value-31", D: "delta-alice-value-0041" });
    git("alice", ["push", "-q", "origin", "main"]);
    expect(pull("bob").code).toBe(0);
    verified("bob");
    for (const member of ["dave", "erin"]) expect(ok(member, ["get", "A"], { cwd: bobDir, reveals: ["alpha-alice-value-11"] }).stdout).toBe("alpha-alice-value-11\n");
    noSecretInGit();
  });
});
