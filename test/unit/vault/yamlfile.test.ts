import { beforeAll, describe, expect, test } from "@jest/globals";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { VaultError } from "../../../src/errors.js";
import type { VaultConfig } from "../../../src/model/config.js";
import { checkRoster, type Roster } from "../../../src/model/roster.js";
import { loadYaml, type SchemaName } from "../../../src/model/yamlfile.js";
import { thrown } from "../errors.js";

const VAULT = ".envvault/vault.yaml";
const ROSTER = ".envvault/roster.yaml";

let alice: string;
let ci: string;

beforeAll(async () => {
  alice = await identityToRecipient(await generateIdentity());
  ci = await identityToRecipient(await generateIdentity());
});

function invalid(text: string, file: string, schema: SchemaName): VaultError {
  return thrown(() => loadYaml(text, file, schema));
}

const lines = (...l: string[]) => l.join("\n") + "\n";

const validVault = lines(
  "# environments",
  "version: 1",
  "default_env: development",
  "environments:",
  "  development: {}",
  "  test:",
  "    extends: development",
  "    description: CI runs",
  "  bare:",
  "variables:",
  "  PORT:",
  "    kind: config",
  "  NOTE:",
  "targets:",
  "  - path: .env",
  "  - path: web/.env.local",
  "    env: test",
);

describe("loadYaml: valid files", () => {
  test("a valid vault.yaml loads as data, keeping its document", () => {
    const y = loadYaml<VaultConfig>(validVault, VAULT, "vault");
    expect(y.file).toBe(VAULT);
    expect(y.data).toEqual({
      version: 1,
      default_env: "development",
      environments: { development: {}, test: { extends: "development", description: "CI runs" }, bare: null },
      variables: { PORT: { kind: "config" }, NOTE: null },
      targets: [{ path: ".env" }, { path: "web/.env.local", env: "test" }],
    });
    expect(y.doc.toString()).toBe(validVault);
  });

  test("a valid roster.yaml loads as data", () => {
    const text = lines(
      "version: 1",
      "members:",
      "  alice:",
      `    recipients: [${alice}]`,
      "    teams: [dev, ops]",
      "  ci:",
      "    recipients:",
      `      - ${ci}`,
      "    kind: machine",
      "access:",
      "  development:",
      "    teams: [dev]",
      "    members: [ci]",
      "  production:payments:",
      "    members: [alice]",
    );
    expect(loadYaml<Roster>(text, ROSTER, "roster").data).toEqual({
      version: 1,
      members: { alice: { recipients: [alice], teams: ["dev", "ops"] }, ci: { recipients: [ci], kind: "machine" } },
      access: { development: { teams: ["dev"], members: ["ci"] }, "production:payments": { members: ["alice"] } },
    });
  });
});

describe("loadYaml: YAML syntax errors", () => {
  test("a duplicate key is an invalid file at the line of the duplicate", () => {
    const e = invalid(lines("version: 1", "environments:", "  dev: {}", "  dev: {}"), VAULT, "vault");
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(`${VAULT}:4: invalid YAML: Map keys must be unique`);
    expect(e.data).toEqual({ file: VAULT, line: 4 });
    expect(e.hints).toEqual([`fix the YAML syntax of ${VAULT}, or restore it with git checkout -- ${VAULT}`]);
  });

  test("an unclosed flow sequence names its file and a line", () => {
    const e = invalid(lines("version: 1", "members:", "  alice:", "    recipients: [age1x", "access: {}"), ROSTER, "roster");
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toMatch(new RegExp(`^${ROSTER.replace(/\./g, "\\.")}:[45]: invalid YAML: `));
    expect(e.message).not.toContain("\n");
  });
});

describe("loadYaml: schema violations name the line of the offending node and the rule", () => {
  test("an unknown setting points at its key", () => {
    const e = invalid(lines("version: 1", "environments:", "  dev: {}", "colour: blue"), VAULT, "vault");
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(`${VAULT}:4: /colour is not a known setting`);
    expect(e.data).toEqual({ file: VAULT, line: 4, problems: [`${VAULT}:4: /colour is not a known setting`] });
    expect(e.hints).toEqual([`see schema/vault.schema.json for the rules; fix ${VAULT} or restore it with git checkout -- ${VAULT}`]);
  });

  test("an unknown setting inside an environment points at its key", () => {
    const e = invalid(lines("version: 1", "environments:", "  dev:", "    extend: base"), VAULT, "vault");
    expect(e.message).toBe(`${VAULT}:4: /environments/dev/extend is not a known setting`);
  });

  test("a recipient that is not an age1 X25519 recipient points at the list item", () => {
    const text = lines("version: 1", "members:", "  alice:", "    recipients:", `      - ${alice}`, "      - AGE-SECRET-KEY-1ABC");
    const e = invalid(text, ROSTER, "roster");
    expect(e.message).toBe(`${ROSTER}:6: /members/alice/recipients/1 must match pattern "^age1[02-9ac-hj-np-z]{58}$"`);
    expect(e.data.line).toBe(6);
  });

  test("a kind outside the enum lists the allowed kinds", () => {
    const text = lines("version: 1", "environments:", "  dev: {}", "variables:", "  PORT:", "    kind: password");
    const e = invalid(text, VAULT, "vault");
    expect(e.message).toBe(`${VAULT}:6: /variables/PORT/kind must be one of secret, config, generated`);
  });

  test("an environment name that breaks the naming rule points at the name", () => {
    const e = invalid(lines("version: 1", "environments:", "  dev: {}", "  Production: {}"), VAULT, "vault");
    expect(e.code).toBe("INVALID_FILE");
    expect(e.message).toBe(`${VAULT}:4: /environments/Production is not a valid name`);
    expect(e.data).toEqual({ file: VAULT, line: 4, problems: [`${VAULT}:4: /environments/Production is not a valid name`] });
  });

  test("a device name Windows reserves is refused as an environment or member name, and where a name is referred to", () => {
    expect(invalid(lines("version: 1", "environments:", "  dev: {}", "  con: {}"), VAULT, "vault").message).toBe(`${VAULT}:4: /environments/con is not a valid name: con is a device name on Windows`);
    expect(invalid(lines("version: 1", "default_env: nul", "environments:", "  dev: {}"), VAULT, "vault").message).toBe(`${VAULT}:2: /default_env is not a valid name: nul is a device name on Windows`);
    const member = invalid(lines("version: 1", "members:", "  alice:", `    recipients: [${alice}]`, "  com1:", `    recipients: [${ci}]`), ROSTER, "roster");
    expect(member.message).toBe(`${ROSTER}:5: /members/com1 is not a valid name: com1 is a device name on Windows`);
    expect(member.data.line).toBe(5);
    const scope = invalid(lines("version: 1", "members:", "  alice:", `    recipients: [${alice}]`, "access:", "  production:aux:", "    members: [alice]"), ROSTER, "roster");
    expect(scope.message).toBe(`${ROSTER}:6: /access/production:aux is not a valid name: aux is a device name on Windows`);
  });

  test("a name given as a value that breaks the naming rule says so, not the pattern", () => {
    const e = invalid(lines("version: 1", "environments:", "  dev:", "    extends: Base"), VAULT, "vault");
    expect(e.message).toBe(`${VAULT}:4: /environments/dev/extends is not a valid name`);
  });

  test("a missing required setting is reported where the document's content starts", () => {
    const e = invalid(lines("# no version", "environments:", "  dev: {}"), VAULT, "vault");
    expect(e.message).toBe(`${VAULT}:2: the document must have required property 'version'`);
  });

  test("data.problems lists every problem, and the message counts the rest", () => {
    const text = lines("version: 2", "environments:", "  dev:", "    extends: 7", "variables:", "  PORT:", "    kind: password", "colour: blue");
    const e = invalid(text, VAULT, "vault");
    const problems = e.data.problems as string[];
    expect(problems).toEqual(
      expect.arrayContaining([
        `${VAULT}:1: /version must be equal to constant`,
        `${VAULT}:4: /environments/dev/extends must be string`,
        `${VAULT}:7: /variables/PORT/kind must be one of secret, config, generated`,
        `${VAULT}:8: /colour is not a known setting`,
      ]),
    );
    expect(e.message).toBe(`${problems[0]} (and ${problems.length - 1} more)`);
    expect(e.data.line).toBe(Number(/:(\d+):/.exec(problems[0]!)?.[1]));
  });
});

describe("loadYaml: the checks beyond the schema", () => {
  test("run on the valid data and name lines of the document, in block and flow lists", () => {
    const typo = (r: string) => r.slice(0, 10) + (r[10] === "q" ? "p" : "q") + r.slice(11);
    const block = lines("version: 1", "members:", "  alice:", "    recipients:", `      - ${alice}`, `      - ${typo(ci)}`);
    expect(thrown(() => loadYaml<Roster>(block, ROSTER, "roster", checkRoster)).message).toMatch(new RegExp(`^${ROSTER.replace(/\./g, "\\.")}:6: recipient 2 of member alice is not a valid age recipient`));
    const flow = lines("version: 1", "members:", "  alice:", `    recipients: [${alice}]`, "  bob:", `    recipients: [${typo(ci)}]`);
    const e = thrown(() => loadYaml<Roster>(flow, ROSTER, "roster", checkRoster));
    expect({ code: e.code, line: e.data.line, member: e.data.member }).toEqual({ code: "INVALID_FILE", line: 6, member: "bob" });
  });

  test("a line for every roster check: shared recipient and unknown member in access", () => {
    const shared = lines("version: 1", "members:", "  alice:", `    recipients: [${alice}]`, "  bob:", "    recipients:", `      - ${alice}`);
    expect(thrown(() => loadYaml<Roster>(shared, ROSTER, "roster", checkRoster)).message).toBe(`${ROSTER}:7: members alice and bob share the recipient ${alice}`);
    const access = lines("version: 1", "members:", "  alice:", `    recipients: [${alice}]`, "access:", "  production:", "    members:", "      - alice", "      - mallory");
    expect(thrown(() => loadYaml<Roster>(access, ROSTER, "roster", checkRoster)).message).toBe(`${ROSTER}:9: access to production names unknown member mallory`);
  });
});
