/**
 * The tamper matrix (docs/SECURITY.md): ≥ 500 systematic mutations of one real vault, each of which
 * must be detected — exit 4, or exit 3 where it takes the reader's access away — naming the
 * key or file, before anything is written.
 *
 * Two layers:
 * - library (every mutation): the files are served from memory through a `VaultSource`, and
 *   `Vault.load` + `Keyring` + `readEnv` (src/app/read.ts) read the affected environment as
 *   alice, who can read every scope. This tests the format parser, the age layer, batch and
 *   value opening — everything `export`, `unlock` and `run` build on — at ≈ 1 ms a mutation.
 * - CLI (a sample spread over every family): the mutation is written to the work tree and the
 *   built binary runs `vault export --format json` and `vault unlock`: exit code, empty
 *   stdout, the key or file named on stderr, no stack trace, no target written, no file changed.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { VaultError } from "../../src/errors.js";
import { generateIdentity, identityToRecipient } from "../../src/crypto/age.js";
import { Keyring } from "../../src/store/keyring.js";
import { readEnv } from "../../src/app/read.js";
import { Vault, type VaultSource } from "../../src/store/vault.js";
import { memberFor } from "../../src/model/roster.js";
import { Sandbox } from "../e2e/harness.js";
import { EXPECTED, identityOf, makeTeamVault, snapshot, STACK } from "./fixture.js";
import { lineEndTruncations, type Mutation, mutations, type Outcome } from "./mutations.js";
import { record } from "./figures.js";

const EXIT: Record<Outcome, number[]> = { tampered: [4], denied: [3], "tampered-or-denied": [3, 4], malformed: [4, 5] };
const CODES: Record<Outcome, string[]> = {
  tampered: ["TAMPERED"],
  denied: ["NOT_A_RECIPIENT"],
  "tampered-or-denied": ["TAMPERED", "NOT_A_RECIPIENT"],
  malformed: ["TAMPERED", "INVALID_FILE"],
};

function memorySource(files: ReadonlyMap<string, string>): VaultSource {
  return {
    read: async (path) => files.get(path),
    list: async (dir) => [...new Set([...files.keys()].filter((p) => p.startsWith(dir + "/")).map((p) => p.slice(dir.length + 1).split("/")[0]!))].sort(),
    describe: (path) => path,
  };
}

function applied(base: ReadonlyMap<string, string>, m: Mutation): Map<string, string> {
  const out = new Map(base);
  for (const [path, text] of m.apply(base)) {
    if (text === null) out.delete(path);
    else out.set(path, text);
  }
  return out;
}

describe("tamper matrix", () => {
  let sb: Sandbox;
  let base: Map<string, string>;
  let identity: string;
  let recipient: string;
  let all: Mutation[];

  const read = async (files: ReadonlyMap<string, string>, env: string) => {
    const vault = await Vault.load(sb.repo, memorySource(files));
    const keyring = new Keyring(vault, [identity], [recipient], memberFor(vault.roster.data, [recipient]));
    const values = await readEnv(keyring, env);
    return Object.fromEntries([...values].map(([k, r]) => [k, r.value]));
  };

  beforeAll(async () => {
    sb = new Sandbox();
    makeTeamVault(sb);
    base = snapshot(sb.repo);
    identity = identityOf(sb, "alice");
    recipient = await identityToRecipient(identity);
    all = mutations(base, "alice", "bob", await identityToRecipient(await generateIdentity()));
  });

  afterAll(() => sb?.cleanup());

  test("the unmodified vault reads back every value in-process", async () => {
    for (const [env, values] of Object.entries(EXPECTED)) expect(await read(base, env)).toEqual(values);
  });

  /** Reads each mutation in-process; returns the failures and the per-family figures. */
  const runMatrix = async (list: Mutation[]) => {
    const failures: string[] = [];
    const families = new Map<string, { tried: number; detected: number; codes: Record<string, number> }>();
    for (const m of list) {
      const f = families.get(m.family) ?? { tried: 0, detected: 0, codes: {} };
      families.set(m.family, f);
      f.tried++;
      const files = applied(base, m);
      if ([...files].every(([p, t]) => base.get(p) === t) && files.size === base.size) {
        failures.push(`${m.id}: changes nothing`);
        continue;
      }
      let error: unknown;
      try {
        await read(files, m.env);
      } catch (e) {
        error = e;
      }
      if (!(error instanceof VaultError)) {
        failures.push(`${m.id}: ${error === undefined ? "NOT DETECTED (read succeeded)" : `not a VaultError: ${String(error)}`}`);
        continue;
      }
      f.codes[error.code] = (f.codes[error.code] ?? 0) + 1;
      const where = error.message + " " + JSON.stringify(error.data);
      if (!CODES[m.expect].includes(error.code)) failures.push(`${m.id}: expected ${m.expect}, got ${error.code}: ${error.message}`);
      else if (!m.names.some((n) => where.includes(n))) failures.push(`${m.id}: the error names none of ${m.names.join(", ")}: ${error.message}`);
      else f.detected++;
    }
    const detected = [...families.values()].reduce((n, f) => n + f.detected, 0);
    return { failures, figures: { tried: list.length, detected, families: Object.fromEntries(families) } };
  };

  test("at least 500 distinct mutations, every one detected in-process with the right error naming the key or file", async () => {
    expect(all.length).toBeGreaterThanOrEqual(500);
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    const { failures, figures } = await runMatrix(all.filter((m) => m.family !== "truncate file"));
    record("tamper", figures);
    expect(failures).toEqual([]);
  });

  // KNOWN BUG (reported on issue 8): parseEnvFile accepts a file without its final LF, so a file
  // cut inside a #@scope or #@batch line reads as an environment without values (exit 0).
  test("an environment file cut in the middle of a line is detected", async () => {
    const { failures, figures } = await runMatrix(all.filter((m) => m.family === "truncate file"));
    record("tamper-truncate", figures);
    expect(failures).toEqual([]);
  });

  test("a cut at a line end drops whole value lines (not detectable: no file-level MAC; documented in docs/SECURITY.md) and changes no other value", async () => {
    let tried = 0;
    for (const env of Object.keys(EXPECTED)) {
      const path = Vault.envPath(env);
      for (const cut of lineEndTruncations(path, base.get(path)!)) {
        tried++;
        const files = new Map(base).set(path, cut.text);
        const values = await read(files, env);
        expect(Object.keys(values).sort()).toEqual([...cut.kept].sort());
        for (const [k, v] of Object.entries(values)) expect(v).toBe(EXPECTED[env]![k]);
      }
    }
    record("tamper-line-end-truncations", { tried });
  });

  describe("through the CLI (vault export, vault unlock)", () => {
    /** Every 20th mutation plus the first of each family: every family, ≈ 40 runs. */
    const sample = () => {
      const firsts = new Map<string, Mutation>();
      const list = all.filter((m) => m.family !== "truncate file");
      for (const m of list) if (!firsts.has(m.family)) firsts.set(m.family, m);
      return [...new Set([...firsts.values(), ...list.filter((_, i) => i % 40 === 0)])];
    };

    const writeFiles = (files: Map<string, string | null>) => {
      for (const [p, t] of files) {
        const abs = join(sb.repo, p);
        if (t === null) rmSync(abs, { force: true });
        else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, t);
        }
      }
    };

    test("each sampled mutation: the exit code, nothing on stdout, the key or file named, no stack trace, no target written, no vault file changed", () => {
      const failures: string[] = [];
      let tried = 0;
      for (const m of sample()) {
        tried++;
        const changes = m.apply(base);
        writeFiles(changes);
        const tampered = sb.vaultBytes();
        try {
          const exp = sb.vault("alice", ["export", "--format", "json", "--env", m.env]);
          const problems: string[] = [];
          const want = m.cli ?? { expect: m.expect, names: m.names };
          if (!EXIT[want.expect].includes(exp.code)) problems.push(`export exit ${exp.code}, expected ${EXIT[want.expect].join("/")}`);
          if (exp.stdout !== "") problems.push("export printed on stdout");
          if (STACK.test(exp.stderr) || exp.stderr.includes("unexpected failure")) problems.push("stack trace or unexpected failure on stderr");
          if (!want.names.some((n) => exp.stderr.includes(n))) problems.push(`stderr names none of ${want.names.join(", ")}`);
          if (tried % 2 === 1) {
            const un = sb.vault("alice", ["unlock", "--env", m.env]);
            if (!EXIT[want.expect].includes(un.code)) problems.push(`unlock exit ${un.code}`);
            if (existsSync(join(sb.repo, ".env"))) problems.push("unlock wrote .env");
            if (STACK.test(un.stderr)) problems.push("unlock: stack trace");
          }
          if (sb.vaultBytes() !== tampered) problems.push("a vault file changed");
          if (problems.length > 0) failures.push(`${m.id}: ${problems.join("; ")}\n${exp.stderr}`);
        } finally {
          writeFiles(new Map([...changes.keys()].map((p) => [p, base.get(p) ?? null])));
          rmSync(join(sb.repo, ".env"), { force: true });
        }
      }
      record("tamper-cli", { tried, failed: failures.length });
      expect(failures).toEqual([]);
      expect(tried).toBeGreaterThanOrEqual(20);
    });
  });
});
