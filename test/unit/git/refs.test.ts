import { afterEach, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { refsStamp } from "../../../src/git/refs.js";

let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function repo(): { top: string; git: (...args: string[]) => string } {
  dir = mkdtempSync(join(tmpdir(), "envvault-refs-"));
  const top = join(dir, "repo");
  const env = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@example.invalid", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@example.invalid" };
  const git = (...args: string[]) => {
    const r = spawnSync("git", args, { cwd: top, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  spawnSync("git", ["init", "-q", "-b", "main", top], { env });
  return { top, git };
}

describe("the refs' stamp", () => {
  test("stays while no ref moves; changes with a commit, a new branch, a remote-tracking ref, a checkout and packing", () => {
    const { top, git } = repo();
    const stamps = [refsStamp(top)];
    git("commit", "-q", "--allow-empty", "-m", "one");
    stamps.push(refsStamp(top));
    expect(refsStamp(top)).toBe(stamps[1]);
    git("branch", "side");
    stamps.push(refsStamp(top));
    git("update-ref", "refs/remotes/origin/main", "HEAD");
    stamps.push(refsStamp(top));
    git("checkout", "-q", "side");
    stamps.push(refsStamp(top));
    git("pack-refs", "--all");
    stamps.push(refsStamp(top));
    git("tag", "v1");
    expect(refsStamp(top)).toBe(stamps[5]); // a loose tag is not a ref the history starts from
    expect(stamps.every((s) => s !== undefined && /^[0-9a-f]{64}$/.test(s))).toBe(true);
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  test("a linked worktree has its own HEAD; a repository keeping refs in a reftable has no stamp", () => {
    const { top, git } = repo();
    git("commit", "-q", "--allow-empty", "-m", "one");
    const linked = join(dir!, "linked");
    git("worktree", "add", "-q", "--detach", linked);
    expect(refsStamp(linked)).not.toBe(refsStamp(top));
    mkdirSync(join(top, ".git", "reftable"));
    expect(refsStamp(top)).toBeUndefined();
  });
});
