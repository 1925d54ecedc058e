// The YAML cache (src/store/yamlcache.ts) as Vault.load uses it: a miss parses and validates
// in full (errors with line numbers) and fills the cache; a hit gives the same data without a
// document; edits load the documents; a damaged, foreign, forged or unreadable cache is
// ignored and rewritten; the cache is one identity's, MAC'd with a key derived from it
// (docs/FORMAT.md §13); it holds what the two YAML files say and nothing else.
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidFile, VaultError } from "../../../src/errors.js";
import { initVault } from "../../../src/app/init.js";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { deriveFromIdentity, macHex, sha256Hex } from "../../../src/crypto/sign.js";
import { yamlCacheName } from "../../../src/model/layout.js";
import { transaction } from "../../../src/store/transaction.js";
import { cacheWrittenYaml, Vault } from "../../../src/store/vault.js";
import { YAML_CACHE_FORMAT, YamlCache, YamlFile, yamlSha } from "../../../src/store/yamlcache.js";

const TAG = "test-tag";
const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const VAULT_YAML = "# the environments\nversion: 1\nenvironments:\n  development:   # default\n  production:\n    rotate_every: 90d\nvariables:\n  LOG_LEVEL:\n    kind: config\n";
const ROSTER_YAML = `version: 1\nmembers:\n  alice:\n    recipients: [${RECIPIENT}]\n    teams: [dev]\naccess:\n  development:\n    teams: [dev]\n`;

let root: string;
let identity: string;
/** The cache's MAC key and file id, derived from the identity as docs/FORMAT.md §13 says. */
const cacheKey = () => deriveFromIdentity(identity, "envvault/v2/yaml-cache");
const cachePath = (id = sha256Hex(cacheKey()).slice(0, 16)) => join(root, ".envvault.local", yamlCacheName(id));
const load = (opts: { docs?: boolean; tag?: string | undefined; identity?: string | undefined } = {}) =>
  Vault.load(root, undefined, { cacheTag: "tag" in opts ? opts.tag : TAG, docs: opts.docs ?? false, ...("identity" in opts ? (opts.identity === undefined ? {} : { identity: opts.identity }) : { identity }) });
type CacheFile = { format: string; id: string; mac: string; tag: string; entries: Record<string, unknown> };
const readCache = async () => JSON.parse(await readFile(cachePath(), "utf8")) as CacheFile;
/** Writes a cache file as this identity's own would be, its MAC recomputed: what a tampered entry needs to be read at all. */
const writeCache = async (cache: CacheFile) => writeFile(cachePath(), JSON.stringify({ ...cache, mac: macHex(cacheKey(), JSON.stringify(cache.entries)) }));

beforeEach(async () => {
  identity = await generateIdentity();
  root = await mkdtemp(join(tmpdir(), "envvault-yamlcache-"));
  await mkdir(join(root, ".envvault"), { recursive: true });
  await writeFile(join(root, ".envvault", "vault.yaml"), VAULT_YAML);
  await writeFile(join(root, ".envvault", "roster.yaml"), ROSTER_YAML);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<VaultError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(VaultError);
  return e as VaultError;
}

describe("Vault.load with the YAML cache", () => {
  test("a miss parses, validates and caches; a hit gives the same data without parsing", async () => {
    const first = await load();
    expect(first.config.hasDoc).toBe(true);
    const cache = await readCache();
    expect(cache.format).toBe(YAML_CACHE_FORMAT);
    expect(cache.tag).toBe(TAG);
    expect(Object.keys(cache.entries).sort()).toEqual([`roster:${yamlSha(ROSTER_YAML)}`, `vault:${yamlSha(VAULT_YAML)}`]);
    expect((await stat(cachePath())).mode & 0o777).toBe(0o600);

    const second = await load();
    expect(second.config.hasDoc).toBe(false);
    expect(second.roster.hasDoc).toBe(false);
    expect(second.config.data).toEqual(first.config.data);
    expect(second.roster.data).toEqual(first.roster.data);
    expect(second.config.data.environments).toEqual({ development: null, production: { rotate_every: "90d" } });
  });

  test("without a tag (outside the CLI bundle) there is no cache", async () => {
    const v = await load({ tag: undefined });
    expect(v.config.hasDoc).toBe(true);
    await expect(stat(cachePath())).rejects.toThrow();
  });

  test("without an identity there is no cache: the files are parsed", async () => {
    const v = await load({ identity: undefined });
    expect(v.config.hasDoc).toBe(true);
    expect((await load({ identity: undefined })).config.hasDoc).toBe(true);
    await expect(stat(cachePath())).rejects.toThrow();
  });

  test("a cache whose MAC does not verify (planted, or edited) is ignored: its data is never used", async () => {
    await load();
    const cache = await readCache();
    expect(cache.id).toBe(sha256Hex(cacheKey()).slice(0, 16));
    (cache.entries[`roster:${yamlSha(ROSTER_YAML)}`] as { access: Record<string, unknown> }).access.production = { members: ["alice"] };
    await writeFile(cachePath(), JSON.stringify(cache)); // the old MAC
    const v = await load();
    expect(v.roster.hasDoc).toBe(true);
    expect(v.roster.data.access).not.toHaveProperty("production");
  });

  test("another identity's cache is its own file: neither reads the other's", async () => {
    await load();
    const other = await generateIdentity();
    const theirs = await load({ identity: other });
    expect(theirs.config.hasDoc).toBe(true);
    const otherId = sha256Hex(deriveFromIdentity(other, "envvault/v2/yaml-cache")).slice(0, 16);
    expect((await stat(cachePath(otherId))).isFile()).toBe(true);
    expect((await load()).config.hasDoc).toBe(false);
  });

  test("a changed file is a miss, and an invalid one is reported with its line as without a cache", async () => {
    await load();
    await writeFile(join(root, ".envvault", "vault.yaml"), VAULT_YAML.replace("rotate_every: 90d", "rotate_every: soon"));
    const e = await rejection(load());
    expect(e).toBeInstanceOf(InvalidFile);
    expect(e.message).toMatch(/^\.envvault\/vault\.yaml:6: /);
    await writeFile(join(root, ".envvault", "vault.yaml"), "version: 1\nenvironments: [\n");
    expect((await rejection(load())).message).toMatch(/^\.envvault\/vault\.yaml:\d+: invalid YAML/);
  });

  test("the roster's own checks run on cached data too", async () => {
    const bad = `${ROSTER_YAML}  production:\n    members: [bob]\n`;
    await writeFile(join(root, ".envvault", "roster.yaml"), bad);
    const e = await rejection(load());
    expect(e.message).toContain("unknown member bob");
    // Even if such data were in the cache, the check runs on the hit.
    await writeFile(join(root, ".envvault", "roster.yaml"), ROSTER_YAML);
    await load();
    const cache = await readCache();
    const key = `roster:${yamlSha(ROSTER_YAML)}`;
    const data = cache.entries[key] as { access: Record<string, unknown> };
    data.access.production = { members: ["bob"] };
    await writeCache(cache);
    expect((await rejection(load())).message).toContain("unknown member bob");
  });

  test("a recipient whose checksum fails is refused on load: with its line when parsed, without one from a tampered cache", async () => {
    const typo = RECIPIENT.slice(0, 10) + (RECIPIENT[10] === "q" ? "p" : "q") + RECIPIENT.slice(11);
    await writeFile(join(root, ".envvault", "roster.yaml"), ROSTER_YAML.replace(RECIPIENT, typo));
    const parsed = await rejection(load());
    expect(parsed).toBeInstanceOf(InvalidFile);
    expect(parsed.message).toMatch(/^\.envvault\/roster\.yaml:4: recipient 1 of member alice is not a valid age recipient/);
    await writeFile(join(root, ".envvault", "roster.yaml"), ROSTER_YAML);
    await load();
    const cache = await readCache();
    (cache.entries[`roster:${yamlSha(ROSTER_YAML)}`] as { members: { alice: { recipients: string[] } } }).members.alice.recipients = [typo];
    await writeCache(cache);
    const cached = await rejection(load());
    expect(cached.message).toMatch(/^\.envvault\/roster\.yaml: recipient 1 of member alice is not a valid age recipient/);
    expect(cached.data).toEqual({ file: ".envvault/roster.yaml", member: "alice" });
  });

  test.each([
    ["not JSON", () => "{ not json"],
    ["another format", () => JSON.stringify({ format: "envvault-yaml-cache/0", id: cachePath().slice(-21, -5), mac: macHex(cacheKey(), "{}"), tag: TAG, entries: {} })],
    ["another tag", () => JSON.stringify({ format: YAML_CACHE_FORMAT, id: cachePath().slice(-21, -5), mac: macHex(cacheKey(), "{}"), tag: "other", entries: {} })],
    ["entries not an object", () => JSON.stringify({ format: YAML_CACHE_FORMAT, id: cachePath().slice(-21, -5), mac: macHex(cacheKey(), "[]"), tag: TAG, entries: [] })],
    ["empty", () => ""],
  ])("a damaged cache (%s) is ignored and rewritten", async (_name, text) => {
    await mkdir(join(root, ".envvault.local"), { recursive: true });
    await writeFile(cachePath(), text());
    const v = await load();
    expect(v.config.hasDoc).toBe(true);
    expect((await readCache()).format).toBe(YAML_CACHE_FORMAT);
    expect((await load()).config.hasDoc).toBe(false);
  });

  test("a damaged entry (not what a validated load stores) is a miss", async () => {
    await load();
    const cache = await readCache();
    cache.entries[`vault:${yamlSha(VAULT_YAML)}`] = { version: 2, environments: {} };
    cache.entries[`roster:${yamlSha(ROSTER_YAML)}`] = "members";
    await writeCache(cache);
    const v = await load();
    expect(v.config.hasDoc).toBe(true);
    expect(v.roster.hasDoc).toBe(true);
    expect(v.config.data.version).toBe(1);
  });

  test("an unreadable cache, or one that cannot be written, changes nothing but speed", async () => {
    await mkdir(cachePath(), { recursive: true }); // a directory where the file should be
    const v = await load();
    expect(v.config.data.environments).toHaveProperty("production");
    expect((await load()).config.hasDoc).toBe(true);
  });

  test("a read-only .envvault.local does not fail a read", async () => {
    if (process.getuid?.() === 0) return; // root writes anyway
    await mkdir(join(root, ".envvault.local"), { recursive: true });
    await chmod(join(root, ".envvault.local"), 0o500);
    try {
      expect((await load()).config.data.version).toBe(1);
    } finally {
      await chmod(join(root, ".envvault.local"), 0o700);
    }
  });

  test("the cache holds the two files' data only", async () => {
    await load();
    const text = await readFile(cachePath(), "utf8");
    const cache = JSON.parse(text) as { entries: Record<string, unknown> };
    expect(Object.values(cache.entries)).toEqual(expect.arrayContaining([(await load({ docs: true })).config.data, (await load({ docs: true })).roster.data]));
    expect(Object.keys(cache.entries)).toHaveLength(2);
  });

  test("it keeps the 4 most recently used entries", async () => {
    for (let i = 0; i < 5; i++) {
      await writeFile(join(root, ".envvault", "vault.yaml"), `${VAULT_YAML}# edit ${i}\n`);
      await load();
    }
    const keys = Object.keys((await readCache()).entries);
    expect(keys).toHaveLength(4);
    expect(keys).toContain(`roster:${yamlSha(ROSTER_YAML)}`);
    expect(keys).toContain(`vault:${yamlSha(`${VAULT_YAML}# edit 4\n`)}`);
  });
});

describe("documents for edits", () => {
  test("a document missing when an edit needs it is an internal error, never a silent write", async () => {
    await load();
    const v = await load();
    const e = (() => {
      try {
        void v.config.doc;
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(VaultError);
    expect((e as VaultError).message).toMatch(/^internal error: \.envvault\/vault\.yaml was edited without its YAML document being loaded$/);
    expect(new YamlFile("x.yaml", {}).hasDoc).toBe(false);
  });

  test("loadDocs parses the documents of cached data, keeping comments", async () => {
    await load();
    const v = await load();
    await v.loadDocs();
    expect(v.config.hasDoc && v.roster.hasDoc).toBe(true);
    expect(String(v.config.doc)).toContain("# the environments\n");
    expect(String(v.config.doc)).toContain("# default\n");
    expect(v.config.data).toEqual((await load({ docs: true })).config.data);
  });

  test("transaction() hands its function a vault with documents, even when the cache is warm", async () => {
    // transaction() verifies the vault first: it needs a signed one, made by initVault.
    await rm(join(root, ".envvault"), { recursive: true });
    const signing = { identities: [identity], recipients: [await identityToRecipient(identity)], now: 1_700_000_000 };
    await initVault({ root, envs: ["development"], member: "alice", recipients: signing.recipients, identities: [identity] });
    await load();
    await load(); // warm
    expect((await load()).config.hasDoc).toBe(false);
    const seen = await transaction(root, signing, async (vault) => ({ changes: new Map(), result: [vault.config.hasDoc, vault.roster.hasDoc, String(vault.config.doc)] as const }));
    expect(seen).toEqual([true, true, expect.stringContaining("# envvault: environments, variable definitions and targets")]);
  });
});

describe("texts a transaction writes", () => {
  test("are recorded when valid, so the next load needs no parse; invalid ones are not", async () => {
    const edited = `${ROSTER_YAML}# edited\n`;
    await cacheWrittenYaml(root, { roster: edited, vault: "version: 1\nenvironments: {}\n" }, identity, TAG);
    const keys = Object.keys((await readCache()).entries);
    expect(keys).toEqual([`roster:${yamlSha(edited)}`]);
    await writeFile(join(root, ".envvault", "roster.yaml"), edited);
    const v = await load();
    expect(v.roster.hasDoc).toBe(false);
    expect(v.config.hasDoc).toBe(true); // vault.yaml was never recorded
  });
});

describe("YamlCache", () => {
  test("refuses to cache what JSON cannot carry exactly", async () => {
    const cache = (await YamlCache.open(root, TAG, identity))!;
    cache.set("vault", "a", { version: 1, environments: { x: Infinity } });
    cache.set("vault", "b", { version: 1, environments: { x: new Date(0) } });
    cache.set("vault", "c", { version: 1, environments: { x: [undefined] } });
    cache.set("vault", "d", { version: 1, environments: { x: null } });
    await cache.save();
    expect(Object.keys((await readCache()).entries)).toEqual(["vault:d"]);
  });
});
