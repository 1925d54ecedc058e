import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { signerFor } from "../../../src/crypto/sign.js";
import { accessMatrix } from "../../../src/app/access.js";
import { addMember } from "../../../src/app/add-member.js";
import { addScope } from "../../../src/app/add-scope.js";
import { burn } from "../../../src/app/burn.js";
import { findProblems } from "../../../src/app/check.js";
import { grant } from "../../../src/app/grant.js";
import { initVault } from "../../../src/app/init.js";
import { listMembers } from "../../../src/app/list-members.js";
import { readEnv } from "../../../src/app/read.js";
import { removeMember } from "../../../src/app/remove-member.js";
import { revoke } from "../../../src/app/revoke.js";
import { revokeWrite, setAdmin } from "../../../src/app/roles.js";
import { rotateKeys } from "../../../src/app/rotate-keys.js";
import { rotateValues } from "../../../src/app/rotate-values.js";
import type { Deps } from "../../../src/app/session.js";
import { validate } from "../../../src/app/validate.js";
import { applyUpdates } from "../../../src/app/write.js";
import { VAULT_FILE } from "../../../src/model/config.js";
import { printEnvFile } from "../../../src/model/envfile.js";
import { keyPath, ROSTER_FILE } from "../../../src/model/layout.js";
import { Keyring } from "../../../src/store/keyring.js";
import { saveState } from "../../../src/store/state.js";
import { Vault } from "../../../src/store/vault.js";
import { rejection } from "../errors.js";
import { writeSigned } from "./fixture.js";

const NOW = "2026-03-01T12:00:00Z";
const T0 = 1_700_000_000;

let root: string;
let alice: { identity: string; recipient: string };
let bob: { identity: string; recipient: string };

async function person(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** How a use case is called by `who`, in the vault's directory. */
const as = (who: { identity: string }, extra: Partial<Deps> = {}): Deps => ({ cwd: root, processEnv: { ENVVAULT_IDENTITY: who.identity, ENVVAULT_NOW: NOW }, ...extra });

/** Decrypts an environment as `who`. */
async function valuesOf(who: { identity: string; recipient: string }, member: string, env: string): Promise<Record<string, string>> {
  const keyring = new Keyring(await Vault.load(root), [who.identity], [who.recipient], member);
  return Object.fromEntries([...(await readEnv(keyring, env))].map(([k, v]) => [k, v.value]));
}

/** Seals values into an environment as alice, and writes the file, signed by her. */
async function setIn(env: string, values: Record<string, string>): Promise<void> {
  const keyring = new Keyring(await Vault.load(root), [alice.identity], [alice.recipient], "alice");
  const r = await applyUpdates(keyring, await keyring.vault.envFile(env), Object.entries(values).map(([key, value]) => ({ key, value })), [], T0);
  await writeSigned(root, alice.identity, { [Vault.envPath(env)]: printEnvFile(r.file) });
}

const noValue = async (key: string): Promise<string> => {
  throw new Error(`asked for ${key}`);
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-team-"));
  alice = await person();
  bob = await person();
  await initVault({ root, envs: ["development", "production"], member: "alice", recipients: [alice.recipient], identities: [alice.identity] });
  await setIn("development", { API_KEY: "dev-key-1", LOG_LEVEL: "debug" });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("members", () => {
  test("addMember refuses a recipient that is not one before it looks for a vault or an identity", async () => {
    const e = await rejection(addMember({ cwd: tmpdir(), processEnv: {} }, { name: "bob", recipients: ["age1nope"] }));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe("recipient 1 of bob is not an age X25519 recipient (age1… of 62 characters)");
  });

  test("a member added to a team gets a key file for the scopes the team reads", async () => {
    const added = await addMember(as(alice), { name: "bob", recipients: [bob.recipient, bob.recipient], teams: ["dev"] });
    expect(added).toEqual({ member: "bob", teams: ["dev"], scopes: [], pending: [] });
    expect(await grant(as(alice), { who: "team:dev", scope: "development" })).toEqual({ scope: "development", who: "team dev", readers: ["bob"] });
    expect(await valuesOf(bob, "bob", "development")).toEqual({ API_KEY: "dev-key-1", LOG_LEVEL: "debug" });
    expect((await listMembers(as(alice))).map((m) => [m.member, m.teams, m.reads])).toEqual([
      ["alice", [], ["development", "production"]],
      ["bob", ["dev"], ["development"]],
    ]);
  });

  test("grant refuses when there is nothing to do, and changes no file", async () => {
    const roster = await readFile(join(root, ROSTER_FILE), "utf8");
    const e = await rejection(grant(as(alice), { who: "alice", scope: "development" }));
    expect(e.message).toBe("alice can already read development");
    expect(await readFile(join(root, ROSTER_FILE), "utf8")).toBe(roster);
  });

  test("removeMember re-keys what the member could read and records what they saw", async () => {
    await addMember(as(alice), { name: "bob", recipients: [bob.recipient] });
    await grant(as(alice), { who: "bob", scope: "development" });
    const old = (await (await Vault.load(root)).envFile("development")).scopes.get("development");
    const r = await removeMember(as(alice), { name: "bob" });
    expect(r.removed).toBe("bob");
    expect(r.scopes).toEqual(["development"]);
    expect(r.exposed.map((e) => [e.env, e.key, e.to, e.since])).toEqual([
      ["development", "API_KEY", "bob", NOW],
      ["development", "LOG_LEVEL", "bob", NOW],
    ]);
    expect(existsSync(join(root, keyPath("development", "bob")))).toBe(false);
    expect((await (await Vault.load(root)).envFile("development")).scopes.get("development")).not.toBe(old);
    expect(await valuesOf(alice, "alice", "development")).toEqual({ API_KEY: "dev-key-1", LOG_LEVEL: "debug" });
    expect((await listMembers(as(alice))).map((m) => m.member)).toEqual(["alice"]);
  });
  test("removeMember takes the member out of the admins and of write access too; the last admin cannot be removed", async () => {
    await addMember(as(alice), { name: "bob", recipients: [bob.recipient], signingKeys: [signerFor(bob.identity).publicKey] });
    await setAdmin(as(alice), { member: "bob", admin: true });
    for (const scope of ["development", "production"]) await grant(as(alice), { who: "bob", scope });
    // production's writers become explicit: alice alone.
    await revokeWrite(as(alice), { who: "bob", scope: "production" });
    expect((await Vault.load(root)).roster.data.access?.production?.write).toEqual({ members: ["alice"] });
    await removeMember(as(bob), { name: "alice" });
    const roster = await readFile(join(root, ROSTER_FILE), "utf8");
    expect(roster).not.toMatch(/\balice\b/);
    expect((await Vault.load(root)).roster.data).toMatchObject({ admins: ["bob"], access: { production: { members: ["bob"], write: {} } } });
    const carol = await person();
    await addMember(as(bob), { name: "carol", recipients: [carol.recipient] });
    for (const scope of ["development", "production"]) await grant(as(bob), { who: "carol", scope });
    const before = await readFile(join(root, ROSTER_FILE), "utf8");
    const e = await rejection(removeMember(as(bob), { name: "bob" }));
    expect(e.message).toBe("bob is the last admin: add another admin first (`vault admin add NAME`)");
    expect(await readFile(join(root, ROSTER_FILE), "utf8")).toBe(before);
  });
});

describe("revoke and rotate", () => {
  beforeEach(async () => {
    await addMember(as(alice), { name: "bob", recipients: [bob.recipient] });
    await grant(as(alice), { who: "bob", scope: "development" });
  });

  test("revoke takes the key away, and check reports each exposed value until it changes", async () => {
    const r = await revoke(as(alice), { who: "bob", scope: "development" });
    expect(r.removed).toEqual(["bob"]);
    expect(r.exposed.map((e) => e.key)).toEqual(["API_KEY", "LOG_LEVEL"]);
    expect(await rejection(valuesOf(bob, "bob", "development"))).toMatchObject({ code: "NOT_A_RECIPIENT" });
    expect((await findProblems(as(alice))).filter((p) => p.kind === "exposed").map((p) => (p.kind === "exposed" ? p.key : ""))).toEqual(["API_KEY", "LOG_LEVEL"]);

    const rotated = await rotateValues(as(alice), { keys: ["API_KEY"], stdin: true, newValue: async () => "dev-key-2" });
    expect(rotated).toEqual({ env: "development", rotated: ["API_KEY"], unchanged: [], generated: [], warnings: [] });
    expect(await valuesOf(alice, "alice", "development")).toMatchObject({ API_KEY: "dev-key-2" });
    expect((await findProblems(as(alice))).map((p) => p.kind === "exposed" && p.key)).toEqual(["LOG_LEVEL"]);
  });

  test("revoke refuses access the member does not have of its own", async () => {
    const e = await rejection(revoke(as(alice), { who: "bob", scope: "production" }));
    expect(e.message).toBe("bob has no access of its own to production");
  });

  test("rotateKeys re-keys every scope for the same readers", async () => {
    const before = await Vault.load(root);
    const old = (await before.envFile("production")).scopes.get("production");
    expect(await rotateKeys(as(alice), { scopes: "all" })).toEqual(["development", "production"]);
    expect((await (await Vault.load(root)).envFile("production")).scopes.get("production")).not.toBe(old);
    expect(await valuesOf(bob, "bob", "development")).toEqual({ API_KEY: "dev-key-1", LOG_LEVEL: "debug" });
  });
});

describe("rotateValues", () => {
  test("a value that is the old one is unchanged, and the stale `vault use` choice is a warning", async () => {
    await saveState(root, { version: 1, env: "gone", targets: {} });
    const r = await rotateValues(as(alice), { keys: ["LOG_LEVEL"], stdin: false, newValue: async () => "debug" });
    expect(r).toMatchObject({ env: "development", rotated: [], unchanged: ["LOG_LEVEL"] });
    expect(r.warnings).toEqual(["this clone's `vault use gone` names an environment vault.yaml no longer has; using development (`vault use ENV` chooses another)"]);
  });

  test("a generated variable the vault does not store is made again here, without asking for a value", async () => {
    const yaml = await readFile(join(root, VAULT_FILE), "utf8");
    await writeSigned(root, alice.identity, { [VAULT_FILE]: yaml.replace("targets:", "variables:\n  SESSION_SECRET: { kind: generated, generate: hex:16 }\ntargets:") });
    expect(await rotateValues(as(alice), { keys: ["SESSION_SECRET"], stdin: false, newValue: noValue })).toMatchObject({ rotated: [], generated: ["SESSION_SECRET"] });
    const e = await rejection(rotateValues(as(alice), { keys: ["SESSION_SECRET"], stdin: true, newValue: noValue }));
    expect(e.message).toBe("SESSION_SECRET is generated on each machine; it takes no value from --stdin");
  });

  test("--stdin gives one value, and a key the environment lacks is refused before anything is written", async () => {
    expect((await rejection(rotateValues(as(alice), { keys: ["API_KEY", "LOG_LEVEL"], stdin: true, newValue: noValue }))).message).toBe("--stdin gives the new value of exactly one KEY");
    const e = await rejection(rotateValues(as(alice, { env: "production" }), { keys: ["API_KEY"], stdin: false, generate: "", newValue: noValue }));
    expect(e.message).toBe("production has no variable API_KEY to rotate");
  });
});

describe("scopes, access, burn and validate", () => {
  test("addScope makes a named scope only its creator reads; accessMatrix shows it", async () => {
    expect((await rejection(addScope(as(alice), { scope: "production" }))).message).toContain("a named scope is ENV:NAME");
    await addMember(as(alice), { name: "bob", recipients: [bob.recipient] });
    await addScope(as(alice), { scope: "production:payments" });
    const m = await accessMatrix(as(alice));
    expect(m.scopes).toEqual(["development", "production", "production:payments"]);
    expect(m.members).toEqual([
      { member: "alice", scopes: { development: { access: "read", drift: false }, production: { access: "read", drift: false }, "production:payments": { access: "read", drift: false } } },
      { member: "bob", scopes: { development: { access: "write", drift: false }, production: { access: "write", drift: false }, "production:payments": { access: "write", drift: false } } },
    ]);
    expect((await rejection(addScope(as(alice), { scope: "production:payments" }))).message).toBe("scope production:payments already exists");
  });

  test("burn records when, and refuses a variable no environment has or one burned already", async () => {
    expect((await rejection(burn(as(alice), { key: "NOPE" }))).message).toBe("no environment has a variable NOPE");
    await burn(as(alice), { key: "API_KEY", reason: "leaked" });
    expect(await readFile(join(root, VAULT_FILE), "utf8")).toContain(`API_KEY:\n    burned: { reason: leaked, at: ${NOW} }`);
    expect((await rejection(burn(as(alice), { key: "API_KEY" }))).message).toBe("API_KEY is already burned");
  });

  test("validate checks every environment unless one is asked for, and an unknown one is a usage error", async () => {
    const yaml = await readFile(join(root, VAULT_FILE), "utf8");
    await writeSigned(root, alice.identity, { [VAULT_FILE]: yaml.replace("targets:", "variables:\n  API_KEY: { required: true }\ntargets:") });
    expect(await validate(as(alice))).toEqual({ violations: [{ env: "production", key: "API_KEY", problem: "is required but not set" }], unreadable: [] });
    expect(await validate(as(alice, { env: "development" }))).toEqual({ violations: [], unreadable: [] });
    expect((await rejection(validate(as(alice, { env: "staging" })))).code).toBe("USAGE");
  });
});
