/**
 * The chain of trust, `.envvault/chain` (docs/FORMAT.md §5): admin-signed versions of
 * roster.yaml, vault.yaml and exposed.json, each link signed by an admin of the link before.
 * Pure: signatures are checked through the function the caller passes.
 */
import { createHash } from "node:crypto";
import { Tampered } from "../errors.js";
import { CHAIN_FILE } from "./layout.js";

export const CHAIN_HEADER = "# envvault chain 1";
const LINK = /^#@link (0|[1-9][0-9]{0,8}) ([0-9a-f]{64}) (-|[0-9a-f]{64}(?:,[0-9a-f]{64})*) ([0-9a-f]{64}) ([0-9a-f]{64}) (-|[0-9a-f]{64}) (\S+) ([a-z0-9][a-z0-9_-]{0,63}) ([A-Za-z0-9_-]{86})$/;
const ADMIN = /^([a-z0-9][a-z0-9_-]{0,63})=(ed25519:[A-Za-z0-9_-]{43}(?:\+ed25519:[A-Za-z0-9_-]{43})*)$/;

/** One version of the trusted files, and who approved it. */
export interface Link {
  seq: number;
  hash: string;
  /** The links this one follows: none for the root, two or more for a merge. */
  prev: string[];
  roster: string;
  vault: string;
  /** Undefined when there is no exposed.json. */
  exposed?: string;
  /** The admins of this version and their signing keys. */
  admins: Map<string, string[]>;
  member: string;
  /** base64url of the 64-byte signature. */
  signature: string;
}

/** What a new link says, before it is signed. */
export type LinkFields = Omit<Link, "hash" | "signature" | "seq">;

const sorted = <T>(xs: Iterable<T>) => [...xs].sort();

/** `name=key+key,name=key`, names and keys ascending. */
export function printAdmins(admins: ReadonlyMap<string, readonly string[]>): string {
  return sorted(admins.keys())
    .map((name) => `${name}=${sorted(admins.get(name) ?? []).join("+")}`)
    .join(",");
}

/** The bytes a link's signature covers. */
export function linkBody(seq: number, l: Pick<Link, "prev" | "roster" | "vault" | "exposed" | "admins" | "member">): Uint8Array {
  const prev = l.prev.length === 0 ? "-" : sorted(l.prev).join(",");
  return Buffer.from(["envvault/v2/link", String(seq), prev, l.roster, l.vault, l.exposed ?? "-", printAdmins(l.admins), l.member].join("\0"), "utf8");
}

/** `hash = hex SHA-256(body || 0x00 || signature)`. */
export function linkHash(body: Uint8Array, signature: Uint8Array): string {
  return createHash("sha256").update(body).update(Buffer.from([0])).update(signature).digest("hex");
}

/** Makes a link: its `seq` from the links it follows, signed by `sign`. */
export function makeLink(chain: readonly Link[], fields: LinkFields, sign: (body: Uint8Array) => Uint8Array): Link {
  const byHash = new Map(chain.map((l) => [l.hash, l]));
  const seq = fields.prev.length === 0 ? 0 : 1 + Math.max(...fields.prev.map((h) => byHash.get(h)?.seq ?? 0));
  const body = linkBody(seq, fields);
  const sig = sign(body);
  return { ...fields, prev: sorted(fields.prev), seq, hash: linkHash(body, sig), signature: Buffer.from(sig).toString("base64url") };
}

function malformed(line: number, what: string): Tampered {
  return new Tampered(`${CHAIN_FILE}:${line}: ${what}`, {
    data: { file: CHAIN_FILE, line },
    hints: [`restore ${CHAIN_FILE} from git (git checkout -- ${CHAIN_FILE}); it is written by vault commands, never by hand`],
  });
}

/** Parses the chain file; a line outside the format is damage (exit 4). */
export function parseChain(text: string): Link[] {
  const lines = text.split("\n");
  if (lines.pop() !== "") throw malformed(lines.length + 1, "the file ends in the middle of a line (it was cut short)");
  if (lines[0] !== CHAIN_HEADER) throw malformed(1, `expected the header "${CHAIN_HEADER}"`);
  const out: Link[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < lines.length; i++) {
    const m = LINK.exec(lines[i] ?? "");
    if (m === null) throw malformed(i + 1, "line is not a link of the chain");
    const [, seq = "0", hash = "", prev = "-", roster = "", vault = "", exposed = "-", admins = "", member = "", signature = ""] = m;
    if (seen.has(hash)) throw malformed(i + 1, `link ${hash.slice(0, 12)} is listed twice`);
    seen.add(hash);
    const adminMap = new Map<string, string[]>();
    for (const part of admins.split(",")) {
      const a = ADMIN.exec(part);
      if (a === null || adminMap.has(a[1] ?? "")) throw malformed(i + 1, "its admins are not name=ed25519:… entries");
      adminMap.set(a[1] ?? "", (a[2] ?? "").split("+"));
    }
    out.push({ seq: Number(seq), hash, prev: prev === "-" ? [] : prev.split(","), roster, vault, ...(exposed === "-" ? {} : { exposed }), admins: adminMap, member, signature });
  }
  return out;
}

/** The canonical text of a chain: links by `seq`, then `hash`. */
export function printChain(links: readonly Link[]): string {
  const ordered = [...links].sort((a, b) => a.seq - b.seq || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const line = (l: Link) =>
    ["#@link", l.seq, l.hash, l.prev.length === 0 ? "-" : sorted(l.prev).join(","), l.roster, l.vault, l.exposed ?? "-", printAdmins(l.admins), l.member, l.signature].join(" ");
  return [CHAIN_HEADER, ...ordered.map(line)].join("\n") + "\n";
}

/** A problem with a chain, named by the link and its claimed signer. */
export interface ChainProblem {
  link?: string;
  signer?: string;
  what: string;
}

/** What a valid chain gives: its root, its head, and every link by hash. */
export interface ChainState {
  root: Link;
  head: Link;
  links: Map<string, Link>;
}

/**
 * Checks a chain's structure and signatures (docs/FORMAT.md §5, rules 1 and 2): each link's
 * hash is its own and its signature is by an admin of every link it follows (the root: of
 * itself), one root, one head, every link an ancestor of the head. `verify` checks one
 * Ed25519 signature; `known` says which link hashes were verified before (a cache).
 */
export function checkChain(links: readonly Link[], verify: (key: string, body: Uint8Array, sig: Uint8Array) => boolean, known: (hash: string) => boolean = () => false): { state?: ChainState; problems: ChainProblem[] } {
  const problems: ChainProblem[] = [];
  const byHash = new Map(links.map((l) => [l.hash, l]));
  for (const l of links) {
    const claim = { link: l.hash, signer: l.member };
    const body = linkBody(l.seq, l);
    const sig = Buffer.from(l.signature, "base64url");
    if (linkHash(body, sig) !== l.hash) {
      problems.push({ ...claim, what: `link ${l.hash.slice(0, 12)} is not what its hash says (it was edited)` });
      continue;
    }
    const approvers = l.prev.length === 0 ? [l] : l.prev.map((h) => byHash.get(h));
    if (approvers.some((a) => a === undefined)) {
      problems.push({ ...claim, what: `link ${l.hash.slice(0, 12)} follows a link the chain does not hold` });
      continue;
    }
    const expected = l.prev.length === 0 ? 0 : 1 + Math.max(...approvers.map((a) => a!.seq));
    if (l.seq !== expected) problems.push({ ...claim, what: `link ${l.hash.slice(0, 12)} has seq ${l.seq}, not ${expected}` });
    if (known(l.hash)) continue;
    for (const a of approvers) {
      const keys = a!.admins.get(l.member) ?? [];
      if (keys.length === 0) {
        problems.push({ ...claim, what: `link ${l.hash.slice(0, 12)} is signed by ${l.member}, who is not an admin of ${a === l ? "the root" : `link ${a!.hash.slice(0, 12)}`}` });
      } else if (!keys.some((k) => verify(k, body, sig))) {
        problems.push({ ...claim, what: `link ${l.hash.slice(0, 12)} claims ${l.member}'s signature, which does not verify` });
      }
    }
  }
  const roots = links.filter((l) => l.prev.length === 0);
  if (roots.length !== 1) problems.push({ what: roots.length === 0 ? "the chain has no root link" : `the chain has ${roots.length} root links` });
  const heads = headsOf(links);
  if (heads.length !== 1) problems.push({ what: heads.length === 0 ? "the chain has no head (its links follow each other in a circle)" : `the chain has ${heads.length} heads: two branches changed the roster or vault.yaml and an admin must merge them (\`vault sign\`)` });
  const root = roots[0];
  const head = heads[0];
  if (problems.length > 0 || root === undefined || head === undefined) return { problems };
  const reachable = ancestors(byHash, head.hash);
  const stray = links.filter((l) => !reachable.has(l.hash));
  if (stray.length > 0) return { problems: [{ what: `${stray.length} link(s) are not ancestors of the head` }] };
  return { state: { root, head, links: byHash }, problems };
}

/** The hashes of a link and every link before it. */
export function ancestors(links: ReadonlyMap<string, Link>, from: string): Set<string> {
  const out = new Set<string>();
  const todo = [from];
  for (let h = todo.pop(); h !== undefined; h = todo.pop()) {
    if (out.has(h)) continue;
    out.add(h);
    todo.push(...(links.get(h)?.prev ?? []));
  }
  return out;
}

/** The links no other link follows: one head, or several after a merge of two branches' roster changes. */
export function headsOf(links: readonly Link[]): Link[] {
  const followed = new Set(links.flatMap((l) => l.prev));
  return links.filter((l) => !followed.has(l.hash));
}
