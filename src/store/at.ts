/**
 * The vault as of a commit (`vault unlock --at REV`, `status`, `diff`, `sync`): its files read
 * from git objects through git/revision.ts, never from the work tree. The vault lives at the
 * top of the work tree (store/root.ts), so at the top of every commit.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findRepo, headCommitQuick, mergeHead } from "../git/repo.js";
import { RevisionReader } from "../git/revision.js";
import { findVaultRoot } from "./root.js";
import { envTexts, type VaultSource } from "./source.js";
import { Vault } from "./vault.js";

/** The vault files of a commit, for `Vault.load`; `label` names the commit in messages. */
export function revisionSource(reader: RevisionReader, oid: string, label: string): VaultSource {
  return {
    read: (path) => reader.read(oid, path),
    list: (dir) => reader.list(oid, dir),
    describe: (path) => `${path} at ${label}`,
  };
}

/** The vault as of `rev` (a commit, branch, tag or expression). */
export async function loadVaultAt(cwd: string, rev: string): Promise<{ vault: Vault; commit: string }> {
  const reader = new RevisionReader(await findRepo(cwd));
  const commit = await reader.resolve(rev);
  const vault = await Vault.load(findVaultRoot(cwd), revisionSource(reader, commit, rev));
  vault.commit = commit;
  return { vault, commit };
}

/** The environment files of a commit: environment → text. */
export async function envTextsAt(reader: RevisionReader, oid: string): Promise<Map<string, string>> {
  return envTexts(revisionSource(reader, oid, oid));
}

/**
 * The vault files of the last commit, and of the other side while a merge is in progress:
 * what a write's new lines must name as their predecessors (store/signing.ts). Undefined
 * outside git; no source at all before the first commit.
 */
export async function committedSources(root: string): Promise<VaultSource[] | undefined> {
  if (!existsSync(join(root, ".git"))) return undefined;
  const repo = await findRepo(root);
  const reader = new RevisionReader(repo);
  const heads = await Promise.all([headCommitQuick(root), mergeHead(root)]);
  return heads.filter((h): h is string => h !== undefined).map((h) => revisionSource(reader, h, h.slice(0, 12)));
}
