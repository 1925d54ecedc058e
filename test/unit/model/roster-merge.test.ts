import { describe, expect, test } from "@jest/globals";
import type { Roster } from "../../../src/model/roster.js";
import { mergeRoster } from "../../../src/model/roster-merge.js";
import { editYaml, loadYaml } from "../../../src/model/yamlfile.js";

const R = (n: number) => `age1${"q".repeat(57)}${"acdefghjkl"[n]}`;
const base: Roster = {
  version: 1,
  admins: ["alice"],
  members: { alice: { recipients: [R(0)] }, bob: { recipients: [R(1)] } },
  access: { development: { members: ["alice", "bob"] }, production: { members: ["alice"], write: { members: ["alice"] } } },
};
const yamlOf = (r: Roster) => loadYaml<Roster>(`# the team\n${JSON.stringify(r, null, 2)}\n`, ".envvault/roster.yaml", "roster");
const clone = (r: Roster): Roster => JSON.parse(JSON.stringify(r)) as Roster;

/** The merged data, as the driver writes it: ours' document with the merge's edits. */
function merged(b: Roster | undefined, ours: Roster, theirs: Roster): Roster | string[] {
  const r = mergeRoster(b, ours, theirs);
  if (!r.ok) return r.conflicts;
  const doc = editYaml(yamlOf(ours), "roster", r.edit);
  expect(String(doc.doc)).toMatch(/^# the team$/m);
  return doc.data;
}

describe("mergeRoster", () => {
  test("each side adds a member and grants them a scope: both are in", () => {
    const ours = clone(base);
    ours.members.carol = { recipients: [R(2)] };
    ours.access!.development!.members!.push("carol");
    const theirs = clone(base);
    theirs.members.dave = { recipients: [R(3)], kind: "machine" };
    theirs.access!.production!.write!.members!.push("dave");
    const m = merged(base, ours, theirs) as Roster;
    expect(Object.keys(m.members).sort()).toEqual(["alice", "bob", "carol", "dave"]);
    expect(m.access!.development!.members).toEqual(["alice", "bob", "carol"]);
    expect(m.access!.production).toEqual({ members: ["alice"], write: { members: ["alice", "dave"] } });
  });

  test("a member removed on one side and another added on the other: both changes, nobody dropped", () => {
    const ours = clone(base);
    delete ours.members.bob;
    ours.access!.development!.members = ["alice"];
    const theirs = clone(base);
    theirs.members.erin = { recipients: [R(4)] };
    theirs.admins = ["alice", "erin"];
    const m = merged(base, ours, theirs) as Roster;
    expect(Object.keys(m.members).sort()).toEqual(["alice", "erin"]);
    expect(m.access!.development!.members).toEqual(["alice"]);
    expect(m.admins).toEqual(["alice", "erin"]);
  });

  test("both sides change the same member's entry differently: a conflict naming the member", () => {
    const ours = clone(base);
    ours.members.bob = { recipients: [R(1), R(5)] };
    const theirs = clone(base);
    theirs.members.bob = { recipients: [R(6)] };
    expect(merged(base, ours, theirs)).toEqual(["member bob (changed on both branches)"]);
    // The same change on both sides is no conflict.
    expect((merged(base, ours, clone(ours)) as Roster).members.bob).toEqual({ recipients: [R(1), R(5)] });
  });

  test("a side that changed nothing gives the other side's roster; a scope emptied on one side goes", () => {
    const theirs = clone(base);
    theirs.access!.development!.members = ["alice"];
    delete theirs.access!.production;
    expect(merged(base, clone(base), theirs)).toEqual(theirs);
    expect(merged(base, theirs, clone(base))).toEqual(theirs);
  });

  test("write-only access added on one side and a reader on the other, in the same scope: both", () => {
    const ours = clone(base);
    ours.access!.development!.write = { members: ["bob"] };
    const theirs = clone(base);
    theirs.members.carol = { recipients: [R(2)] };
    theirs.access!.development!.members!.push("carol");
    const m = merged(base, ours, theirs) as Roster;
    expect(m.access!.development).toEqual({ members: ["alice", "bob", "carol"], write: { members: ["bob"] } });
  });
});
