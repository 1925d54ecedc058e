/**
 * The setup use cases of app/ (init with adoption, keygen, whoami) in a temp directory
 * outside git, with the identity looked up under a config directory of the test's own.
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getValue } from "../../../src/app/get.js";
import { prepareInit } from "../../../src/app/init.js";
import { makeIdentity } from "../../../src/app/keygen.js";
import type { Deps } from "../../../src/app/session.js";
import { identify } from "../../../src/app/whoami.js";
import { VAULT_FILE } from "../../../src/model/config.js";
import { rejection } from "../errors.js";

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "envvault-app-setup-"));
  root = join(base, "project");
  await mkdir(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function deps(extra: Partial<Deps> = {}): Deps {
  return { cwd: root, processEnv: { XDG_CONFIG_HOME: join(base, "config"), USER: "Alice Smith", ENVVAULT_NOW: "1700000000" }, ...extra };
}

const identityFile = () => join(base, "config", "envvault", "identity.txt");
const init = { envs: ["development"], adopt: true, hooks: true };

describe("prepareInit", () => {
  test("outside git: the vault goes in the working directory, an identity is made for a caller without one, no hooks", async () => {
    const p = await prepareInit(deps(), init);
    expect(p).toMatchObject({ root, inGit: false, createdIdentity: identityFile() });
    expect(p.adoption).toBeUndefined();
    expect(existsSync(join(root, VAULT_FILE))).toBe(false);
    const r = await p.create({ adopt: false });
    expect(r).toMatchObject({ root, envs: ["development"], member: "alice-smith", tracked: [], warnings: [] });
    expect(r.hooks).toBeUndefined();
    expect(r.recipient).toMatch(/^age1/);
    expect(existsSync(join(root, VAULT_FILE))).toBe(true);
  });

  test("an identity named with --identity that does not exist is an error, not a new identity", async () => {
    const e = await rejection(prepareInit(deps({ identityFile: join(base, "missing.txt") }), init));
    expect(e.code).toBe("NO_IDENTITY");
    expect(existsSync(identityFile())).toBe(false);
  });

  test("env files found are offered, and imported only when create is told to adopt them", async () => {
    await writeFile(join(root, ".env"), "API_KEY=adopted-3c9e\n");
    await writeFile(join(root, ".env.example"), "API_KEY=\n");
    const declined = await prepareInit(deps(), init);
    expect(declined.adoption?.files.map((f) => f.path)).toEqual([".env", ".env.example"]);
    expect((await declined.create({ adopt: false })).adopted).toBeUndefined();
    expect(await readFile(join(root, VAULT_FILE), "utf8")).not.toContain("required");

    await rm(join(root, ".envvault"), { recursive: true });
    const accepted = await prepareInit(deps(), { ...init, member: "alice" });
    expect(accepted.createdIdentity).toBeUndefined();
    const r = await accepted.create({ adopt: true });
    expect(r.adopted?.required).toEqual(["API_KEY"]);
    expect((await getValue(deps(), { key: "API_KEY" })).value).toBe("adopted-3c9e");
  });

  test("with --no-import, or where a vault exists, nothing is offered", async () => {
    await writeFile(join(root, ".env"), "A=1\n");
    expect((await prepareInit(deps(), { ...init, adopt: false })).adoption).toBeUndefined();
    await (await prepareInit(deps(), { ...init, adopt: false })).create({ adopt: false });
    const again = await prepareInit(deps(), init);
    expect(again.adoption).toBeUndefined();
    expect((await rejection(again.create({ adopt: false }))).code).toBe("USAGE");
  });
});

describe("makeIdentity and identify", () => {
  test("keygen writes a 0600 identity relative to the working directory, or to the default file", async () => {
    const named = await makeIdentity(deps(), { out: "k.txt" });
    expect(named.path).toBe(join(root, "k.txt"));
    expect((await stat(named.path)).mode & 0o777).toBe(0o600);
    expect((await makeIdentity(deps(), {})).path).toBe(identityFile());
  });

  test("whoami outside a vault tells no member; in one, the member and the scopes they hold", async () => {
    const { recipient } = await makeIdentity(deps(), {});
    expect(await identify(deps())).toEqual({ recipients: [recipient], source: identityFile(), inVault: false, scopes: [], signingKeys: [expect.stringMatching(/^ed25519:[A-Za-z0-9_-]{43}$/)] });
    await (await prepareInit(deps(), { ...init, envs: ["development", "production"], member: "alice" })).create({ adopt: false });
    expect(await identify(deps())).toMatchObject({ inVault: true, member: "alice", admin: true, scopes: ["development", "production"], trustRoot: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
