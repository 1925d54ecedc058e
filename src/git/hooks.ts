/**
 * Installs envvault's git hooks, merge driver and diff text converter (README, "Working
 * with git").
 *
 * - A repository using husky (`core.hooksPath` pointing into `.husky/`) gets one marked line
 *   in the committed `.husky/<hook>` file; `.husky/_` is husky's own, and gets only the one
 *   stub husky 9 does not make (reference-transaction), made like husky's own.
 * - Otherwise a marked block goes into `<hooks dir>/<hook>`, where the hooks dir is what git
 *   itself uses (`git rev-parse --git-path hooks`: honours `core.hooksPath` and is shared
 *   by linked worktrees). An existing shell hook keeps its content (the block goes right
 *   after its `#!` line); a hook in another language is kept as `<hook>.envvault-chained`
 *   and run after ours. Installing twice changes nothing; uninstall restores the rest.
 * - `.gitattributes` routes `.envvault/envs/*.env` to the `envvault` merge driver and diff
 *   converter, and `.envvault/chain` to the same merge driver (it tells the two by path), which
 *   the local git config defines. A repository installed before the chain's line gets it on
 *   the next install.
 */
import { existsSync, realpathSync } from "node:fs";
import { chmod, lstat, mkdir, readFile, realpath, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { checkInside } from "../io/confine.js";
import { git, gitText } from "./exec.js";
import { findRepo, type Repo } from "./repo.js";

export const HOOKS = ["pre-commit", "post-checkout", "post-merge", "post-rewrite", "post-commit", "reference-transaction"] as const;
export type HookName = (typeof HOOKS)[number];

/** The lines `.gitattributes` needs: each pattern with its attributes. */
export const ATTRIBUTES_LINES = [".envvault/envs/*.env merge=envvault diff=envvault", ".envvault/chain merge=envvault", ".envvault/roster.yaml merge=envvault"] as const;
const ATTRIBUTES_COMMENT = "# envvault: key-level merges and diffs of vault files";
const BEGIN = "# >>> envvault >>>";
const END = "# <<< envvault <<<";
const HUSKY_MARK = "# envvault";
const CHAINED = ".envvault-chained";
const SHELLS = /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/|\/usr\/local\/bin\/)?(sh|bash|dash|zsh|ksh)\b/;

/** How the hooks and git config call envvault: `vault`, or the node and script that installed them. */
export interface Launcher {
  /** Absolute node binary and `bin/vault.js`, when known. */
  node?: string;
  script?: string;
}

/** The node binary and script running now, as the launcher to write into hooks. */
export function currentLauncher(): Launcher {
  const script = process.argv[1];
  if (script === undefined || !existsSync(script)) return {};
  return { node: process.execPath, script: realpathSync(script) };
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command prefix for git config (run by git through the shell). */
export function launcherCommand(l: Launcher): string {
  return l.node !== undefined && l.script !== undefined ? `${sq(l.node)} ${sq(l.script)}` : "vault";
}

/**
 * The shell test that lets the reference-transaction hook start vault at all. Git runs that
 * hook for every reference update (each commit, fetch, branch), so the shell decides first:
 * only once the update is committed, and only when some vault file is newer than the last
 * unlock's mark, which is what a `reset --hard`, a `stash` or a `stash pop` leaves. Every
 * other update costs one `find`.
 */
export const REF_GATE = `[ "$1" = committed ] && [ -n "$(find .envvault -type f ! -name '.*' -newer .envvault.local/unlocked 2>/dev/null | head -n 1)" ]`;

/** husky 9 makes stubs in `.husky/_` for a fixed list of hooks, without reference-transaction: ours is the same stub. */
export const HUSKY_STUB = '#!/usr/bin/env sh\n. "$(dirname "$0")/h"';

/** The marked block of a hook in the hooks directory. */
export function hookBlock(name: HookName, l: Launcher): string {
  const blocking = name === "pre-commit";
  const gated = name === "reference-transaction";
  const onFail = blocking ? "|| exit $?" : "|| true";
  // post-rewrite and reference-transaction get lines on stdin; a chained hook must still see them.
  const stdin = name === "post-rewrite" || gated ? " </dev/null" : "";
  const missing = blocking
    ? `echo "envvault: vault is not installed, so staged files were not checked; install it, or remove this hook with \\\`vault hooks uninstall\\\`" >&2; exit 1`
    : `echo "envvault: vault is not installed; the ${name} hook did nothing" >&2`;
  const lines = [BEGIN, "# Installed by `vault hooks install`; `vault hooks uninstall` removes this block."];
  if (l.node !== undefined && l.script !== undefined) {
    lines.push(`if [ -x ${sq(l.node)} ] && [ -f ${sq(l.script)} ]; then ${sq(l.node)} ${sq(l.script)} hook ${name} "$@"${stdin} ${onFail}`);
    lines.push(`elif command -v vault >/dev/null 2>&1; then vault hook ${name} "$@"${stdin} ${onFail}`);
  } else {
    // No paths of one machine (a hooks directory committed to the repository): the vault on
    // PATH, else the project's own (git runs hooks at the top of the work tree).
    lines.push(`if command -v vault >/dev/null 2>&1; then vault hook ${name} "$@"${stdin} ${onFail}`);
    lines.push(`elif [ -x node_modules/.bin/vault ]; then node_modules/.bin/vault hook ${name} "$@"${stdin} ${onFail}`);
  }
  lines.push(`else ${missing}; fi`);
  if (gated) lines.splice(2, 0, `if ${REF_GATE}; then`), lines.push("fi");
  lines.push(END);
  return lines.join("\n") + "\n";
}

/** The one line added to `.husky/<hook>` (husky puts node_modules/.bin on PATH). */
export function huskyLine(name: HookName): string {
  if (name === "pre-commit") return `vault hook ${name} "$@" ${HUSKY_MARK}`;
  if (name === "reference-transaction") return `if ${REF_GATE}; then vault hook ${name} "$@" </dev/null || true; fi ${HUSKY_MARK}`;
  return `vault hook ${name} "$@" || true ${HUSKY_MARK}`;
}

/** Removes our block from a hook's text; undefined when it holds none. */
export function withoutBlock(text: string): string | undefined {
  const start = text.indexOf(BEGIN);
  if (start < 0) return undefined;
  const end = text.indexOf(END, start);
  if (end < 0) return undefined;
  let after = end + END.length;
  if (text[after] === "\n") after++;
  return text.slice(0, start) + text.slice(after);
}

/**
 * A hook's new text with our block in it, or undefined when the existing hook cannot take
 * a shell block (another interpreter, or a binary): the caller chains it instead.
 */
export function withBlock(existing: string | undefined, block: string): string | undefined {
  if (existing === undefined || existing.trim() === "") return `#!/bin/sh\n${block}`;
  const stripped = withoutBlock(existing);
  const base = stripped ?? existing;
  if (stripped !== undefined) {
    // Put the block back where it was, so re-installing changes no byte.
    const at = existing.indexOf(BEGIN);
    return base.slice(0, at) + block + base.slice(at);
  }
  if (!SHELLS.test(base) || base.includes("\0")) return undefined;
  const eol = base.indexOf("\n");
  return eol < 0 ? `${base}\n${block}` : base.slice(0, eol + 1) + block + base.slice(eol + 1);
}

/** The husky directory when the repository uses husky (core.hooksPath `.husky/_` or `.husky`). */
async function huskyDir(repo: Repo): Promise<string | undefined> {
  const r = await git(["config", "--get", "core.hooksPath"], { cwd: repo.top, allowFail: true });
  const hooksPath = r.stdout.toString("utf8").trim();
  if (hooksPath === "") return undefined;
  const abs = resolve(repo.top, hooksPath);
  const dir = /[/\\]_[/\\]?$/.test(hooksPath) ? dirname(abs) : abs;
  return dir.split(/[/\\]/).pop() === ".husky" && existsSync(dir) ? dir : undefined;
}

/**
 * husky's own hooks directory (`.husky/_`, git-ignored, made again by every \`npm install\`)
 * when husky made it: the one place a reference-transaction stub can go.
 */
async function huskyStub(repo: Repo, husky: string): Promise<string | undefined> {
  if (!existsSync(join(husky, "_", "h"))) return undefined;
  return place(repo, join(husky, "_", "reference-transaction"));
}

/** The hooks directory git runs hooks from (core.hooksPath honoured, shared by worktrees). */
export async function hooksDir(repo: Repo): Promise<string> {
  const dir = await gitText(["rev-parse", "--path-format=absolute", "--git-path", "hooks"], { cwd: repo.top });
  return isAbsolute(dir) ? dir : resolve(repo.top, dir);
}

export interface InstallReport {
  top: string;
  /** Where the hooks went: `.husky`, or the hooks directory. */
  where: string;
  husky: boolean;
  /** Hook files changed, relative to the top when inside it. */
  changed: string[];
  /** Existing hooks that now run after ours. */
  chained: string[];
  attributes: boolean;
  /** The git config file the merge driver and diff converter were written to (a submodule's is under the superproject's `.git/modules/`). */
  config: string;
}

/**
 * Where a hook file or `.gitattributes` really is. In the work tree (`.husky/`, a committed
 * hooks directory, `.gitattributes`) a symlink is refused, since a commit can plant one to
 * make this write elsewhere; in git's own directory (`.git/hooks`) a symlink is the user's
 * own set-up and is followed.
 */
async function place(repo: Repo, path: string): Promise<string> {
  const rel = relative(repo.top, path);
  const inWorkTree = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) && rel.split(sep)[0] !== ".git";
  if (inWorkTree) return checkInside(repo.top, rel.split(sep).join("/"));
  const link = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
  return link ? realpath(path) : path;
}

async function readMaybe(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

async function writeHook(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text, { mode: 0o755 });
  await chmod(path, ((await stat(path)).mode & 0o777) | 0o111);
}

/** Whether a `.gitattributes` text gives a pattern all of a line's attributes. */
function hasLine(lines: readonly string[][], wanted: string): boolean {
  const [pattern, ...attrs] = wanted.split(" ");
  return lines.some((w) => w[0] === pattern && attrs.every((a) => w.includes(a)));
}

/** `.gitattributes` text with our lines, or undefined when they are there already. */
export function withAttributes(current: string): string | undefined {
  const lines = current.split(/\r?\n/).map((l) => l.trim().split(/\s+/));
  const missing = ATTRIBUTES_LINES.filter((l) => !hasLine(lines, l));
  if (missing.length === 0) return undefined;
  const eol = current.includes("\r\n") ? "\r\n" : "\n";
  const base = current === "" || current.endsWith("\n") ? current : current + eol;
  const comment = current.includes(ATTRIBUTES_COMMENT) ? [] : [ATTRIBUTES_COMMENT];
  return `${base}${[...comment, ...missing].map((l) => l + eol).join("")}`;
}

/** Whether a `.gitattributes` text routes every vault file to envvault. */
export function hasAttributes(current: string): boolean {
  return withAttributes(current) === undefined;
}

/** The git config of envvault's merge driver (`merge.envvault.*`): key, value. */
export function mergeDriverConfig(l: Launcher): [string, string][] {
  return [
    ["merge.envvault.name", "envvault: key-level merge of vault files"],
    ["merge.envvault.driver", `${launcherCommand(l)} merge-driver %O %A %B %P`],
  ];
}

/**
 * The file `git config --local` writes: in the directory shared by all work trees, which for
 * a submodule is the superproject's `.git/modules/NAME`, not `.git` in the submodule.
 */
function localConfig(repo: Repo): string {
  return join(repo.commonDir, "config");
}

/** Writes the merge driver and textconv into the repository's local git config. */
async function configure(repo: Repo, l: Launcher): Promise<void> {
  const set = (k: string, v: string) => git(["config", "--local", k, v], { cwd: repo.top });
  for (const [k, v] of mergeDriverConfig(l)) await set(k, v);
  // No diff.envvault.cachetextconv: the cache is stored as git notes, and a diff run with
  // ENVVAULT_DIFF_REVEAL=1 would put plaintext values into git objects.
  await set("diff.envvault.textconv", `${launcherCommand(l)} textconv`);
}

/** Installs the hooks, the merge driver and diff converter (local git config) and `.gitattributes`' line; installing twice changes nothing. */
export async function installHooks(cwd: string, l: Launcher = currentLauncher()): Promise<InstallReport> {
  const repo = await findRepo(cwd);
  const husky = await huskyDir(repo);
  const show = (p: string) => (p.startsWith(repo.top + "/") ? relative(repo.top, p) : p);
  const report: InstallReport = { top: repo.top, where: "", husky: husky !== undefined, changed: [], chained: [], attributes: false, config: show(localConfig(repo)) };
  if (husky !== undefined) {
    report.where = show(husky);
    for (const name of HOOKS) {
      const path = await place(repo, join(husky, name));
      // husky 9 runs these files with `sh -e`; the #! line also lets husky 8 (hooksPath .husky) run a new one.
      const current = (await readMaybe(path)) ?? "#!/usr/bin/env sh\n";
      if (new RegExp(`\\bvault hook ${name}\\b`).test(current)) continue;
      const base = current.endsWith("\n") ? current : current + "\n";
      await writeHook(path, `${base}${huskyLine(name)}\n`);
      report.changed.push(show(path));
    }
    const stub = await huskyStub(repo, husky);
    if (stub !== undefined && (await readMaybe(stub)) === undefined) {
      await writeHook(stub, HUSKY_STUB + "\n");
      report.changed.push(show(stub));
    }
  } else {
    const dir = await hooksDir(repo);
    report.where = show(dir);
    // A hooks directory in the work tree (core.hooksPath .githooks) is committed: hooks there
    // name no path of this machine.
    const inWorkTree = dir.startsWith(repo.top + "/") && !dir.startsWith(join(repo.top, ".git") + "/");
    for (const name of HOOKS) {
      const path = await place(repo, join(dir, name));
      const current = await readMaybe(path);
      const block = hookBlock(name, inWorkTree ? {} : l);
      let next = withBlock(current, block);
      if (next === undefined) {
        // Not a shell script: keep it whole and run it after our block.
        const chained = path + CHAINED;
        if (!existsSync(chained)) await rename(path, chained);
        next = `#!/bin/sh\n${block}exec "$(dirname "$0")/${name}${CHAINED}" "$@"\n`;
        report.chained.push(show(chained));
      }
      if (next !== current) {
        await writeHook(path, next);
        report.changed.push(show(path));
      }
    }
  }
  await configure(repo, l);
  const attrsPath = await place(repo, join(repo.top, ".gitattributes"));
  const attrs = withAttributes((await readMaybe(attrsPath)) ?? "");
  if (attrs !== undefined) {
    await writeFileAtomic(attrsPath, attrs, { mode: 0o644 });
    report.attributes = true;
  }
  return report;
}

export interface UninstallReport {
  top: string;
  /** The git config file the merge driver and diff converter were removed from. */
  config: string;
  changed: string[];
  removed: string[];
  restored: string[];
}

/** Removes what {@link installHooks} added; other hooks and lines stay. `.gitattributes` is committed and stays. */
export async function uninstallHooks(cwd: string): Promise<UninstallReport> {
  const repo = await findRepo(cwd);
  const show = (p: string) => (p.startsWith(repo.top + "/") ? relative(repo.top, p) : p);
  const report: UninstallReport = { top: repo.top, config: show(localConfig(repo)), changed: [], removed: [], restored: [] };
  const husky = await huskyDir(repo);
  if (husky !== undefined) {
    for (const name of HOOKS) {
      const path = await place(repo, join(husky, name));
      const current = await readMaybe(path);
      if (current === undefined) continue;
      const kept = current.split("\n").filter((line) => !(line.includes(`vault hook ${name}`) && line.includes(HUSKY_MARK)));
      const next = kept.join("\n");
      if (next === current) continue;
      if (next.replace(/^#!\/usr\/bin\/env sh\n/, "").trim() === "") {
        await rm(path, { force: true });
        report.removed.push(show(path));
      } else {
        await writeHook(path, next);
        report.changed.push(show(path));
      }
    }
    const stub = await huskyStub(repo, husky);
    if (stub !== undefined && (await readMaybe(stub))?.trim() === HUSKY_STUB) {
      await rm(stub, { force: true });
      report.removed.push(show(stub));
    }
  }
  const dir = await hooksDir(repo);
  for (const name of HOOKS) {
    const path = await place(repo, join(dir, name));
    const current = await readMaybe(path);
    const chained = path + CHAINED;
    if (existsSync(chained)) {
      await rename(chained, path);
      report.restored.push(show(path));
      continue;
    }
    if (current === undefined) continue;
    const next = withoutBlock(current);
    if (next === undefined) continue;
    if (next.replace(/^#!\/bin\/sh\n/, "").trim() === "") {
      await rm(path, { force: true });
      report.removed.push(show(path));
    } else {
      await writeHook(path, next);
      report.changed.push(show(path));
    }
  }
  for (const section of ["merge.envvault", "diff.envvault"]) {
    await git(["config", "--local", "--remove-section", section], { cwd: repo.top, allowFail: true });
  }
  return report;
}
