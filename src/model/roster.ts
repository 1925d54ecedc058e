/**
 * The data of `.envvault/roster.yaml` (schema/roster.schema.json): members with their
 * recipients and signing keys, teams, who reads and writes each scope, admins; and the checks
 * a schema cannot express. Pure.
 */
import { isAgeRecipient } from "../crypto/bech32.js";
import { isSigningKey } from "../crypto/sign.js";
import { InvalidFile, UsageError, where } from "../errors.js";
import type { LineOf } from "./yamlfile.js";
import { ROSTER_FILE } from "./layout.js";

export interface MemberDef {
  recipients: string[];
  /** The Ed25519 public key of each identity (docs/FORMAT.md §4): what verifies their signatures. */
  signing_keys?: string[];
  teams?: string[];
  kind?: "person" | "machine";
}

/** Members, directly or through teams. */
export interface Grantees {
  teams?: string[];
  members?: string[];
}

/** Who reads a scope (`teams`, `members`) and, when not the same, who writes it (`write`). */
export interface AccessDef extends Grantees {
  write?: Grantees;
}

/** The data of `.envvault/roster.yaml` (schema/roster.schema.json). */
export interface Roster {
  version: 1;
  /** Who may change roster.yaml, vault.yaml and exposed.json, and sign every line. */
  admins?: string[];
  members: Record<string, MemberDef>;
  access?: Record<string, AccessDef>;
}

export { ROSTER_FILE } from "./layout.js";

export function memberNames(r: Roster): string[] {
  return Object.keys(r.members).sort();
}

/** The member one of whose recipients is among `recipients`. */
export function memberFor(r: Roster, recipients: readonly string[]): string | undefined {
  return memberNames(r).find((name) => r.members[name]?.recipients.some((rc) => recipients.includes(rc)));
}

export function requireMember(r: Roster, name: string): MemberDef {
  const m = Object.hasOwn(r.members, name) ? r.members[name] : undefined;
  if (m === undefined) {
    throw new UsageError(`unknown member ${JSON.stringify(name)}`, {
      data: { member: name },
      hints: [`members in ${ROSTER_FILE}: ${memberNames(r).join(", ") || "(none)"}`],
    });
  }
  return m;
}

/** The members a grant names, directly or through a team. */
function granted(r: Roster, g: Grantees | undefined): string[] {
  if (g === undefined) return [];
  const teams = new Set(g.teams ?? []);
  return memberNames(r).filter((name) => (g.members ?? []).includes(name) || (r.members[name]?.teams ?? []).some((t) => teams.has(t)));
}

/** Members the roster grants read access to a scope, directly or through a team. */
export function readersOf(r: Roster, scope: string): string[] {
  return granted(r, r.access?.[scope]);
}

/**
 * Members the roster lets write a scope (its `write` grant, else its readers), without the
 * admins, who may write every scope (see {@link maySign}).
 */
export function writersOf(r: Roster, scope: string): string[] {
  const a = r.access?.[scope];
  return a?.write === undefined ? readersOf(r, scope) : granted(r, a.write);
}

/** The admins of a roster, sorted. */
export function adminsOf(r: Roster): string[] {
  return [...(r.admins ?? [])].sort();
}

export function isAdmin(r: Roster, member: string): boolean {
  return (r.admins ?? []).includes(member);
}

/** What a signed line is, for who may sign it (docs/FORMAT.md §4, "Who may sign what"). */
export type SignedKind = "value" | "new scope" | "rotation";

/**
 * Whether `member` may sign a line of `scope`: a value or removal needs a writer of the
 * scope, a rotation (a new key pair) a member who reads and writes it, a new scope an admin.
 * Admins may sign every line.
 */
export function maySign(r: Roster, member: string, scope: string, kind: SignedKind): boolean {
  if (isAdmin(r, member)) return true;
  if (kind === "new scope") return false;
  const writes = writersOf(r, scope).includes(member);
  return kind === "value" ? writes : writes && readersOf(r, scope).includes(member);
}

/** A member's signing keys (`ed25519:…`). */
export function signingKeysOf(r: Roster, member: string): string[] {
  return (Object.hasOwn(r.members, member) ? r.members[member]?.signing_keys : undefined) ?? [];
}

/** The member whose signing keys include `key`. */
export function memberOfSigningKey(r: Roster, key: string): string | undefined {
  return memberNames(r).find((name) => signingKeysOf(r, name).includes(key));
}

/**
 * Checks what the schema cannot: each recipient's bech32 checksum (so a mistyped key is
 * refused on load, not at the next grant), no recipient shared by two members, access names
 * known members. Errors name the line when `lineOf` can give it: data from the YAML cache
 * passed these checks before it was cached, so only a tampered cache fails them without one.
 */
export function checkRoster(r: Roster, lineOf: LineOf = () => undefined): void {
  const owner = new Map<string, string>();
  for (const name of memberNames(r)) {
    for (const [index, rc] of (r.members[name]?.recipients ?? []).entries()) {
      const line = lineOf(["members", name, "recipients", index]);
      // The schema's pattern has fixed the prefix, case and length; the checksum and the
      // padding bits are what remains.
      if (!isAgeRecipient(rc)) {
        throw new InvalidFile(`${where(ROSTER_FILE, line)}: recipient ${index + 1} of member ${name} is not a valid age recipient (its checksum does not match: a character was changed)`, {
          data: { file: ROSTER_FILE, member: name, ...(line === undefined ? {} : { line }) },
          hints: [`copy ${name}'s recipient again from \`vault whoami\` on their machine, or restore the file with git checkout -- ${ROSTER_FILE}`],
        });
      }
      const other = owner.get(rc);
      if (other !== undefined) {
        throw new InvalidFile(`${where(ROSTER_FILE, line)}: members ${other} and ${name} share the recipient ${rc}`, {
          data: { file: ROSTER_FILE, ...(line === undefined ? {} : { line }) },
          hints: ["a recipient identifies one member; remove it from one of them"],
        });
      }
      owner.set(rc, name);
    }
  }
  const signer = new Map<string, string>();
  for (const name of memberNames(r)) {
    for (const [index, key] of signingKeysOf(r, name).entries()) {
      const line = lineOf(["members", name, "signing_keys", index]);
      if (!isSigningKey(key)) {
        throw new InvalidFile(`${where(ROSTER_FILE, line)}: signing key ${index + 1} of member ${name} is not an Ed25519 key (ed25519: and 43 base64url characters)`, {
          data: { file: ROSTER_FILE, member: name, ...(line === undefined ? {} : { line }) },
          hints: [`copy ${name}'s signing key again from \`vault whoami\` on their machine`],
        });
      }
      const other = signer.get(key);
      if (other !== undefined) {
        throw new InvalidFile(`${where(ROSTER_FILE, line)}: members ${other} and ${name} share the signing key ${key}`, {
          data: { file: ROSTER_FILE, ...(line === undefined ? {} : { line }) },
          hints: ["a signing key identifies one member; remove it from one of them"],
        });
      }
      signer.set(key, name);
    }
  }
  const known = (m: string, path: (string | number)[], what: string, scope?: string) => {
    if (Object.hasOwn(r.members, m)) return;
    const line = lineOf(path);
    throw new InvalidFile(`${where(ROSTER_FILE, line)}: ${what} names unknown member ${m}`, {
      data: { file: ROSTER_FILE, ...(scope === undefined ? {} : { scope }), ...(line === undefined ? {} : { line }) },
      hints: [`add ${m} with \`vault member add\`, or remove the name`],
    });
  };
  for (const [index, m] of (r.admins ?? []).entries()) known(m, ["admins", index], "admins");
  for (const [scope, a] of Object.entries(r.access ?? {})) {
    for (const [index, m] of (a.members ?? []).entries()) known(m, ["access", scope, "members", index], `access to ${scope}`, scope);
    for (const [index, m] of (a.write?.members ?? []).entries()) known(m, ["access", scope, "write", "members", index], `write access to ${scope}`, scope);
  }
}

/** Team names, from the members' `teams`. */
export function teamNames(r: Roster): string[] {
  return [...new Set(memberNames(r).flatMap((m) => r.members[m]?.teams ?? []))].sort();
}

export type Who = { kind: "member" | "team"; name: string };

/** `alice`, `team:dev` or `dev`: a member when one has that name, else a team. */
export function resolveWho(r: Roster, who: string): Who {
  const explicit = who.startsWith("team:");
  const name = explicit ? who.slice(5) : who;
  if (!explicit && Object.hasOwn(r.members, name)) return { kind: "member", name };
  if (teamNames(r).includes(name)) return { kind: "team", name };
  throw new UsageError(`no member or team named ${JSON.stringify(name)}`, {
    hints: [`members: ${memberNames(r).join(", ") || "(none)"}`, `teams: ${teamNames(r).join(", ") || "(none)"}`],
  });
}

/** Whether access to `scope` names `who` itself (a member through one of its teams is not named). */
export function namedIn(r: Roster, scope: string, who: Who): boolean {
  const a = r.access?.[scope];
  return (who.kind === "team" ? (a?.teams ?? []) : (a?.members ?? [])).includes(who.name);
}

/** Scopes the roster lets a member read, directly or through a team. */
export function scopesOf(r: Roster, member: string): string[] {
  return Object.keys(r.access ?? {}).filter((scope) => readersOf(r, scope).includes(member)).sort();
}
