/**
 * What the vault stores: ciphertext only, stable bytes, one line per variable, sorted, so
 * that a git diff of a vault change shows which keys changed and nothing else.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, Sandbox } from "./harness.js";

const ENV_FILE = ".envvault/envs/development.env";

const VALUES: Record<string, string> = {
  DATABASE_URL: "postgres://app:Pg-s3cret-Pass@db.internal:5432/app",
  API_TOKEN: "tok_live_4f1c9e2ab7d84",
  zeta_lower: "lower-case key value zz",
  _UNDERSCORE: "underscore first value",
  Mixed_Case: "mixed case key value",
};

/** Every file under .envvault/, as latin1 text (binary-safe substring search). */
function vaultFiles(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir))) {
      const rel = `${dir}/${name}`;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else out.set(rel, readFileSync(join(root, rel), "latin1"));
    }
  };
  walk(".envvault");
  return out;
}

/** `+`/`-` lines of the last commit's change to a file (no headers). */
function changedLines(sb: Sandbox, path: string): { added: string[]; removed: string[] } {
  const diff = sb.git(["diff", "--unified=0", "HEAD", "--", path]).stdout.split("\n");
  const added = diff.filter((l) => l.startsWith("+") && !l.startsWith("+++")).map((l) => l.slice(1));
  const removed = diff.filter((l) => l.startsWith("-") && !l.startsWith("---")).map((l) => l.slice(1));
  return { added, removed };
}

const keyOf = (line: string) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
const batchIdOf = (line: string) => /^#@batch ([0-9a-f]{12}) /.exec(line)?.[1];
const valueBatchIds = (text: string) => new Set(text.split("\n").flatMap((l) => /^[A-Za-z_][A-Za-z0-9_]*=ev2:([0-9a-f]{12}):/.exec(l)?.[1] ?? []));

describe("the vault stores ciphertext with stable, line-per-variable bytes", () => {
  let sb: Sandbox;

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(VALUES));
    expect(sb.vault("alice", ["init", "--yes"]).code).toBe(0);
    // Two writes, so the file holds two batches.
    const [first, ...rest] = Object.entries(VALUES);
    expect(sb.vault("alice", ["set", first![0], "--stdin"], { input: first![1] }).code).toBe(0);
    const file = join(sb.base, "import.env");
    writeFileSync(file, rest.map(([k, v]) => `${k}='${v}'\n`).join(""));
    expect(sb.vault("alice", ["import", file]).code).toBe(0);
    sb.commitAll("vault with values");
  });

  afterAll(() => sb?.cleanup());

  test("no plaintext value is in any file under .envvault/ nor in any git object", () => {
    for (const [path, text] of vaultFiles(sb.repo)) {
      for (const v of Object.values(VALUES)) expect({ path, holdsPlaintext: text.includes(v) }).toEqual({ path, holdsPlaintext: false });
    }
    // The unlocked .env is ignored: `git add -A` writes no blob of it into the object store.
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    sb.git(["add", "-A"]);
    expect(sb.git(["status", "--porcelain"]).stdout).toBe("");
    sb.assertNoSecretInGit();
  });

  test("set with an unchanged value changes no byte under .envvault/", () => {
    const before = sb.vaultBytes();
    const r = sb.vault("alice", ["set", "API_TOKEN", "--stdin"], { input: VALUES.API_TOKEN });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no change|unchanged/);
    expect(sb.vaultBytes()).toBe(before);
  });

  test("unlock run twice changes no byte under .envvault/ and leaves .env as it was", () => {
    const before = sb.vaultBytes();
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    const target = sb.bytes(".env");
    expect(sb.vault("alice", ["unlock"]).code).toBe(0);
    expect(sb.vaultBytes()).toBe(before);
    expect(sb.bytes(".env").equals(target)).toBe(true);
  });

  test("changing one variable changes exactly its value line (plus batch lines) in envs/<env>.env and no other file", () => {
    const changed = "tok_live_rotated_88aa1";
    sb.secret(changed);
    expect(sb.vault("alice", ["set", "API_TOKEN", "--stdin"], { input: changed }).code).toBe(0);
    expect(sb.git(["status", "--porcelain", "--", ".envvault"]).stdout).toBe(` M ${ENV_FILE}\n`);
    const { added, removed } = changedLines(sb, ENV_FILE);
    const after = sb.read(ENV_FILE);
    expect(added.filter((l) => keyOf(l) !== undefined).map(keyOf)).toEqual(["API_TOKEN"]);
    expect(removed.filter((l) => keyOf(l) !== undefined).map(keyOf)).toEqual(["API_TOKEN"]);
    const addedBatches = added.filter((l) => batchIdOf(l) !== undefined);
    const removedBatches = removed.filter((l) => batchIdOf(l) !== undefined);
    expect(addedBatches.length).toBeLessThanOrEqual(1);
    // A removed batch line is one that no value refers to any more.
    for (const l of removedBatches) expect(valueBatchIds(after).has(batchIdOf(l)!)).toBe(false);
    expect(added.length + removed.length).toBe(2 + addedBatches.length + removedBatches.length);
    sb.commitAll("rotate API_TOKEN");
    sb.assertNoSecretInGit();
  });

  test("adding a variable adds exactly its value line (plus at most one batch line)", () => {
    sb.secret("brand-new-value-5521");
    expect(sb.vault("alice", ["set", "NEW_KEY", "--stdin"], { input: "brand-new-value-5521" }).code).toBe(0);
    const { added, removed } = changedLines(sb, ENV_FILE);
    expect(added.filter((l) => keyOf(l) !== undefined).map(keyOf)).toEqual(["NEW_KEY"]);
    expect(removed).toEqual([]);
    expect(added.filter((l) => batchIdOf(l) !== undefined).length).toBeLessThanOrEqual(1);
    expect(added.length).toBeLessThanOrEqual(2);
    sb.commitAll("add NEW_KEY");
    sb.assertNoSecretInGit();
  });

  test("the environment file is header, scopes, then one line per key in byte order, each batch and record line just before the line it is anchored at", () => {
    const lines = sb.read(ENV_FILE).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe("# envvault 2 development");
    const byteSorted = (xs: string[]) => [...xs].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    // Each line's place: [section, name, rank] with rank 0 batch, 1 record, 2 the line itself.
    const place = (l: string): [number, string, number] | undefined => {
      let m: RegExpExecArray | null;
      if ((m = /^#@scope (\S+) /.exec(l))) return [0, m[1]!, 2];
      if ((m = /^#@sig [0-9a-f]{12} @(\S+) /.exec(l))) return [0, m[1]!, 1];
      if ((m = /^#@batch [0-9a-f]{12} \S+ (\S+) /.exec(l))) return [1, m[1]!, 0];
      if ((m = /^#@sig [0-9a-f]{12} ([A-Za-z_]\w*) /.exec(l))) return [1, m[1]!, 1];
      if ((m = /^#@removed (\S+) /.exec(l))) return [1, m[1]!, 2];
      const key = keyOf(l);
      return key === undefined ? undefined : [1, key, 2];
    };
    const places = lines.slice(1).map(place);
    expect(places).not.toContain(undefined);
    const cmp = (a: [number, string, number], b: [number, string, number]) => a[0] - b[0] || Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1])) || a[2] - b[2];
    expect(places).toEqual([...places].sort((a, b) => cmp(a!, b!)));
    expect(lines.some((l) => l.startsWith("#@sig "))).toBe(true);
    // Every batch line comes before every value sealed under it (its anchor is the first such key, or one before).
    const keys = lines.flatMap((l) => keyOf(l) ?? []);
    expect(keys).toEqual(byteSorted(keys));
    expect(keys).toEqual(["API_TOKEN", "DATABASE_URL", "Mixed_Case", "NEW_KEY", "_UNDERSCORE", "zeta_lower"]);
    for (const [i, l] of lines.entries()) {
      const id = batchIdOf(l);
      if (id !== undefined) expect(lines.findIndex((x) => x.includes(`=ev2:${id}:`))).toBeGreaterThan(i);
    }
    expect(lines.flatMap((l) => batchIdOf(l) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  test("removing a variable replaces its line by a signed removal line and drops any batch no value refers to any more", () => {
    expect(sb.vault("alice", ["remove", "NEW_KEY"]).code).toBe(0);
    const { added, removed } = changedLines(sb, ENV_FILE);
    // git diff shows the file through `vault textconv`: the removal line, with who signed it.
    expect(added).toEqual([expect.stringMatching(/^NEW_KEY removed {2}# \S+ signed by alice$/)]);
    expect(removed.filter((l) => keyOf(l) !== undefined).map(keyOf)).toEqual(["NEW_KEY"]);
    const after = sb.read(ENV_FILE);
    expect(after).toMatch(/^#@removed NEW_KEY development \d+ [A-Za-z0-9_-]{22}$/m);
    expect(after).not.toMatch(/^NEW_KEY=/m);
    const referenced = valueBatchIds(after);
    for (const id of after.split("\n").flatMap((l) => batchIdOf(l) ?? [])) expect(referenced.has(id)).toBe(true);
    sb.commitAll("remove NEW_KEY");
    sb.assertNoSecretInGit();
  });
});
