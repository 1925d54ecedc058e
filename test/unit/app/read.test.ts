import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { initVault } from "../../../src/app/init.js";
import { Keyring } from "../../../src/store/keyring.js";
import { entries, readEnv } from "../../../src/app/read.js";
import { applyUpdates } from "../../../src/app/write.js";
import { Vault } from "../../../src/store/vault.js";
import { printEnvFile } from "../../../src/model/envfile.js";
import { VAULT_FILE } from "../../../src/model/config.js";
import { rejection } from "../errors.js";
import { writeSigned } from "./fixture.js";

const T0 = 1_700_000_000;

let root: string;
let identity: string;
let recipient: string;

/** A vault with development and staging, staging extending development. */
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "envvault-read-"));
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
  await initVault({ root, envs: ["development", "staging"], member: "alice", recipients: [recipient], identities: [identity] });
  const yaml = await readFile(join(root, VAULT_FILE), "utf8");
  expect(yaml).toContain("  staging: {}\n");
  await writeSigned(root, identity, { [VAULT_FILE]: yaml.replace("  staging: {}\n", "  staging:\n    extends: development\n") });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function reader(): Promise<Keyring> {
  return new Keyring(await Vault.load(root), [identity], [recipient], "alice");
}

/** Sets values in an environment as a reader would, and writes the file. */
async function setIn(env: string, values: Record<string, string>, t: number): Promise<void> {
  const keyring = await reader();
  const updates = Object.entries(values).map(([key, value]) => ({ key, value }));
  const r = await applyUpdates(keyring, await keyring.vault.envFile(env), updates, [], t);
  await writeFile(join(root, Vault.envPath(env)), printEnvFile(r.file));
}


describe("readEnv with inheritance", () => {
  beforeEach(async () => {
    await setIn("development", { DB_HOST: "localhost", DB_NAME: "app_dev" }, T0);
    await setIn("staging", { DB_NAME: "app_staging", STAGING_ONLY: "s" }, T0 + 10);
  });

  test("the child overrides the parent, and inherited keys report the parent's environment", async () => {
    const got = await readEnv(await reader(), "staging");
    expect([...got.values()]).toEqual([
      { key: "DB_HOST", env: "development", scope: "development", t: T0, value: "localhost" },
      { key: "DB_NAME", env: "staging", scope: "staging", t: T0 + 10, value: "app_staging" },
      { key: "STAGING_ONLY", env: "staging", scope: "staging", t: T0 + 10, value: "s" },
    ]);
  });

  test("the parent does not see the child's values", async () => {
    const got = await readEnv(await reader(), "development");
    expect(Object.fromEntries([...got].map(([k, r]) => [k, r.value]))).toEqual({ DB_HOST: "localhost", DB_NAME: "app_dev" });
  });

  test("asking for some keys returns those that exist, in the order asked", async () => {
    const got = await readEnv(await reader(), "staging", ["STAGING_ONLY", "MISSING", "DB_HOST"]);
    expect([...got.keys()]).toEqual(["STAGING_ONLY", "DB_HOST"]);
    expect(got.get("DB_HOST")?.value).toBe("localhost");
  });

  test("entries lists what each key resolves to without decrypting", async () => {
    const all = await entries(await Vault.load(root), "staging");
    expect(Object.fromEntries([...all].map(([k, e]) => [k, e.entry.env]))).toEqual({ DB_HOST: "development", DB_NAME: "staging", STAGING_ONLY: "staging" });
  });

  test("an unknown environment is a usage error", async () => {
    expect((await rejection(readEnv(await reader(), "production"))).code).toBe("USAGE");
  });
});

describe("readEnv detects tampering", () => {
  test("a value line moved to another key fails with Tampered naming the key", async () => {
    await setIn("development", { A: "value of a", B: "value of b" }, T0);
    const path = join(root, Vault.envPath("development"));
    const text = await readFile(path, "utf8");
    const bLine = text.split("\n").find((l) => l.startsWith("B="))!;
    await writeFile(path, text.replace(/^A=.*$/m, "A=" + bLine.slice(2)));
    const e = await rejection(readEnv(await reader(), "development"));
    expect(e.code).toBe("TAMPERED");
    expect(e.exitCode).toBe(4);
    expect(e.data).toEqual({ env: "development", scope: "development", key: "A" });
    expect(e.message).toBe("A in development (scope development) failed its integrity check: the value was modified, or moved from another key, scope or environment");
  });

  test("a value line copied into another environment under that environment's batch fails naming the key there", async () => {
    await setIn("development", { A: "dev value" }, T0);
    await setIn("staging", { OTHER: "x" }, T0);
    const devLine = (await readFile(join(root, Vault.envPath("development")), "utf8")).split("\n").find((l) => l.startsWith("A="))!;
    const stagingPath = join(root, Vault.envPath("staging"));
    const staging = await readFile(stagingPath, "utf8");
    const stagingBatch = /^#@batch (\S+) /m.exec(staging)![1]!;
    await writeFile(stagingPath, staging + devLine.replace(/^A=ev2:[0-9a-f]{12}:/, `A=ev2:${stagingBatch}:`) + "\n");
    const e = await rejection(readEnv(await reader(), "staging"));
    expect(e.code).toBe("TAMPERED");
    expect(e.data).toEqual({ env: "staging", scope: "staging", key: "A" });
  });

  test("a value line copied into another environment with its batch fails at the batch, naming the batch and the key", async () => {
    await setIn("development", { A: "dev value" }, T0);
    await setIn("staging", { OTHER: "x" }, T0);
    const dev = await readFile(join(root, Vault.envPath("development")), "utf8");
    const devLine = dev.split("\n").find((l) => l.startsWith("A="))!;
    const devBatch = dev.split("\n").find((l) => l.startsWith("#@batch "))!;
    const stagingPath = join(root, Vault.envPath("staging"));
    await writeFile(stagingPath, (await readFile(stagingPath, "utf8")) + devBatch.replace(" development ", " staging ") + "\n" + devLine + "\n");
    const e = await rejection(readEnv(await reader(), "staging"));
    expect(e.code).toBe("TAMPERED");
    expect(e.data).toEqual({ env: "staging", scope: "staging", batch: devBatch.slice(8, 20), file: ".envvault/envs/staging.env", key: "A" });
  });

  test("a value whose batch is not in the file fails with Tampered naming the key", async () => {
    await setIn("development", { A: "1" }, T0);
    const path = join(root, Vault.envPath("development"));
    await writeFile(path, (await readFile(path, "utf8")).replace(/^#@batch .*\n/m, ""));
    const e = await rejection(readEnv(await reader(), "development"));
    expect(e.code).toBe("TAMPERED");
    expect(e.data).toEqual({ file: Vault.envPath("development"), key: "A", env: "development" });
  });
});
