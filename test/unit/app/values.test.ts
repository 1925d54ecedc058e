/**
 * The value use cases of app/ (set, import, remove, edit, get, list, use, env add, env list),
 * called as the CLI calls them: a Deps for a temp vault and an identity in the process
 * environment. What they print is cli/'s; here, what they return and write.
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { InvalidFile, NotAllowed, NotARecipient, UsageError } from "../../../src/errors.js";
import { signerFor } from "../../../src/crypto/sign.js";
import { addMember } from "../../../src/app/add-member.js";
import { editValues } from "../../../src/app/edit.js";
import { addEnvironment } from "../../../src/app/env-add.js";
import { listEnvironments } from "../../../src/app/env-list.js";
import { getValue } from "../../../src/app/get.js";
import { importValues } from "../../../src/app/import.js";
import { initVault } from "../../../src/app/init.js";
import { listVariables } from "../../../src/app/list.js";
import { removeValues } from "../../../src/app/remove.js";
import { grantWrite } from "../../../src/app/roles.js";
import type { Deps } from "../../../src/app/session.js";
import { setValues } from "../../../src/app/set.js";
import { useEnvironment } from "../../../src/app/use.js";
import { VAULT_FILE } from "../../../src/model/config.js";
import { loadCache } from "../../../src/store/fingerprints.js";
import { loadState, saveState } from "../../../src/store/state.js";
import { rejection } from "../errors.js";
import { writeSigned } from "./fixture.js";

const T0 = 1_700_000_000;

let root: string;
let identity: string;

/** A vault with development and staging (extending development), alice its only member. */
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-app-values-"));
  identity = await generateIdentity();
  await initVault({ root, envs: ["development", "staging"], member: "alice", recipients: [await identityToRecipient(identity)], identities: [identity] });
  const yaml = await readFile(join(root, VAULT_FILE), "utf8");
  await writeSigned(root, identity, { [VAULT_FILE]: yaml.replace("  staging: {}\n", "  staging:\n    extends: development\n") });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Alice's Deps; `identity: false` for someone with no identity anywhere. */
function deps(o: { env?: string; identity?: false } = {}): Deps {
  const processEnv: NodeJS.ProcessEnv = { ENVVAULT_NOW: String(T0), XDG_CONFIG_HOME: join(root, "no-config") };
  if (o.identity !== false) processEnv.ENVVAULT_IDENTITY = identity;
  return { cwd: root, processEnv, ...(o.env === undefined ? {} : { env: o.env }) };
}

const given = (values: Record<string, string>) => async () => Object.entries(values).map(([key, value]) => ({ key, value }));

/** Makes this clone's `vault use` choice name an environment vault.yaml does not have. */
async function staleChoice(): Promise<void> {
  await saveState(root, { ...(await loadState(root)), env: "gone" });
}

describe("setValues", () => {
  test("seals the values into the environment in use, and a second identical set changes nothing", async () => {
    const first = await setValues(deps(), { values: given({ B: "two", A: "one" }) });
    expect(first).toEqual({ env: "development", added: ["A", "B"], changed: [], unchanged: [], burned: [], secrets: ["B", "A"], warnings: [] });
    expect((await getValue(deps(), { key: "A" })).value).toBe("one");
    const again = await setValues(deps(), { values: given({ A: "one", B: "2" }) });
    expect(again).toMatchObject({ added: [], changed: ["B"], unchanged: ["A"] });
  });

  test("asks for the values only once the vault is found", async () => {
    let asked = false;
    const e = await rejection(setValues({ ...deps(), cwd: join(root, "..") }, { values: async () => ((asked = true), []) }));
    expect(e.code).toBe("NOT_FOUND");
    expect(asked).toBe(false);
  });

  test("--kind is recorded in vault.yaml, and a config variable is no secret to warn about", async () => {
    const r = await setValues(deps(), { values: given({ PORT: "8080" }), kind: "config" });
    expect(r.secrets).toEqual([]);
    expect(await readFile(join(root, VAULT_FILE), "utf8")).toMatch(/PORT:\s*\n\s*kind: config/);
  });

  test("a scope the environment lacks is a usage error naming it in full, and nothing is written", async () => {
    const before = await readFile(join(root, ".envvault/envs/development.env"), "utf8");
    const e = await rejection(setValues(deps(), { values: given({ A: "1" }), scope: "payments" }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain("development:payments");
    expect(await readFile(join(root, ".envvault/envs/development.env"), "utf8")).toBe(before);
  });

  test("a write-only member seals values it cannot read and the fingerprint cache still learns them; without an identity nothing is written", async () => {
    const before = await readFile(join(root, ".envvault/envs/development.env"), "utf8");
    expect((await rejection(setValues(deps({ identity: false }), { values: given({ TOKEN: "from-ci-5d1f" }) }))).code).toBe("NO_IDENTITY");
    expect(await readFile(join(root, ".envvault/envs/development.env"), "utf8")).toBe(before);
    const ci = await generateIdentity();
    await addMember(deps(), { name: "ci", recipients: [await identityToRecipient(ci)], kind: "machine", signingKeys: [signerFor(ci).publicKey] });
    await grantWrite(deps(), { who: "ci", scope: "development" });
    const r = await setValues({ ...deps(), processEnv: { ...deps().processEnv, ENVVAULT_IDENTITY: ci } }, { values: given({ TOKEN: "from-ci-5d1f" }) });
    expect(r.added).toEqual(["TOKEN"]);
    expect(r.warnings).toEqual([]);
    expect((await loadCache(root))?.data.values.filter((v) => v[0] === "development" && v[3] === 0).map((v) => v[1])).toEqual(["TOKEN"]);
    expect((await getValue(deps(), { key: "TOKEN" })).value).toBe("from-ci-5d1f");
  });

  test("a stale `vault use` choice is passed over with a warning", async () => {
    await staleChoice();
    const r = await setValues(deps(), { values: given({ A: "1" }) });
    expect(r.env).toBe("development");
    expect(r.warnings).toEqual([expect.stringContaining("`vault use gone`")]);
  });
});

describe("importValues", () => {
  test("seals every variable of the text and tells the fingerprint cache", async () => {
    const r = await importValues(deps({ env: "staging" }), { text: "X=1\nY=two\n", name: "<stdin>" });
    expect(r).toEqual({ env: "staging", count: 2, added: ["X", "Y"], changed: [], unchanged: [], warnings: [] });
    expect((await loadCache(root))?.data.values.filter((v) => v[0] === "staging" && v[3] === 0).map((v) => v[1]).sort()).toEqual(["X", "Y"]);
  });

  test("a NUL byte in a value is an invalid file naming the key, and nothing is written", async () => {
    const e = await rejection(importValues(deps(), { text: JSON.stringify({ OK: "1", BAD: "a\0b" }), name: "in.json" }));
    expect(e).toBeInstanceOf(InvalidFile);
    expect(e.data).toEqual({ file: "in.json", key: "BAD" });
    expect((await listVariables(deps(), { reveal: false })).variables).toEqual([]);
  });
});

describe("removeValues", () => {
  test("removes the environment's own variables; an inherited one is refused with where it lives", async () => {
    await setValues(deps(), { values: given({ BASE: "b" }) });
    await setValues(deps({ env: "staging" }), { values: given({ OWN: "o" }) });
    const e = await rejection(removeValues(deps({ env: "staging" }), { keys: ["BASE"] }));
    expect(e.message).toBe("BASE is inherited by staging from development");
    expect(await removeValues(deps({ env: "staging" }), { keys: ["OWN"] })).toEqual({ env: "staging", removed: ["OWN"], warnings: [] });
  });

  test("a key set again after its removal has a value line in place of its removal line", async () => {
    await setValues(deps(), { values: given({ BACK: "first" }) });
    await removeValues(deps(), { keys: ["BACK"] });
    expect(await readFile(join(root, ".envvault/envs/development.env"), "utf8")).toMatch(/^#@removed BACK development /m);
    expect(await setValues(deps(), { values: given({ BACK: "again" }) })).toMatchObject({ added: ["BACK"] });
    const text = await readFile(join(root, ".envvault/envs/development.env"), "utf8");
    expect(text).not.toMatch(/^#@removed BACK /m);
    expect(text).toMatch(/^BACK=ev2:/m);
    expect((await getValue(deps(), { key: "BACK" })).value).toBe("again");
  });
});

describe("editValues", () => {
  beforeEach(async () => {
    await setValues(deps(), { values: given({ BASE: "b" }) });
    await setValues(deps({ env: "staging" }), { values: given({ KEEP: "k", CHANGE: "old", DROP: "d" }) });
  });

  test("the editor gets the environment's own values; only what it changed is sealed", async () => {
    let shown: ReadonlyMap<string, string> | undefined;
    const r = await editValues(deps({ env: "staging" }), async (env, values) => {
      expect(env).toBe("staging");
      shown = values;
      return new Map([["KEEP", "k"], ["CHANGE", "new"], ["ADD", "a"]]);
    });
    expect([...(shown ?? new Map())].sort()).toEqual([["CHANGE", "old"], ["DROP", "d"], ["KEEP", "k"]]);
    expect(r).toEqual({ env: "staging", change: { added: ["ADD"], changed: ["CHANGE"], removed: ["DROP"] }, warnings: [] });
    const values = (await listVariables(deps({ env: "staging" }), { reveal: true })).variables.map((v) => [v.key, v.value]);
    expect(values).toEqual([["ADD", "a"], ["BASE", "b"], ["CHANGE", "new"], ["KEEP", "k"]]);
  });

  test("a key set by someone else while the editor is open is kept", async () => {
    await editValues(deps({ env: "staging" }), async (_env, values) => {
      await setValues(deps({ env: "staging" }), { values: given({ MEANWHILE: "m" }) });
      return new Map([...values, ["KEEP", "k2"]]);
    });
    expect((await getValue(deps({ env: "staging" }), { key: "MEANWHILE" })).value).toBe("m");
    expect((await getValue(deps({ env: "staging" }), { key: "KEEP" })).value).toBe("k2");
  });

  test("a cancelled edit writes nothing", async () => {
    const file = join(root, ".envvault/envs/staging.env");
    const before = await readFile(file, "utf8");
    const r = await editValues(deps({ env: "staging" }), async () => ({ cancelledBy: "SIGTERM" }));
    expect(r.change).toEqual({ cancelledBy: "SIGTERM" });
    expect(await readFile(file, "utf8")).toBe(before);
  });
});

describe("getValue and listVariables", () => {
  test("get names the environment a value is inherited from; a missing key is NOT_FOUND", async () => {
    await setValues(deps(), { values: given({ A: "1" }) });
    expect(await getValue(deps({ env: "staging" }), { key: "A" })).toEqual({ env: "staging", key: "A", value: "1", scope: "development", from: "development", warnings: [] });
    expect((await rejection(getValue(deps(), { key: "NOPE" }))).code).toBe("NOT_FOUND");
  });

  test("list masks secrets and needs no identity when no config variable is listed; --reveal opens them", async () => {
    await setValues(deps(), { values: given({ S: "secret-7a1c" }) });
    const masked = await listVariables(deps({ identity: false }), { reveal: false });
    expect(masked.variables).toEqual([{ key: "S", kind: "secret", burned: false, scope: "development", from: "development", changed: "2023-11-14T22:13:20Z", value: undefined }]);
    expect((await listVariables(deps(), { reveal: true })).variables[0]?.value).toBe("secret-7a1c");
    expect((await rejection(listVariables(deps({ identity: false }), { reveal: true }))).code).toBe("NO_IDENTITY");
  });

  test("a stale `vault use` choice: the default environment, with a warning", async () => {
    await staleChoice();
    const r = await listVariables(deps(), { reveal: false });
    expect(r.env).toBe("development");
    expect(r.warnings).toHaveLength(1);
  });
});

describe("useEnvironment and listEnvironments", () => {
  test("the choice is recorded and env list marks it; an unknown environment is a usage error", async () => {
    expect(await useEnvironment(deps(), { env: "staging" })).toEqual({ env: "staging" });
    expect((await loadState(root)).env).toBe("staging");
    const { environments } = await listEnvironments(deps());
    expect(environments.map((e) => [e.env, e.inUse, e.extends])).toEqual([["development", false, null], ["staging", true, "development"]]);
    expect(await rejection(useEnvironment(deps(), { env: "nope" }))).toBeInstanceOf(UsageError);
  });

  test("env list follows the choice rule: --env first, a stale choice passed over with a warning", async () => {
    expect((await listEnvironments(deps({ env: "staging" }))).environments.find((e) => e.inUse)?.env).toBe("staging");
    await staleChoice();
    const r = await listEnvironments(deps());
    expect(r.environments.find((e) => e.inUse)?.env).toBe("development");
    expect(r.warnings).toHaveLength(1);
  });

  test("without an identity every environment is listed write-only", async () => {
    expect((await listEnvironments(deps({ identity: false }))).environments.map((e) => e.readable)).toEqual([false, false]);
  });
});

describe("addEnvironment", () => {
  test("the new environment is readable by the member who added it, and can be chosen", async () => {
    await addEnvironment(deps(), { name: "preview", extends: "staging" });
    expect(await readFile(join(root, VAULT_FILE), "utf8")).toContain("preview:\n    extends: staging");
    expect(await useEnvironment(deps(), { env: "preview" })).toEqual({ env: "preview" });
    expect((await rejection(addEnvironment(deps(), { name: "preview" }))).message).toBe("environment preview already exists");
  });

  test("someone who is not a member cannot add one, nor choose one they cannot read", async () => {
    const stranger = await generateIdentity();
    const theirs = { ...deps(), processEnv: { ...deps().processEnv, ENVVAULT_IDENTITY: stranger } };
    const e = await rejection(addEnvironment(theirs, { name: "preview" }));
    expect(e).toBeInstanceOf(NotAllowed);
    expect(e.message).toContain("your identity is not a member in .envvault/roster.yaml");
    expect(await rejection(useEnvironment(theirs, { env: "staging" }))).toBeInstanceOf(NotARecipient);
  });
});
