/** Edits of roster.yaml (access, members) that keep the file's comments and layout and validate the result. */
import { UsageError } from "../errors.js";
import type { AccessDef, Grantees, MemberDef, Roster, Who } from "./roster.js";
import { editYaml, type YamlFile } from "./yamlfile.js";

/** Sets who reads `scope` to what `edit` makes of it (sorted, each once); nobody left removes the entry. */
export function setAccess(roster: YamlFile<Roster>, scope: string, edit: (a: AccessDef) => AccessDef): YamlFile<Roster> {
  const current = roster.data.access?.[scope] ?? {};
  const next = edit({ teams: [...(current.teams ?? [])], members: [...(current.members ?? [])], ...(current.write === undefined ? {} : { write: { teams: [...(current.write.teams ?? [])], members: [...(current.write.members ?? [])] } }) });
  const clean: AccessDef = {};
  if ((next.teams ?? []).length > 0) clean.teams = [...new Set(next.teams)].sort();
  if ((next.members ?? []).length > 0) clean.members = [...new Set(next.members)].sort();
  if (next.write !== undefined) {
    const w: Grantees = {};
    if ((next.write.teams ?? []).length > 0) w.teams = [...new Set(next.write.teams)].sort();
    if ((next.write.members ?? []).length > 0) w.members = [...new Set(next.write.members)].sort();
    clean.write = w;
  }
  return editYaml(roster, "roster", (doc) => {
    if (clean.teams === undefined && clean.members === undefined && clean.write === undefined) {
      doc.deleteIn(["access", scope]);
    } else {
      if (doc.getIn(["access"]) == null) doc.setIn(["access"], doc.createNode({}));
      doc.setIn(["access", scope], doc.createNode(clean, { flow: false }));
    }
  });
}

export function addToAccess(roster: YamlFile<Roster>, scope: string, who: Who): YamlFile<Roster> {
  return setAccess(roster, scope, (a) => (who.kind === "team" ? { ...a, teams: [...(a.teams ?? []), who.name] } : { ...a, members: [...(a.members ?? []), who.name] }));
}

export function removeFromAccess(roster: YamlFile<Roster>, scope: string, who: Who): YamlFile<Roster> {
  return setAccess(roster, scope, (a) =>
    who.kind === "team" ? { ...a, teams: (a.teams ?? []).filter((t) => t !== who.name) } : { ...a, members: (a.members ?? []).filter((m) => m !== who.name) },
  );
}

export function addMember(roster: YamlFile<Roster>, name: string, def: MemberDef): YamlFile<Roster> {
  if (Object.hasOwn(roster.data.members, name)) {
    throw new UsageError(`member ${name} already exists`, { hints: ["choose another name, or `vault member remove` the old one first"] });
  }
  return editYaml(roster, "roster", (doc) => doc.setIn(["members", name], doc.createNode(def, { flow: false })));
}

/**
 * Drops a member from `members`, from every access list (readers and writers) and from the
 * admins, so that no name of the roster is left pointing at nobody.
 */
export function dropMember(roster: YamlFile<Roster>, name: string): YamlFile<Roster> {
  const admins = roster.data.admins ?? [];
  let out = editYaml(roster, "roster", (doc) => doc.deleteIn(["members", name]));
  if (admins.includes(name)) out = setAdmins(out, admins.filter((a) => a !== name));
  for (const scope of Object.keys(out.data.access ?? {})) {
    if ((out.data.access?.[scope]?.members ?? []).includes(name)) out = removeFromAccess(out, scope, { kind: "member", name });
    if ((out.data.access?.[scope]?.write?.members ?? []).includes(name)) out = setAccess(out, scope, (a) => ({ ...a, write: { ...a.write, members: (a.write?.members ?? []).filter((m) => m !== name) } }));
  }
  return out;
}

/** Sets the admins (sorted, each once). */
export function setAdmins(roster: YamlFile<Roster>, admins: readonly string[]): YamlFile<Roster> {
  return editYaml(roster, "roster", (doc) => doc.setIn(["admins"], doc.createNode([...new Set(admins)].sort(), { flow: true })));
}

/** Sets a member's signing keys. */
export function setSigningKeys(roster: YamlFile<Roster>, member: string, keys: readonly string[]): YamlFile<Roster> {
  return editYaml(roster, "roster", (doc) => doc.setIn(["members", member, "signing_keys"], doc.createNode([...new Set(keys)], { flow: false })));
}

/** Sets a member's teams (none: the key goes). */
export function setTeams(roster: YamlFile<Roster>, member: string, teams: readonly string[]): YamlFile<Roster> {
  return editYaml(roster, "roster", (doc) => (teams.length === 0 ? doc.deleteIn(["members", member, "teams"]) : doc.setIn(["members", member, "teams"], doc.createNode([...teams], { flow: false }))));
}
