import { describe, expect, test } from "@jest/globals";
import { checkRoster, memberFor, memberNames, namedIn, readersOf, requireMember, type Roster } from "../../../src/model/roster.js";
import { thrown } from "../errors.js";

// Recipients from test/vectors (published test keys).
const R1 = "age1f0l3ggu0pnearkpe2fek62a0ngv5zcv57td59qlaemtsg7wtsg9sv9l07k";
const R2 = "age1wuxzrf36hpgv32s990lw7f848d7fcy9zgpread9dm90leapx4y8qlf6k60";
const R3 = "age1rdaaghetnan30udsj2gvgnmwed2w9rf89lgjrc7pzledac62rv9sl8xk0g";
/** R1 with one character changed: the shape of a recipient, but its checksum fails. */
const R1_TYPO = R1.slice(0, 10) + (R1[10] === "q" ? "p" : "q") + R1.slice(11);

const roster: Roster = {
  version: 1,
  members: {
    carol: { recipients: [R3], teams: ["ops"] },
    alice: { recipients: [R1], teams: ["dev", "ops"] },
    ci: { recipients: [R2], kind: "machine" },
  },
  access: {
    development: { teams: ["dev"], members: ["ci"] },
    production: { teams: ["ops"] },
    "production:payments": { members: ["alice"] },
    staging: {},
  },
};


describe("roster", () => {
  test("memberNames is sorted", () => {
    expect(memberNames(roster)).toEqual(["alice", "carol", "ci"]);
  });

  test("memberFor finds the member holding any of the recipients", () => {
    expect(memberFor(roster, [R2])).toBe("ci");
    expect(memberFor(roster, ["age1nobody", R3])).toBe("carol");
    expect(memberFor(roster, ["age1nobody"])).toBeUndefined();
    expect(memberFor(roster, [])).toBeUndefined();
  });

  test("requireMember gives the member or a usage error listing the members", () => {
    expect(requireMember(roster, "ci")).toEqual({ recipients: [R2], kind: "machine" });
    const e = thrown(() => requireMember(roster, "bob"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe('unknown member "bob"');
    expect(e.hints).toEqual(["members in .envvault/roster.yaml: alice, carol, ci"]);
  });

  test("requireMember refuses \"constructor\", a property every object inherits", () => {
    expect(thrown(() => requireMember(roster, "constructor")).code).toBe("USAGE");
  });

  test("readersOf combines members granted through teams and by name, sorted, each once", () => {
    expect(readersOf(roster, "development")).toEqual(["alice", "ci"]);
    expect(readersOf(roster, "production")).toEqual(["alice", "carol"]);
    expect(readersOf(roster, "production:payments")).toEqual(["alice"]);
  });

  test("readersOf is empty for a scope without access or with an empty grant", () => {
    expect(readersOf(roster, "staging")).toEqual([]);
    expect(readersOf(roster, "qa")).toEqual([]);
    expect(readersOf({ version: 1, members: {} }, "development")).toEqual([]);
  });

  test("namedIn is true only for a member or team the scope's access names itself", () => {
    expect(namedIn(roster, "development", { kind: "team", name: "dev" })).toBe(true);
    expect(namedIn(roster, "development", { kind: "member", name: "ci" })).toBe(true);
    expect(namedIn(roster, "development", { kind: "member", name: "alice" })).toBe(false);
    expect(namedIn(roster, "production", { kind: "member", name: "carol" })).toBe(false);
    expect(namedIn(roster, "qa", { kind: "team", name: "ops" })).toBe(false);
  });
});

describe("checkRoster", () => {
  test("accepts a consistent roster", () => {
    expect(() => checkRoster(roster)).not.toThrow();
  });

  test("refuses a recipient shared by two members, naming both", () => {
    const r: Roster = { version: 1, members: { bob: { recipients: [R2] }, alice: { recipients: [R1, R2] } } };
    const e = thrown(() => checkRoster(r));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(`.envvault/roster.yaml: members alice and bob share the recipient ${R2}`);
    expect(e.data).toEqual({ file: ".envvault/roster.yaml" });
  });

  test("refuses a recipient whose checksum fails, naming the member and the recipient's line", () => {
    const r: Roster = { version: 1, members: { alice: { recipients: [R1] }, bob: { recipients: [R2, R1_TYPO] } } };
    const paths: (readonly (string | number)[])[] = [];
    const e = thrown(() => checkRoster(r, (path) => (paths.push(path), paths.length + 10)));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(".envvault/roster.yaml:13: recipient 2 of member bob is not a valid age recipient (its checksum does not match: a character was changed)");
    expect(e.data).toEqual({ file: ".envvault/roster.yaml", member: "bob", line: 13 });
    expect(paths.at(-1)).toEqual(["members", "bob", "recipients", 1]);
  });

  test("without a document (data from the YAML cache) the same error names no line", () => {
    const e = thrown(() => checkRoster({ version: 1, members: { bob: { recipients: [R1_TYPO] } } }));
    expect(e.message).toMatch(/^\.envvault\/roster\.yaml: recipient 1 of member bob is not a valid age recipient/);
    expect(e.data).toEqual({ file: ".envvault/roster.yaml", member: "bob" });
  });

  test("refuses access naming an unknown member, naming the scope", () => {
    const r: Roster = { ...roster, access: { "production:payments": { members: ["alice", "mallory"] } } };
    const e = thrown(() => checkRoster(r));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(".envvault/roster.yaml: access to production:payments names unknown member mallory");
    expect(e.data).toEqual({ file: ".envvault/roster.yaml", scope: "production:payments" });
  });
});
