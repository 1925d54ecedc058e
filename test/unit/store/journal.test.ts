/**
 * The journaled multi-file commit (src/store/journal.ts): every file old or every file new,
 * whatever step a crash interrupts, once recover() has run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { withLock } from "../../../src/io/lock.js";
import { commitJournaled, recover, recoverBeforeRead } from "../../../src/store/journal.js";

const JOURNAL = join(".envvault.local", "journal.json");

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "envvault-journal-"));
  root = join(base, "repo");
  await mkdir(root);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Old content of a small vault: three files that one commit replaces and one it deletes. */
const OLD: Record<string, string> = {
  ".envvault/envs/development.env": "dev old\n",
  ".envvault/envs/production.env": "prod old\n",
  ".envvault/keys/development/bob.age": "bob key old\n",
  ".envvault/keys/development/alice.age": "alice key old\n",
};
const NEW: Record<string, string | null> = {
  ".envvault/envs/development.env": "dev new\n",
  ".envvault/envs/production.env": "prod new\n",
  ".envvault/keys/development/bob.age": "bob key new\n",
  ".envvault/keys/development/alice.age": null,
};

async function writeOld(dir = root): Promise<void> {
  for (const [rel, text] of Object.entries(OLD)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
}

function plan(dir = root): { writes: { path: string; data: string; mode: number }[]; deletes: string[] } {
  const writes = Object.entries(NEW)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([rel, data]) => ({ path: join(dir, rel), data, mode: 0o644 }));
  const deletes = Object.entries(NEW)
    .filter(([, v]) => v === null)
    .map(([rel]) => join(dir, rel));
  return { writes, deletes };
}

/** Every file under `dir`/.envvault, repo-relative, with its content, sorted by path. */
function snapshot(dir = root): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(join(dir, ".envvault"))) return out;
  for (const rel of readdirSync(join(dir, ".envvault"), { recursive: true, encoding: "utf8" }).sort()) {
    const path = join(dir, ".envvault", rel);
    try {
      out[`.envvault/${rel}`] = readFileSync(path, "utf8");
    } catch {
      // a directory
    }
  }
  return out;
}

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
const oldState = () => sorted(OLD);
const newState = () => sorted(Object.fromEntries(Object.entries(NEW).filter((e): e is [string, string] => e[1] !== null)));

/** What a crash right after the journal was written leaves: temp files, a journal, old targets. */
async function crashedAfterJournal(opts: { alreadyRenamed?: number } = {}): Promise<void> {
  await writeOld();
  const { writes, deletes } = plan();
  const renames: { temp: string; target: string }[] = [];
  for (const [i, w] of writes.entries()) {
    // 99999999 is above any Linux pid_max (2^22): the writer of these temp files is gone.
    const temp = join(dirname(w.path), `.${basename(w.path)}.99999999.ab12cd34ef5${i}.tmp`);
    await writeFile(temp, w.data);
    renames.push({ temp, target: w.path });
  }
  for (const r of renames.slice(0, opts.alreadyRenamed ?? 0)) await rename(r.temp, r.target);
  await mkdir(join(root, ".envvault.local"), { recursive: true });
  // As commitJournaled records them: relative to the root.
  const rel = (p: string) => relative(root, p);
  await writeFile(join(root, JOURNAL), JSON.stringify({ version: 1, renames: renames.map((r) => ({ temp: rel(r.temp), target: rel(r.target) })), deletes: deletes.map(rel) }));
}

describe("commitJournaled", () => {
  test("replaces every file and deletes the deleted ones, leaving no journal and no temp file", async () => {
    await writeOld();
    const { writes, deletes } = plan();
    await commitJournaled(root, writes, deletes);
    expect(snapshot()).toEqual(newState());
    expect(existsSync(join(root, JOURNAL))).toBe(false);
  });

  test("with nothing to write or delete, writes nothing at all (not even .envvault.local)", async () => {
    await writeOld();
    await commitJournaled(root, [], []);
    expect(snapshot()).toEqual(oldState());
    expect(existsSync(join(root, ".envvault.local"))).toBe(false);
  });
});

describe("recover", () => {
  test("without a journal returns false and changes nothing", async () => {
    await writeOld();
    expect(await recover(root)).toBe(false);
    expect(snapshot()).toEqual(oldState());
  });

  test("rolls a journal forward: every temp file renamed over its target, deletions done, journal removed", async () => {
    await crashedAfterJournal();
    expect(await recover(root)).toBe(true);
    expect(snapshot()).toEqual(newState());
    expect(existsSync(join(root, JOURNAL))).toBe(false);
  });

  test("finishes a roll-forward a crash interrupted half way (some temp files already renamed)", async () => {
    await crashedAfterJournal({ alreadyRenamed: 2 });
    expect(snapshot()).not.toEqual(oldState());
    expect(await recover(root)).toBe(true);
    expect(snapshot()).toEqual(newState());
  });

  test("a journal naming files outside the vault (planted by a commit) is discarded, not followed", async () => {
    await writeOld();
    await writeFile(join(base, "outside.txt"), "keep\n");
    await writeFile(join(root, ".env"), "A=1\n");
    await mkdir(join(root, ".envvault.local"), { recursive: true });
    for (const journal of [
      { version: 1, renames: [], deletes: ["../outside.txt"] },
      { version: 1, renames: [], deletes: [".env"] },
      { version: 1, renames: [], deletes: [join(base, "outside.txt")] },
      { version: 1, renames: [{ temp: ".envvault/envs/.x.1.ab12cd34ef56.tmp", target: "../outside.txt" }], deletes: [] },
      { version: 1, renames: [{ temp: "../outside.txt", target: ".envvault/envs/development.env" }], deletes: [] },
    ]) {
      await writeFile(join(root, JOURNAL), JSON.stringify(journal));
      expect(await recover(root)).toBe(false);
      expect(existsSync(join(root, JOURNAL))).toBe(false);
    }
    expect(await readFile(join(base, "outside.txt"), "utf8")).toBe("keep\n");
    expect(await readFile(join(root, ".env"), "utf8")).toBe("A=1\n");
    expect(snapshot()).toEqual(oldState());
  });

  test("is idempotent: a second call finds nothing to do", async () => {
    await crashedAfterJournal();
    expect(await recover(root)).toBe(true);
    expect(await recover(root)).toBe(false);
    expect(snapshot()).toEqual(newState());
  });

  test("discards a journal that does not parse (it was never complete) and keeps the old files", async () => {
    await writeOld();
    await mkdir(join(root, ".envvault.local"), { recursive: true });
    await writeFile(join(root, JOURNAL), '{"version":1,"renames":[{"temp":');
    expect(await recover(root)).toBe(false);
    expect(existsSync(join(root, JOURNAL))).toBe(false);
    expect(snapshot()).toEqual(oldState());
  });

  test.each([["null"], ["{}"], ['{"version":1,"renames":"x","deletes":[]}'], ["[]"]])(
    "discards a journal that parses but is not a journal (%s) instead of failing every later command",
    async (text) => {
      await writeOld();
      await mkdir(join(root, ".envvault.local"), { recursive: true });
      await writeFile(join(root, JOURNAL), text);
      await expect(recover(root)).resolves.toBe(false);
      expect(existsSync(join(root, JOURNAL))).toBe(false);
      expect(snapshot()).toEqual(oldState());
    },
  );

  test("removes stray temp files a writer killed before its journal left behind, and never renames them", async () => {
    await writeOld();
    const stray = [".envvault/envs/.production.env.99999999.0123456789ab.tmp", ".envvault/keys/development/.bob.age.99999999.ba9876543210.tmp"];
    for (const rel of stray) await writeFile(join(root, rel), "half of a commit\n");
    expect(await recover(root)).toBe(false);
    expect(snapshot()).toEqual(oldState());
  });

  test("leaves alone a temp file whose writer is still running", async () => {
    await writeOld();
    const live = `.envvault/envs/.production.env.${process.pid}.0123456789ab.tmp`;
    await writeFile(join(root, live), "being written\n");
    await recover(root);
    expect(snapshot()).toEqual(sorted({ ...oldState(), [live]: "being written\n" }));
  });

  test("rolls forward a journal of a repository that was moved after the crash", async () => {
    const child = crashChild(4);
    expect(child.signal).toBe("SIGKILL");
    const moved = join(base, "moved");
    await rename(root, moved);
    expect(await recover(moved)).toBe(true);
    expect(snapshot(moved)).toEqual(newState());
  });
});

describe("recoverBeforeRead", () => {
  test("does nothing (and takes no lock) when there is no journal", async () => {
    await writeOld();
    await recoverBeforeRead(root);
    expect(existsSync(join(root, ".envvault.local"))).toBe(false);
  });

  test("waits for the writer that holds the lock, then finds its commit finished", async () => {
    await crashedAfterJournal();
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const writer = withLock(join(root, ".envvault.local"), async () => {
      order.push("writer has the lock");
      await held;
      expect(await recover(root)).toBe(true);
      order.push("writer done");
    });
    await new Promise((r) => setTimeout(r, 20));
    const reader = recoverBeforeRead(root).then(() => order.push("reader done"));
    await new Promise((r) => setTimeout(r, 150));
    expect(order).toEqual(["writer has the lock"]);
    release();
    await Promise.all([writer, reader]);
    expect(order).toEqual(["writer has the lock", "writer done", "reader done"]);
    expect(snapshot()).toEqual(newState());
  });
});

// --- real kills: the commit runs in a child process that SIGKILLs itself at step N ---------------

const HERE = dirname(fileURLToPath(import.meta.url));
let bundleDir: string;
let bundle: string;

beforeAll(async () => {
  // The child needs journal.ts as JavaScript: esbuild bundles it (and what it imports) once.
  bundleDir = await mkdtemp(join(tmpdir(), "envvault-journal-bundle-"));
  bundle = join(bundleDir, "journal.mjs");
  buildSync({ entryPoints: [join(HERE, "../../../src/store/journal.ts")], bundle: true, platform: "node", format: "esm", target: "node20", outfile: bundle, logLevel: "silent" });
});

afterAll(async () => {
  if (bundleDir !== undefined) await rm(bundleDir, { recursive: true, force: true });
});

/** Runs commitJournaled(OLD → NEW) in a child with ENVVAULT_CRASH_AT=at. */
function crashChild(at: number, dir = root): { status: number | null; signal: NodeJS.Signals | null } {
  const { writes, deletes } = plan(dir);
  const script = `
    import { mkdirSync, writeFileSync } from "node:fs";
    import { basename, dirname, join, relative } from "node:path";
    const { commitJournaled } = await import(${JSON.stringify(bundle)});
    const [dir, old, writes, deletes] = JSON.parse(process.argv[1]);
    for (const [rel, text] of Object.entries(old)) { mkdirSync(dirname(join(dir, rel)), { recursive: true }); writeFileSync(join(dir, rel), text); }
    await commitJournaled(dir, writes, deletes);
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify([dir, OLD, writes, deletes])], {
    env: { ...process.env, ENVVAULT_CRASH_AT: String(at) },
    encoding: "utf8",
  });
  if (r.signal === null && r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return { status: r.status, signal: r.signal };
}

describe("a kill -9 at every step of a commit", () => {
  test("leaves, after recover(), every file old or every file new, and no temp file or journal", async () => {
    const seen: string[] = [];
    for (let at = 1; at < 50; at++) {
      await rm(root, { recursive: true, force: true });
      await mkdir(root);
      const r = crashChild(at);
      if (r.signal === null) {
        expect(snapshot()).toEqual(newState());
        seen.push(`${at}: completed`);
        break;
      }
      expect(r.signal).toBe("SIGKILL");
      await recover(root);
      const after = snapshot();
      const state = JSON.stringify(after) === JSON.stringify(oldState()) ? "old" : JSON.stringify(after) === JSON.stringify(newState()) ? "new" : "mixed";
      expect({ at, state, after }).toEqual({ at, state: expect.stringMatching(/^(old|new)$/), after });
      expect(existsSync(join(root, JOURNAL))).toBe(false);
      seen.push(`${at}: ${state}`);
    }
    // 3 writes + 1 delete: staged, journal, 3 renames, 1 delete, journal removed = 7 kill points.
    expect(seen).toEqual(["1: old", "2: new", "3: new", "4: new", "5: new", "6: new", "7: new", "8: completed"]);
  });
});
