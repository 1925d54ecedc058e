/** Edits of roster.yaml (access, members) that keep the file's comments and layout and validate the result. */
import { UsageError } from "../errors.js";
import type { AccessDef, MemberDef, Roster, Who } from "./roster.js";
import { editYaml, type YamlFile } from "./yamlfile.js";

/** Sets who reads `scope` to what `edit` makes of it (sorted, each once); nobody left removes the entry. */
export function setAccess(roster: YamlFile<Roster>, scope: string, edit: (a: AccessDef) => AccessDef): YamlFile<Roster> {
  const current = roster.data.access?.[scope] ?? {};
  const next = edit({ teams: [...(current.teams ?? [])], members: [...(current.members ?? [])] });
  const clean: AccessDef = {};
  if ((next.teams ?? []).length > 0) clean.teams = [...new Set(next.teams)].sort();
  if ((next.members ?? []).length > 0) clean.members = [...new Set(next.members)].sort();
  return editYaml(roster, "roster", (doc) => {
    if (clean.teams === undefined && clean.members === undefined) {
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

/** Drops a member from `members` and from every access list. */
export function dropMember(roster: YamlFile<Roster>, name: string): YamlFile<Roster> {
  let out = editYaml(roster, "roster", (doc) => doc.deleteIn(["members", name]));
  for (const scope of Object.keys(out.data.access ?? {})) {
    if ((out.data.access?.[scope]?.members ?? []).includes(name)) out = removeFromAccess(out, scope, { kind: "member", name });
  }
  return out;
}
