/**
 * Verification before use (docs/FORMAT.md §6): a vault is read, and written, only when its
 * chain of trust vouches for roster.yaml, vault.yaml and exposed.json, every line of each
 * environment file used is signed by a member allowed to sign it, and the commits that led
 * to it passed the history check. What passed is remembered in this clone's trust cache.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Unverified } from "../errors.js";
import { sha256Hex, verifySignature } from "../crypto/sign.js";
import { headCommitQuick } from "../git/repo.js";
import type { EnvFile } from "../model/envfile.js";
import { signedView } from "../model/envfile.js";
import { CHAIN_FILE, EXPOSED_FILE } from "../model/layout.js";
import { checkSignedFile, describeProblem, type TrustProblem } from "../model/signed.js";

export { describeProblem } from "../model/signed.js";
import { checkState, type VerifySignature } from "../model/trust.js";
import { TrustCache } from "./trust.js";
import type { Vault } from "./vault.js";

export interface TrustOptions {
  /** The reader's identities: the first one keys the trust cache. */
  identities: readonly string[];
  /** `ENVVAULT_TRUST_ROOT`: the root the vault must have, whatever this clone pinned. */
  pin?: string;
  /** Read anyway, with a warning (recovery). */
  allowUnverified?: boolean;
  warn?: (message: string) => void;
  /** Skip the history check (the caller ran it). */
  history?: false;
  /** Collect every problem here instead of stopping at the first (`vault check`). */
  collect?: TrustProblem[];
}

/** The error a reader stops with, naming the first problem and how many there are. */
export function unverified(problems: readonly TrustProblem[]): Unverified {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
  return new Unverified(`the vault is not verified: ${describeProblem(first)}${more}`, {
    data: { file: first.file, ...(first.key === undefined ? {} : { key: first.key }), ...(first.env === undefined ? {} : { env: first.env }), ...(first.commit === undefined ? {} : { commit: first.commit }), ...(first.signer === undefined ? {} : { signer: first.signer }), problems: problems.length },
    hints: [
      "`vault verify` lists every problem with its commit, file, key and signer; revert what nobody on the team wrote",
      "a vault from before signatures is adopted once by an admin: `vault verify --adopt`",
      "to read anyway for recovery: --allow-unverified (it is logged)",
    ],
  });
}

/** A signature check that remembers what verified in the cache. */
export function cachedVerifier(cache: TrustCache | undefined): VerifySignature {
  if (cache === undefined) return verifySignature;
  return (key, message, signature) => {
    const id = sha256Hex(Buffer.concat([message, signature, Buffer.from(key, "utf8")]));
    if (cache.hasRecord(id)) return true;
    const ok = verifySignature(key, message, signature);
    if (ok) cache.addRecord(id);
    return ok;
  };
}

/**
 * Verifies a loaded vault before use and guards every environment file read from it. Throws
 * Unverified (exit 4) on the first failure, unless `allowUnverified`, which warns instead.
 */
export async function trustVault(vault: Vault, o: TrustOptions): Promise<void> {
  const fail = (found: readonly TrustProblem[]): boolean => {
    if (found.length === 0) return false;
    if (o.collect !== undefined) {
      o.collect.push(...found);
      return true;
    }
    if (o.allowUnverified !== true) throw unverified(found);
    o.warn?.(`reading an unverified vault (--allow-unverified): ${describeProblem(found[0]!)}${found.length > 1 ? ` and ${found.length - 1} more` : ""}`);
    return true;
  };
  const identity = o.identities[0];
  const cache = identity === undefined ? undefined : await TrustCache.open(vault.root, identity);
  const verify = cachedVerifier(cache);
  const [chain, exposedText] = await Promise.all([vault.source.read(CHAIN_FILE), vault.source.read(EXPOSED_FILE)]);
  const pin = o.pin ?? cache?.pinned;
  const state = checkState(
    { ...(chain === undefined ? {} : { chain }), rosterText: vault.texts.roster, vaultText: vault.texts.vault, ...(exposedText === undefined ? {} : { exposedText }), roster: vault.roster.data, envs: [] },
    verify,
    { ...(pin === undefined ? {} : { pin }), ...(cache === undefined ? {} : { knownLink: (h: string) => cache.hasLink(h) }) },
  );
  const stateFailed = fail(state.problems);
  if (!stateFailed && state.chain !== undefined) {
    for (const h of state.chain.links.keys()) cache?.addLink(h);
    if (cache?.pinned === undefined && o.pin === undefined) cache?.pin(state.chain.root.hash);
    const top = vault.root;
    const commit = vault.commit ?? (existsSync(join(top, ".git")) ? await headCommitQuick(top) : undefined);
    if (o.history !== false && commit !== undefined && cache?.hasCommit(commit) !== true) {
      const { checkHistory } = await import("./history.js");
      const history = await checkHistory(top, [commit], cache?.verifiedCommits ?? [], verify, { pin: state.chain.root.hash, ...(cache === undefined ? {} : { knownLink: (h: string) => cache.hasLink(h) }) });
      // What counts for a reader is the commit it reads: a bad commit before it that was
      // undone is `vault verify`'s to report, not a reason to stop every read.
      if (!fail(history.bad.get(commit) ?? [])) for (const c of [...history.checked, ...history.unsigned]) if (!history.bad.has(c)) cache?.addCommit(c);
    }
  }
  const roster = vault.roster.data;
  // A file whose exact bytes passed under this chain head passes again: a reader of a large
  // environment hashes one file instead of every line.
  const head = state.chain?.head.hash;
  const guard = async (f: EnvFile, text?: string) => {
    const seen = text === undefined || head === undefined || cache === undefined ? undefined : `file:${head}:${sha256Hex(text)}`;
    if (seen !== undefined && cache?.hasRecord(seen) === true) return;
    const found: TrustProblem[] =
      f.version !== 2
        ? [{ file: `.envvault/envs/${f.env}.env`, env: f.env, what: "the file is version 1 (unsigned): an admin adopts the vault with `vault verify --adopt`" }]
        : checkSignedFile(signedView(f), roster, verify);
    if (!fail(found) && seen !== undefined && !stateFailed) cache?.addRecord(seen);
    await cache?.save();
  };
  await vault.guard(guard);
  await cache?.save();
}
