/**
 * The state check of a whole vault (docs/FORMAT.md §6): the chain of trust is valid and
 * vouches for roster.yaml, vault.yaml and exposed.json as they are, and every line of the
 * environment files checked is signed by a member the roster lets sign it. Pure: the
 * caller reads the files and passes a signature verifier (which may remember results).
 */
import { createHash } from "node:crypto";
import { Tampered } from "../errors.js";
import { type ChainState, checkChain, type Link, parseChain } from "./chain.js";
import { CHAIN_FILE, EXPOSED_FILE, ROSTER_FILE, VAULT_FILE } from "./layout.js";
import { adminsOf, type Roster, signingKeysOf } from "./roster.js";
import { checkSignedFile, type SignedFile, type TrustProblem } from "./signed.js";

/** Checks one Ed25519 signature (`key` is an `ed25519:…` text). */
export type VerifySignature = (key: string, message: Uint8Array, signature: Uint8Array) => boolean;

/** The files of a vault the state check reads. */
export interface VaultState {
  /** `.envvault/chain`, undefined when there is none (an unsigned vault). */
  chain?: string;
  rosterText: string;
  vaultText: string;
  exposedText?: string;
  roster: Roster;
  /** The environment files to check, parsed. */
  envs: readonly SignedFile[];
}

export interface StateCheck {
  /** The chain, when it is valid. */
  chain?: ChainState;
  problems: TrustProblem[];
}

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Whether a link's admins are exactly the roster's admins with their signing keys. */
function sameAdmins(link: Link, roster: Roster): boolean {
  const mine = adminsOf(roster).map((a) => `${a}=${[...signingKeysOf(roster, a)].sort().join("+")}`);
  const theirs = [...link.admins.keys()].sort().map((a) => `${a}=${[...(link.admins.get(a) ?? [])].sort().join("+")}`);
  return mine.join(",") === theirs.join(",");
}

/**
 * The state check. `pin` is the trust root the vault must have (undefined: any, the caller
 * then pins the one found); `knownLink` says which links were verified before.
 */
export function checkState(s: VaultState, verify: VerifySignature, o: { pin?: string; knownLink?: (hash: string) => boolean } = {}): StateCheck {
  if (s.chain === undefined) {
    return { problems: [{ file: CHAIN_FILE, what: "the vault is not signed: it has no chain of trust (a vault of an older envvault, or one whose chain was removed)" }] };
  }
  let links: Link[];
  try {
    links = parseChain(s.chain);
  } catch (e) {
    if (!(e instanceof Tampered)) throw e;
    return { problems: [{ file: CHAIN_FILE, what: e.message }] };
  }
  const checked = checkChain(links, verify, o.knownLink);
  const problems: TrustProblem[] = checked.problems.map((p) => ({ file: CHAIN_FILE, ...(p.signer === undefined ? {} : { signer: p.signer }), what: p.what }));
  const chain = checked.state;
  if (chain === undefined) return { problems };
  if (o.pin !== undefined && chain.root.hash !== o.pin) {
    problems.push({ file: CHAIN_FILE, signer: chain.root.member, what: `the vault's trust root is ${chain.root.hash}, not the pinned ${o.pin}: the whole vault was replaced, or you pinned another vault's root` });
  }
  const head = chain.head;
  const who = { signer: head.member };
  if (head.roster !== sha(s.rosterText)) problems.push({ file: ROSTER_FILE, what: `${ROSTER_FILE} was changed without an admin's signature (it is not the version the chain of trust vouches for)` });
  if (head.vault !== sha(s.vaultText)) problems.push({ file: VAULT_FILE, what: `${VAULT_FILE} was changed without an admin's signature (it is not the version the chain of trust vouches for)` });
  if ((head.exposed ?? "") !== (s.exposedText === undefined ? "" : sha(s.exposedText))) problems.push({ file: EXPOSED_FILE, what: `${EXPOSED_FILE} was changed without an admin's signature` });
  if (problems.length === 0 && !sameAdmins(head, s.roster)) problems.push({ file: ROSTER_FILE, ...who, what: "the admins of roster.yaml differ from those its chain link names" });
  if (problems.length > 0) return { chain, problems };
  for (const f of s.envs) problems.push(...checkSignedFile(f, s.roster, verify));
  return { chain, problems };
}
