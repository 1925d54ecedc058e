import { describe, expect, test } from "@jest/globals";
import { checkRoster, memberFor, memberNames, readersOf, requireMember, type Roster } from "../../../src/vault/roster.js";
import { thrown } from "../errors.js";

// Recipients from test/vectors (published test keys).
const R1 = "age1f0l3ggu0pnearkpe2fek62a0ngv5zcv57td59qlaemtsg7wtsg9sv9l07k";
const R2 = "age1wuxzrf36hpgv32s990lw7f848d7fcy9zgpread9dm90leapx4y8qlf6k60";
const R3 = "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";

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

  test("refuses access naming an unknown member, naming the scope", () => {
    const r: Roster = { ...roster, access: { "production:payments": { members: ["alice", "mallory"] } } };
    const e = thrown(() => checkRoster(r));
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(".envvault/roster.yaml: access to production:payments names unknown member mallory");
    expect(e.data).toEqual({ file: ".envvault/roster.yaml", scope: "production:payments" });
  });
});
