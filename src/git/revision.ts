/**
 * The vault as of any commit (`vault unlock --at REV`, `vault status`, `vault diff`):
 * isomorphic-git resolves names and reads blobs in-process, with one object cache shared by
 * every read of a command. Revision expressions it does not implement (`HEAD~2`, `main^2`,
 * `@{upstream}`, `:/message`) go to `git rev-parse`. Objects and refs live in the common git
 * directory, which a linked worktree's `.git` file does not point at directly
 * (isomorphic-git would look in `.git/worktrees/NAME`): it is passed explicitly, and a
 * worktree's own HEAD is read from its own git directory.
 */
import * as fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { git as systemGit } from "./exec.js";
import type { Repo } from "./repo.js";

type Iso = typeof import("isomorphic-git").default;
let iso: Promise<Iso> | undefined;
const isomorphicGit = (): Promise<Iso> => (iso ??= import("isomorphic-git").then((m) => m.default));

const notFound = (e: unknown) => typeof e === "object" && e !== null && ((e as { code?: string }).code === "NotFoundError" || (e as { code?: string }).code === "ENOENT");

/** One repository's reads, sharing isomorphic-git's object cache. */
export class RevisionReader {
  readonly cache: object = {};

  constructor(readonly repo: Repo) {}

  private unknown(rev: string, cause?: unknown): UsageError {
    return new UsageError(`unknown revision ${JSON.stringify(rev)}`, {
      hints: ["name a commit, branch or tag: `git log --oneline` lists commits"],
      cause,
    });
  }

  /**
   * What this work tree's HEAD names: a ref (a branch, which may have no commit yet) or, when
   * detached, a commit. Read from its own git directory: a linked worktree has its own HEAD.
   */
  async head(): Promise<{ ref: string } | { commit: string }> {
    const head = (await readFile(join(this.repo.gitDir, "HEAD"), "utf8")).trim();
    return head.startsWith("ref: ") ? { ref: head.slice(5) } : { commit: head };
  }

  /** The commit a revision names (an annotated tag is peeled). */
  async resolve(rev: string): Promise<string> {
    const g = await isomorphicGit();
    const gitdir = this.repo.commonDir;
    const commitOf = async (oid: string) => (await g.readCommit({ fs, gitdir, oid, cache: this.cache })).oid;
    try {
      if (/^[0-9a-f]{40}$/i.test(rev)) return await commitOf(rev.toLowerCase());
      if (rev === "HEAD" || rev === "@") {
        const head = await this.head();
        return await commitOf("commit" in head ? head.commit : await g.resolveRef({ fs, gitdir, ref: head.ref }));
      }
      if (/^[A-Za-z0-9_][\w./-]*$/.test(rev) && !rev.includes("..") && !rev.endsWith(".lock")) {
        try {
          return await commitOf(await g.resolveRef({ fs, gitdir, ref: rev }));
        } catch (e) {
          if (!notFound(e) || !/^[0-9a-f]{4,39}$/i.test(rev)) throw e;
          return await commitOf(await g.expandOid({ fs, gitdir, oid: rev.toLowerCase(), cache: this.cache }));
        }
      }
    } catch (e) {
      if (notFound(e) || (e as { code?: string }).code === "AmbiguousError") throw this.unknown(rev, e);
      throw e;
    }
    const r = await systemGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], { cwd: this.repo.top, allowFail: true });
    if (r.code !== 0) throw this.unknown(rev);
    return r.stdout.toString("utf8").trim();
  }

  /** A file's text at a commit, or undefined when it does not exist there. */
  async read(oid: string, path: string): Promise<string | undefined> {
    const g = await isomorphicGit();
    try {
      const { blob } = await g.readBlob({ fs, gitdir: this.repo.commonDir, oid, filepath: path, cache: this.cache });
      return new TextDecoder("utf-8").decode(blob);
    } catch (e) {
      if (notFound(e) || (e as { code?: string }).code === "ObjectTypeError") return undefined;
      throw e;
    }
  }

  /** Names in a directory at a commit (empty when it does not exist there). */
  async list(oid: string, dir: string): Promise<string[]> {
    const g = await isomorphicGit();
    try {
      const { tree } = await g.readTree({ fs, gitdir: this.repo.commonDir, oid, filepath: dir, cache: this.cache });
      return tree.map((e) => e.path).sort();
    } catch (e) {
      if (notFound(e) || (e as { code?: string }).code === "ObjectTypeError") return [];
      throw e;
    }
  }
}
