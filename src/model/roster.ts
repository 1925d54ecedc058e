import { isAgeRecipient } from "../crypto/bech32.js";
import { InvalidFile, UsageError, where } from "../errors.js";
import type { LineOf } from "./yamlfile.js";
import { ROSTER_FILE } from "./layout.js";

export interface MemberDef {
  recipients: string[];
  teams?: string[];
  kind?: "person" | "machine";
}

export interface AccessDef {
  teams?: string[];
  members?: string[];
}

/** The data of `.envvault/roster.yaml` (schema/roster.schema.json). */
export interface Roster {
  version: 1;
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

/** Members the roster grants read access to a scope, directly or through a team. */
export function readersOf(r: Roster, scope: string): string[] {
  const a = r.access?.[scope];
  if (a === undefined) return [];
  const teams = new Set(a.teams ?? []);
  return memberNames(r).filter((name) => (a.members ?? []).includes(name) || (r.members[name]?.teams ?? []).some((t) => teams.has(t)));
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
  for (const [scope, a] of Object.entries(r.access ?? {})) {
    for (const [index, m] of (a.members ?? []).entries()) {
      if (!Object.hasOwn(r.members, m)) {
        const line = lineOf(["access", scope, "members", index]);
        throw new InvalidFile(`${where(ROSTER_FILE, line)}: access to ${scope} names unknown member ${m}`, {
          data: { file: ROSTER_FILE, scope, ...(line === undefined ? {} : { line }) },
          hints: [`add ${m} with \`vault member add\`, or remove the name from access.${scope}`],
        });
      }
    }
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
