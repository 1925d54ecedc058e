/**
 * `vault verify [REV | A..B]`: the history check of docs/FORMAT.md §6 over all of a commit's
 * history or over a range (a pull request: the commits of B that A does not have), plus the
 * state of the work tree; what passed is remembered in this clone's trust cache.
 */
import { UsageError, VaultError } from "../errors.js";
import { findRepo, headCommit } from "../git/repo.js";
import { RevisionReader } from "../git/revision.js";
import { CHAIN_FILE } from "../model/layout.js";
import type { TrustProblem } from "../model/signed.js";
import { checkHistory } from "../store/history.js";
import { findVaultRoot } from "../store/root.js";
import { TrustCache } from "../store/trust.js";
import { cachedVerifier, trustVault } from "../store/verified.js";
import { Vault } from "../store/vault.js";
import { type Deps, pinnedRoot } from "./session.js";
import { resolveIdentity } from "../store/identity.js";

export interface VerifyInput {
  /** A commit, or a range `A..B`; default: HEAD. */
  target?: string;
}

export interface Verified {
  /** The trust root the history shares (the one to pin). */
  root?: string;
  /** Commits checked (signed), and commits from before the vault was signed. */
  checked: number;
  unsigned: number;
  problems: TrustProblem[];
  /** What was verified, for messages. */
  range: string;
}

/** The identities and their trust cache, when there is an identity (CI may verify without one). */
async function cacheFor(deps: Deps, root: string): Promise<{ identities: string[]; cache?: TrustCache }> {
  try {
    const { identities } = await resolveIdentity({ flag: deps.identityFile, env: deps.processEnv });
    const id = identities[0];
    return id === undefined ? { identities } : { identities, cache: await TrustCache.open(root, id) };
  } catch (e) {
    if (e instanceof VaultError && e.code === "NO_IDENTITY") return { identities: [] };
    throw e;
  }
}

/** Verifies history (and, for HEAD, the work tree); never throws for a problem found: it is in the result. */
export async function verifyHistory(deps: Deps, o: VerifyInput): Promise<Verified> {
  const root = findVaultRoot(deps.cwd);
  const { identities, cache } = await cacheFor(deps, root);
  const reader = new RevisionReader(await findRepo(root));
  const commitOf = (rev: string) => reader.resolve(rev);
  const pin = pinnedRoot(deps) ?? cache?.pinned;
  const verify = cachedVerifier(cache);
  const target = o.target ?? "HEAD";
  const range = /^(.+?)\.\.(.+)$/.exec(target);
  if (range !== null && range[2]!.startsWith(".")) throw new UsageError(`${target}: use a range A..B (two dots)`);
  const head = range === null && o.target === undefined ? await headCommit(root) : undefined;
  const tips = range !== null ? [await commitOf(range[2]!)] : o.target === undefined ? (head === undefined ? [] : [head]) : [await commitOf(target)];
  // Commits this clone verified before were good: a repeated verify starts after them.
  const exclude = range !== null ? [await commitOf(range[1]!)] : [...(cache?.verifiedCommits ?? [])];
  const known = cache === undefined ? {} : { knownLink: (h: string) => cache.hasLink(h) };
  const history = await checkHistory(root, tips, exclude, verify, { ...(pin === undefined ? {} : { pin }), ...known });
  const problems = [...history.problems];
  // The work tree too, when HEAD was asked for: a change not committed yet is used as well.
  if (o.target === undefined) {
    const vault = await Vault.load(root);
    vault.commit = head;
    try {
      const fromRoot = pin ?? history.root;
      await trustVault(vault, { identities, history: false, ...(fromRoot === undefined ? {} : { pin: fromRoot }) });
      for (const env of Object.keys(vault.config.data.environments)) await vault.envFile(env);
    } catch (e) {
      if (!(e instanceof VaultError) || (e.code !== "UNVERIFIED" && e.code !== "TAMPERED" && e.code !== "INVALID_FILE")) throw e;
      const data = e.data;
      // HEAD's own problems are listed already; the work tree's are news only otherwise.
      if (head === undefined || !history.bad.has(head)) problems.push({ file: typeof data.file === "string" ? data.file : CHAIN_FILE, ...(typeof data.key === "string" ? { key: data.key } : {}), what: `work tree: ${e.message.replace(/^the vault is not verified: /, "")}` });
    }
  }
  if (history.checked.length === 0 && problems.length === 0 && tips.length > 0 && exclude.length === 0 && history.unsigned.length > 0) {
    problems.push({ file: CHAIN_FILE, what: "the vault is not signed: no commit has a chain of trust (an admin adopts it with `vault verify --adopt`)" });
  }
  if (problems.length === 0 && cache !== undefined) {
    for (const c of [...history.checked, ...history.unsigned]) cache.addCommit(c);
    if (cache.pinned === undefined && pinnedRoot(deps) === undefined && history.root !== undefined) cache.pin(history.root);
    await cache.save();
  }
  const trustRoot = history.root ?? (range === null ? pin : undefined);
  return { ...(trustRoot === undefined ? {} : { root: trustRoot }), checked: history.checked.length, unsigned: history.unsigned.length, problems, range: range !== null ? target : o.target ?? "HEAD and the work tree" };
}
