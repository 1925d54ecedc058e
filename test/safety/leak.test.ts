/**
 * Leak audit (docs/SECURITY.md: no plaintext secret reaches a git object through envvault's own
 * actions, logs, argv of child processes, or temp files left behind). The demo workflow
 * (scripts/demo.mjs) replayed in a Sandbox — init with import, a teammate, set, get, list,
 * export, unlock, lock, edit, run, commits through the hooks, a blocked commit, rotate
 * --remove — with TMPDIR pointed at a private directory; then every git object, that temp
 * directory, the argv of the `run` child and of the editor, and all command output (the
 * harness checks each run) are searched for every secret value.
 * `.envvault.local/backups/` holds backups of the plaintext targets by design (README, "Unlocking safely"):
 * it is counted and reported, and must be git-ignored and mode 0600.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, Sandbox } from "../e2e/harness.js";
import { ok } from "./fixture.js";
import { record } from "./figures.js";

const SECRETS = {
  imported: "leak-imported-db-pw-5f2a9c",
  set: "leak-set-api-key-0b7e31",
  prod: "leak-prod-token-88d4e0",
  edited: "leak-edited-secret-c61f27",
};

/** Occurrences of any secret in `text`. */
const hits = (text: string) => Object.values(SECRETS).reduce((n, s) => n + text.split(s).length - 1, 0);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe("leak audit of the demo workflow", () => {
  let sb: Sandbox;
  let tmp: string;
  let probe: string;
  const figures = { gitObjects: 0, tempFiles: 0, tempHits: 0, childArgvHits: 0, editorArgvHits: 0,  gitHits: 0, backupFiles: 0, backupHitsByDesign: 0 };

  beforeAll(() => {
    requireBuild();
    sb = new Sandbox();
    sb.secret(...Object.values(SECRETS));
    tmp = join(sb.base, "tmp");
    probe = join(sb.base, "probe");
    mkdirSync(tmp);
    mkdirSync(probe);
  });
  afterAll(() => {
    record("leak", figures);
    sb?.cleanup();
  });

  test("the workflow runs, and no secret is found where §7 promises none", () => {
    const env = { TMPDIR: tmp, TMP: tmp, TEMP: tmp };
    const vault = (user: string, args: string[], input?: string, reveals: string[] = []) => {
      const r = sb.vault(user, args, { env, reveals, ...(input === undefined ? {} : { input }) });
      if (r.code !== 0) throw new Error(`vault ${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
      return r;
    };
    // The editor and the `run` child record their argv (and the parent's) for the audit.
    const recorder = join(sb.base, "record.cjs");
    writeFileSync(
      recorder,
      `const fs = require("fs"); const path = require("path");
       const read = (p) => { try { return fs.readFileSync(p, "utf8").split("\\0").join(" "); } catch { return ""; } };
       const out = { argv: process.argv.join(" "), self: read("/proc/self/cmdline"), parent: read("/proc/" + process.ppid + "/cmdline") };
       fs.writeFileSync(path.join(${JSON.stringify(probe)}, process.argv[2] + ".json"), JSON.stringify(out));
       if (process.argv[2] === "editor") fs.appendFileSync(process.argv[3], "EDITED_SECRET=${SECRETS.edited}\\n");`,
    );

    sb.write(".env", `DATABASE_PASSWORD=${SECRETS.imported}\nLOG_LEVEL=info\n`);
    vault("alice", ["init", "--yes", "--import", "--env", "development,production", "--name", "alice"]);
    const bob = vault("bob", ["keygen"]).stdout.trim();
    vault("alice", ["member", "add", "bob", "--recipient", bob, "--team", "dev"]);
    vault("alice", ["grant", "team:dev", "development"]);
    vault("alice", ["set", "API_KEY", "--stdin"], SECRETS.set);
    vault("alice", ["import", "-", "--env", "production"], `PROD_TOKEN=${SECRETS.prod}\n`);
    sb.commitAll("vault", "alice");
    vault("alice", ["get", "API_KEY"], undefined, [SECRETS.set]);
    vault("alice", ["list"]);
    vault("alice", ["export", "--format", "json"], undefined, [SECRETS.imported, SECRETS.set]);
    vault("alice", ["unlock", "--on-conflict", "overwrite"]);
    vault("alice", ["lock"]);
    vault("alice", ["unlock", "--on-conflict", "overwrite"]);
    const edit = sb.vault("alice", ["edit"], { env: { ...env, EDITOR: `${process.execPath} ${recorder} editor`, VISUAL: `${process.execPath} ${recorder} editor` } });
    expect(edit.code).toBe(0);
    vault("alice", ["run", "--", process.execPath, recorder, "run"]);
    vault("bob", ["get", "API_KEY"], undefined, [SECRETS.set]);
    sb.commitAll("after edit", "alice");
    sb.write("notes.txt", `the key is ${SECRETS.set}\n`); // the pre-commit hook must block this
    sb.git(["add", "notes.txt"], { user: "alice" });
    const blocked = sb.gitTry(["commit", "-q", "-m", "leak attempt"], { user: "alice", env });
    expect(blocked.code).not.toBe(0);
    sb.git(["reset", "-q", "notes.txt"], { user: "alice" });
    sb.remove("notes.txt");
    vault("alice", ["rotate", "--remove", "bob"]);
    sb.commitAll("bob leaves", "alice");
    expect(sb.vault("alice", ["get", "EDITED_SECRET"], { env, reveals: [SECRETS.edited] }).stdout).toBe(`${SECRETS.edited}\n`);

    // Git objects: every blob, tree and commit.
    const objects = sb.gitObjects();
    figures.gitObjects = objects.split("\n").filter((l) => /^[0-9a-f]{40} \w+ \d+$/.test(l)).length;
    // `git add notes.txt` (the test's own action, before the hook blocked the commit) stored that blob; it is not envvault's.
    const staged = `the key is ${SECRETS.set}\n`;
    figures.gitHits = hits(objects.split(staged).join(""));
    // Temp files left behind by any vault process.
    const temps = filesUnder(tmp);
    figures.tempFiles = temps.length;
    figures.tempHits = temps.reduce((n, f) => n + hits(readFileSync(f, "latin1")), 0);
    // argv of the run child and of the editor (their own and their parent's, i.e. vault's).
    const run = JSON.parse(readFileSync(join(probe, "run.json"), "utf8")) as Record<string, string>;
    const editor = JSON.parse(readFileSync(join(probe, "editor.json"), "utf8")) as Record<string, string>;
    figures.childArgvHits = hits(Object.values(run).join(" "));
    figures.editorArgvHits = hits(Object.values(editor).join(" "));
    // Backups: plaintext by design; git-ignored and private.
    const backups = filesUnder(join(sb.repo, ".envvault.local", "backups"));
    figures.backupFiles = backups.length;
    figures.backupHitsByDesign = backups.reduce((n, f) => n + hits(readFileSync(f, "latin1")), 0);
    for (const f of backups) expect(statSync(f).mode & 0o077).toBe(0);
    expect(sb.git(["status", "--porcelain", "--ignored", ".envvault.local"]).stdout).toMatch(/^!! /m);

    expect(run.self).toContain("record.cjs");
    expect({ git: figures.gitHits, temp: figures.tempHits, child: figures.childArgvHits, editor: figures.editorArgvHits }).toEqual({ git: 0, temp: 0, child: 0, editor: 0 });
  });
});
