// The pre-commit benchmark's repository: a vault with 2,000 secret values (their
// fingerprints in the local cache), 5,000 committed source files, and 100 staged changes
// (90 files edited, 10 added) that hold no secret, so the hook lets the commit through
// after reading and scanning every staged line. Deterministic (seeded PRNG).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commitAll, git, mustRun, prng } from "./data.mjs";

const WORDS = [
  "const", "let", "return", "function", "value", "result", "request", "response", "config", "options", "item", "items", "index",
  "count", "total", "user", "account", "order", "status", "handler", "client", "server", "cache", "buffer", "stream", "event",
  "error", "message", "await", "async", "if", "else", "for", "of", "new", "this", "map", "filter", "reduce", "push", "length",
];

/** A source-like text file of `lines` lines (words, identifiers and small numbers only). */
function sourceFile(rand, lines) {
  const out = [];
  for (let i = 0; i < lines; i++) {
    const indent = "  ".repeat(Math.floor(rand() * 4));
    const n = 3 + Math.floor(rand() * 8);
    const words = [];
    for (let j = 0; j < n; j++) {
      const w = WORDS[Math.floor(rand() * WORDS.length)];
      words.push(rand() < 0.15 ? `${w}${Math.floor(rand() * 1000)}` : w);
    }
    out.push(`${indent}${words.join(" ")};`);
  }
  return out.join("\n") + "\n";
}

export const HOOK_FILES = 5000;
export const HOOK_STAGED = { edited: 90, added: 10 };

const filePath = (i) => `src/mod_${String(Math.floor(i / 100)).padStart(2, "0")}/file_${String(i).padStart(4, "0")}.ts`;

/**
 * Copies the vault repository `from` (2,000 values) to `dir`, commits 5,000 files, stages 100
 * changes and refreshes the fingerprint cache. Returns the staged paths and the count of
 * known secrets in the cache. Checks that the hook blocks a staged file holding one of the
 * values (so the timed runs really look for 2,000 secrets) and passes the clean change set.
 */
export function makeHookRepo(dir, from, { vault, env, values }) {
  cpSync(from, dir, { recursive: true });
  const rand = prng(7);
  for (let i = 0; i < HOOK_FILES; i++) {
    const path = join(dir, filePath(i));
    if (i % 100 === 0) mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, sourceFile(rand, 20 + Math.floor(rand() * 80)));
  }
  commitAll(dir, env, "bench: 5,000 files");

  const staged = [];
  for (let k = 0; k < HOOK_STAGED.edited; k++) {
    const rel = filePath(Math.floor((k * HOOK_FILES) / HOOK_STAGED.edited) + 7);
    const old = readFileSync(join(dir, rel), "utf8").split("\n");
    const at = Math.floor(rand() * old.length);
    old.splice(at, 0, ...sourceFile(rand, 5 + Math.floor(rand() * 20)).trimEnd().split("\n"));
    writeFileSync(join(dir, rel), old.join("\n"));
    staged.push(rel);
  }
  for (let k = 0; k < HOOK_STAGED.added; k++) {
    const rel = `src/new/added_${k}.ts`;
    mkdirSync(join(dir, "src", "new"), { recursive: true });
    writeFileSync(join(dir, rel), sourceFile(rand, 20 + Math.floor(rand() * 80)));
    staged.push(rel);
  }
  git(dir, ["add", "--", ...staged], { env });

  const cli = (args, opts = {}) => mustRun(process.execPath, [vault, ...args], { cwd: dir, env, ...opts });
  cli(["hooks", "refresh", "--quiet"]);
  const known = cacheCounts(dir).current;

  // The hook must find a known value in a staged file (exit 6), and let the clean set through.
  const leak = "src/new/leak.ts";
  writeFileSync(join(dir, leak), `export const x = ${JSON.stringify(Object.values(values)[1234])};\n`);
  git(dir, ["add", "--", leak], { env });
  const blocked = spawnHook(dir, vault, env);
  git(dir, ["rm", "-q", "--cached", "--", leak], { env });
  rmSync(join(dir, leak));
  if (blocked.status !== 6 || !blocked.stderr.includes("known-secret")) {
    throw new Error(`set-up: the pre-commit hook did not block a staged known secret (exit ${blocked.status})\n${blocked.stderr}`);
  }
  const clean = spawnHook(dir, vault, env);
  if (clean.status !== 0) throw new Error(`set-up: the pre-commit hook blocks the clean change set (exit ${clean.status})\n${clean.stderr}`);
  return { dir, staged, known };
}

/** `.envvault.local/fingerprints.bin` of `dir`: its first line (JSON) and the table's bytes after it (docs/FORMAT.md §12). */
export function readCache(dir) {
  const bytes = readFileSync(join(dir, ".envvault.local", "fingerprints.bin"));
  const eol = bytes.indexOf(0x0a);
  return { head: JSON.parse(bytes.toString("utf8", 0, eol)), table: bytes.subarray(eol + 1) };
}

/** Writes the cache back with another first line, padded as envvault pads it (the table starts at a multiple of 8 bytes). */
export function writeCache(dir, head, table) {
  let line = JSON.stringify(head);
  line += " ".repeat((8 - ((Buffer.byteLength(line) + 1) % 8)) % 8);
  writeFileSync(join(dir, ".envvault.local", "fingerprints.bin"), Buffer.concat([Buffer.from(`${line}\n`), table]), { mode: 0o600 });
}

/**
 * What the fingerprint cache of `dir` looks for: current and earlier values that have rows
 * in its table (values too short or too plain have none), and the rows.
 */
export function cacheCounts(dir) {
  const { head, table } = readCache(dir);
  const withRows = new Set();
  for (let i = 0; i < head.rows; i++) withRows.add(table.readUInt32LE(head.rows * 8 + i * 4));
  const current = [...withRows].filter((i) => head.values[i][3] === 0).length;
  return { current, earlier: withRows.size - current, rows: head.rows };
}

/** `vault hook pre-commit` as git runs it (exit status and stderr, not thrown). */
function spawnHook(dir, vault, env) {
  const r = spawnSync(process.execPath, [vault, "hook", "pre-commit"], { cwd: dir, env, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr ?? "" };
}
