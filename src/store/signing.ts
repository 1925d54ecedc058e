/**
 * Signs the files a write is about to commit (docs/FORMAT.md §4, §5, §9): every changed
 * environment file gets its `prev` links, removal lines and the writer's change record; a
 * changed roster.yaml, vault.yaml or exposed.json gets a chain link by the writer, who must be
 * an admin; a roster that takes someone's right to write has the admin endorse their lines.
 */
import { NotAllowed } from "../errors.js";
import { sha256Hex, signerFor, verifySignature } from "../crypto/sign.js";
import { checkChain, headsOf, type Link, parseChain } from "../model/chain.js";
import { parseEnvFile, printEnvFile, signedView } from "../model/envfile.js";
import { lineLeaves } from "../model/signed.js";
import { CHAIN_FILE, ENVS_DIR, EXPOSED_FILE, ROSTER_FILE, VAULT_FILE } from "../model/layout.js";
import { checkRoster, isAdmin, memberFor, type Roster, signingKeysOf } from "../model/roster.js";
import { endorse, extendChain, signEnvChange, type Writer } from "../model/signing.js";
import { envTexts, type VaultSource } from "./source.js";

/** New file contents by repo-relative path; null deletes the file. */
export type Changes = Map<string, string | null>;

const ENV_FILE = new RegExp(`^${ENVS_DIR.replace(/\./g, "\\.")}/([^/]+)\\.env$`);

/**
 * The writer for a roster: the member whose recipient is one of `identities`', signing with the
 * identity whose signing key the roster lists for them.
 *
 * @throws NotAllowed when the identity is no member, or the roster lists none of its signing keys.
 */
export function writerFor(roster: Roster, identities: readonly string[], recipients: readonly string[]): Writer {
  const member = memberFor(roster, recipients);
  if (member === undefined) {
    throw new NotAllowed("your identity is not a member in .envvault/roster.yaml, so you cannot sign a change", {
      hints: ["`vault whoami` shows your recipient and signing key: ask an admin to add you (`vault member add NAME RECIPIENT --signing-key KEY`)"],
    });
  }
  const listed = signingKeysOf(roster, member);
  const signer = identities.map(signerFor).find((s) => listed.includes(s.publicKey));
  if (signer === undefined) {
    const mine = signerFor(identities[0] ?? "").publicKey;
    throw new NotAllowed(`your signing key is not in roster.yaml for member ${member}, so you cannot sign a change`, {
      data: { member },
      hints: [`ask an admin to run \`vault member keys ${member} --signing-key ${mine}\`, commit and push it`],
    });
  }
  return { member, publicKey: signer.publicKey, sign: (m) => signer.sign(m) };
}

/**
 * The links no other link follows, each of whose signature verifies (one, unless two branches
 * changed the trusted files and their chains were merged).
 *
 * @throws NotAllowed when the chain does not verify apart from having several heads.
 */
function chainHeads(links: readonly Link[]): Link[] {
  if (links.length === 0) return [];
  const bad = checkChain(links, verifySignature).problems.filter((p) => !/ heads: /.test(p.what));
  if (bad.length > 0) throw new NotAllowed(`${CHAIN_FILE} does not verify (${bad[0]!.what}): run \`vault verify\``, { data: { file: CHAIN_FILE } });
  return headsOf(links);
}

/** What the sign pass needs of the vault before the write. */
export interface Before {
  source: VaultSource;
  roster: Roster;
  /** The vault files of the last commit (and of a merge's other side), when there is git history. */
  committed?: readonly VaultSource[];
}

/** The validated data of a roster.yaml text, with the checks every load runs. */
export async function rosterOf(text: string): Promise<Roster> {
  // Loaded on demand: the YAML parser is not part of the read-only commands' start-up.
  const { loadYaml } = await import("../model/yamlfile.js");
  return loadYaml<Roster>(text, ROSTER_FILE, "roster", (data, lineOf) => checkRoster(data, lineOf)).data;
}

/** The leaves of a file's lines in the last commit(s); undefined without history. */
export async function committedLeaves(sources: readonly VaultSource[] | undefined, path: string, env: string): Promise<Set<string> | undefined> {
  if (sources === undefined) return undefined;
  const out = new Set<string>();
  for (const s of sources) {
    const text = await s.read(path);
    if (text === undefined) continue;
    try {
      for (const l of lineLeaves(signedView(parseEnvFile(text, path, env))).values()) out.add(l);
    } catch {
      // A damaged committed file names no line to follow.
    }
  }
  return out;
}

/**
 * The changes with every environment file signed and, when trusted files change, the chain
 * extended. A non-admin's write never touches exposed.json (only admins prune it).
 */
export async function signChanges(before: Before, changes: Changes, writer: Writer, now: number): Promise<Changes> {
  const out = new Map(changes);
  const read = (path: string) => before.source.read(path);
  const rosterText = out.get(ROSTER_FILE);
  const roster = typeof rosterText === "string" ? await rosterOf(rosterText) : before.roster;
  if (!isAdmin(before.roster, writer.member)) out.delete(EXPOSED_FILE);
  for (const [path, text] of changes) {
    const m = ENV_FILE.exec(path);
    if (m === null) continue;
    const env = m[1] ?? "";
    const oldText = await read(path);
    const old = oldText === undefined ? undefined : parseEnvFile(oldText, path, env);
    if (text === null) {
      if (old !== undefined && !isAdmin(before.roster, writer.member)) throw new NotAllowed(`${writer.member} may not delete ${path}: only an admin may remove an environment`, { data: { file: path, env } });
      continue;
    }
    const next = parseEnvFile(text, path, env);
    out.set(path, printEnvFile(signEnvChange(old, next, roster, writer, now, await committedLeaves(before.committed, path, env))));
  }
  if (typeof rosterText === "string") {
    // Lines whose writers this roster no longer lets write stay valid through the admin.
    for (const [env, text] of await envTexts({ ...before.source, read: async (p) => (out.has(p) ? (out.get(p) ?? undefined) : read(p)) })) {
      const path = `${ENVS_DIR}/${env}.env`;
      const f = parseEnvFile(text, path, env);
      if (f.version === 2 && endorse(f, before.roster, roster, writer, verifySignature)) out.set(path, printEnvFile(f));
    }
  }
  // A new link whenever the trusted files are not what the chain's head vouches for (a
  // vault command changed them, or an admin's \`vault sign\` covers a hand edit), or when
  // two branches' links met in a merge and the chain has two heads.
  const current = async (p: string) => (out.has(p) ? (out.get(p) ?? undefined) : read(p));
  const [r, v, e, chainNow] = await Promise.all([ROSTER_FILE, VAULT_FILE, EXPOSED_FILE, CHAIN_FILE].map(current));
  const links = chainNow === undefined ? [] : parseChain(chainNow);
  const heads = chainHeads(links);
  const hashes = { roster: sha256Hex(r ?? ""), vault: sha256Hex(v ?? ""), ...(e === undefined ? {} : { exposed: sha256Hex(e) }) };
  const head = heads.length === 1 ? heads[0] : undefined;
  const vouched = head !== undefined && head.roster === hashes.roster && head.vault === hashes.vault && head.exposed === hashes.exposed;
  if (!vouched) out.set(CHAIN_FILE, extendChain(links, heads, hashes, roster, writer));
  return out;
}
