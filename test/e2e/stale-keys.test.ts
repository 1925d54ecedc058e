/**
 * A rotation on one branch and a grant on another merge cleanly as text, yet the granted key
 * file wraps the scope key from before the rotation (docs/FORMAT.md §11, "Key files are not
 * merged"). Every command that reports access says so — `vault check` (non-zero), `vault
 * access` (no read access, marked), `vault status`, and the new member's own read, which names
 * the cause and the fix — and `vault rotate --scope` by a reader repairs it. No registered
 * secret in any output; none in a git object.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { requireBuild, type Run, Sandbox } from "./harness.js";

const DB = "postgres://stale-key-test-db/value-01";

describe("a grant merged with a rotation leaves a stale key file, and every report names it", () => {
  let sb: Sandbox;
  const ok = (user: string, args: string[], input?: string): Run => {
    const r = sb.vault(user, args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
    return r;
  };
  const git = (args: string[]) => sb.git(args, { user: "alice" });

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(DB);
    ok("alice", ["init", "--yes"]);
    ok("alice", ["set", "DB", "--stdin"], DB);
    sb.commitAll("the vault", "alice");
    const carol = sb.member("carol");
    // The grant, on a branch.
    git(["checkout", "-q", "-b", "carol-joins"]);
    ok("alice", ["member", "add", "carol", ...carol.args]);
    ok("alice", ["grant", "carol", "development"]);
    sb.commitAll("carol reads development", "alice");
    // The rotation, on main.
    git(["checkout", "-q", "main"]);
    ok("alice", ["rotate", "--scope", "development"]);
    sb.commitAll("rotate development", "alice");
    // Merged as a server would: git's own line merge.
    sb.write(".git/info/attributes", "*.env merge=text\n");
    const merged = sb.gitTry(["merge", "--no-edit", "carol-joins"], { user: "alice" });
    expect(merged.code).toBe(0);
    sb.remove(".git/info/attributes");
  });

  afterAll(() => sb?.cleanup());

  test("the merge verifies (every line is signed), yet carol's key file holds the key from before the rotation", () => {
    expect(ok("alice", ["verify"]).code).toBe(0);
    const check = sb.vault("alice", ["check"]);
    expect(check.code).not.toBe(0);
    expect(check.stdout + check.stderr).toContain("development: carol's key file holds a key the scope no longer has (written before a rotation it was merged with), so carol cannot read it; `vault rotate --scope development` by a reader wraps the current key for every reader");
    const json = JSON.parse(sb.vault("alice", ["check", "--json"]).stdout) as { problems: { kind: string; scope?: string; member?: string; detail?: string }[] };
    expect(json.problems).toContainEqual({ kind: "drift", scope: "development", member: "carol", detail: "stale key file" });
  });

  test("vault access does not count it as read access; vault status names the file", () => {
    const access = JSON.parse(ok("alice", ["access", "--json"]).stdout) as { members: { member: string; scopes: Record<string, { access: string; drift: boolean }> }[] };
    expect(access.members.find((m) => m.member === "carol")?.scopes.development).toEqual({ access: "write", drift: true });
    expect(access.members.find((m) => m.member === "alice")?.scopes.development).toEqual({ access: "read", drift: false });
    const status = ok("alice", ["status"]);
    expect(status.stdout).toContain("stale key file: .envvault/keys/development/carol.age was written for a key scope development no longer has");
  });

  test("carol's own read names the cause and the fix, and reads nothing", () => {
    const r = sb.vault("carol", ["get", "DB"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(".envvault/keys/development/carol.age: it holds a key scope development no longer has");
    expect(r.stderr).toContain("`vault rotate --scope development`");
  });

  test("a reader's vault rotate --scope repairs it: carol reads, check is clean", () => {
    ok("alice", ["rotate", "--scope", "development"]);
    sb.commitAll("wrap the current key for carol", "alice");
    expect(sb.vault("carol", ["get", "DB"], { reveals: [DB] }).stdout).toBe(`${DB}\n`);
    const check = sb.vault("alice", ["check"]);
    expect(check.stdout + check.stderr).not.toContain("stale");
    expect(ok("alice", ["verify"]).code).toBe(0);
    sb.assertNoSecretInGit();
  });
});
