import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "bin", "vault.js");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A person at a machine: a home directory (so an identity) of their own. */
export interface User {
  name: string;
  home: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A throwaway git repository plus any number of users, driving the built `vault` binary
 * exactly as a person types it. Every run is checked against `secrets`: a value the test
 * registered must never appear in output unless the test says the command may print it.
 */
export class Sandbox {
  readonly base: string;
  readonly repo: string;
  readonly secrets = new Set<string>();
  private readonly users = new Map<string, User>();

  constructor(name = "repo") {
    this.base = mkdtempSync(join(tmpdir(), "envvault-e2e-"));
    this.repo = join(this.base, name);
    mkdirSync(this.repo, { recursive: true });
    this.git(["init", "-q", "-b", "main"]);
    this.git(["config", "user.name", "Test"]);
    this.git(["config", "user.email", "test@example.invalid"]);
    this.git(["config", "commit.gpgsign", "false"]);
  }

  user(name: string): User {
    let u = this.users.get(name);
    if (u === undefined) {
      const home = join(this.base, "home-" + name);
      mkdirSync(home, { recursive: true });
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        USER: name,
        LANG: "C.UTF-8",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: `${name}@example.invalid`,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: `${name}@example.invalid`,
        NO_COLOR: "1",
        CI: "1",
      };
      u = { name, home, env };
      this.users.set(name, u);
    }
    return u;
  }

  /**
   * What an admin needs to add `name` as a member (`vault member add NAME --recipient R
   * --signing-key K`): the recipient and signing key their `vault whoami --json` prints. Makes
   * their identity first (`vault keygen`) when they have none yet.
   */
  member(name: string, opts: { env?: NodeJS.ProcessEnv } = {}): { recipient: string; signingKey: string; args: string[] } {
    const env = opts.env === undefined ? {} : { env: opts.env };
    let who = this.vault(name, ["whoami", "--json"], env);
    if (who.code !== 0) {
      const made = this.vault(name, ["keygen"], env);
      if (made.code !== 0) throw new Error(`vault keygen as ${name}: exit ${made.code}\n${made.stderr}`);
      who = this.vault(name, ["whoami", "--json"], env);
    }
    if (who.code !== 0) throw new Error(`vault whoami --json as ${name}: exit ${who.code}\n${who.stderr}`);
    const { recipients, signingKeys } = JSON.parse(who.stdout) as { recipients: string[]; signingKeys: string[] };
    const recipient = recipients[0]!;
    const signingKey = signingKeys[0]!;
    return { recipient, signingKey, args: ["--recipient", recipient, "--signing-key", signingKey] };
  }

  /** Registers values that must not appear in output or in git objects. */
  secret(...values: string[]): void {
    for (const v of values) if (v.length >= 4) this.secrets.add(v);
  }

  /**
   * Runs `vault ARGS` as `user`. `reveals` lists the secrets this command is asked to print
   * (get, export); any other registered secret in stdout or stderr fails the test.
   */
  vault(user: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; reveals?: string[] } = {}): Run {
    const u = this.user(user);
    const r = spawnSync(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? this.repo,
      env: { ...u.env, ...opts.env },
      input: opts.input ?? "",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    } satisfies SpawnSyncOptions);
    const run = { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
    this.checkOutput(`vault ${args.join(" ")}`, run, opts.reveals);
    return run;
  }

  /**
   * Runs another program (age, node, script) as `user` in the repository, with the same
   * secret check as {@link vault}: only `reveals` may appear on stdout, nothing on stderr.
   */
  exec(user: string, file: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; reveals?: string[] } = {}): Run {
    const u = this.user(user);
    const r = spawnSync(file, args, {
      cwd: opts.cwd ?? this.repo,
      env: { ...u.env, ...opts.env },
      input: opts.input ?? "",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    } satisfies SpawnSyncOptions);
    if (r.error !== undefined) throw new Error(`cannot run ${file}: ${r.error.message}`);
    const run = { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
    this.checkOutput(`${file} ${args.join(" ")}`, run, opts.reveals);
    return run;
  }

  /**
   * Runs `vault ARGS` on a pseudo-terminal (util-linux `script`), as a person at a terminal:
   * CI is unset, and each step waits until the output matches `expect`, then (after
   * `delayMs`, as a person would take) types `send`.
   * Output (stdout and stderr mixed, as on a screen) is checked like {@link vault}'s stdout.
   */
  async vaultOnTerminal(
    user: string,
    args: string[],
    steps: { expect: RegExp; send: string; delayMs?: number }[],
    opts: { env?: NodeJS.ProcessEnv; reveals?: string[]; timeoutMs?: number } = {},
  ): Promise<Run> {
    return this.onTerminal(user, [process.execPath, BIN, ...args], `vault ${args.join(" ")}`, steps, opts);
  }

  /** Like {@link vaultOnTerminal}, for `git ARGS` (whose hooks and merge driver run vault). */
  async gitOnTerminal(
    user: string,
    args: string[],
    steps: { expect: RegExp; send: string; delayMs?: number }[],
    opts: { env?: NodeJS.ProcessEnv; reveals?: string[]; timeoutMs?: number } = {},
  ): Promise<Run> {
    return this.onTerminal(user, ["git", ...args], `git ${args.join(" ")}`, steps, opts);
  }

  private async onTerminal(
    user: string,
    argv: string[],
    label: string,
    steps: { expect: RegExp; send: string; delayMs?: number }[],
    opts: { env?: NodeJS.ProcessEnv; reveals?: string[]; timeoutMs?: number },
  ): Promise<Run> {
    const u = this.user(user);
    const command = argv.map(shellWord).join(" ");
    const child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: this.repo,
      env: { ...u.env, CI: undefined, TERM: "dumb", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    let stderr = "";
    let step = 0;
    let offset = 0;
    const advance = () => {
      while (step < steps.length) {
        const s = steps[step]!;
        const m = s.expect.exec(screen.slice(offset));
        if (m === null) return;
        offset += m.index + m[0].length;
        if (s.delayMs) setTimeout(() => child.stdin.write(s.send), s.delayMs);
        else child.stdin.write(s.send);
        step++;
      }
    };
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      screen += d;
      advance();
    });
    child.stderr.on("data", (d: string) => (stderr += d));
    const code = await new Promise<number>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${label} on a terminal timed out at step ${step}; screen so far: ${JSON.stringify(screen)}`));
      }, opts.timeoutMs ?? 20_000);
      child.on("error", reject);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolvePromise(c ?? 128);
      });
    });
    const run = { code, stdout: screen, stderr };
    this.checkOutput(`${label} (on a terminal)`, run, opts.reveals);
    return run;
  }

  private checkOutput(what: string, run: Run, reveals: string[] = []): void {
    const allowed = new Set(reveals);
    for (const s of this.secrets) {
      if (!allowed.has(s) && run.stdout.includes(s)) throw new Error(`secret leaked on stdout of ${what}`);
      if (run.stderr.includes(s)) throw new Error(`secret leaked on stderr of ${what}`);
    }
  }

  git(args: string[], opts: { user?: string; input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Run {
    const r = this.gitTry(args, opts);
    if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
    return r;
  }

  /**
   * Runs git and returns its exit code instead of throwing: for commands a hook may stop
   * (`git commit`) or that may conflict (`git merge`). Hooks print through it, so its
   * output gets the same secret check as {@link vault}'s.
   */
  gitTry(args: string[], opts: { user?: string; input?: string; cwd?: string; env?: NodeJS.ProcessEnv; reveals?: string[] } = {}): Run {
    const base = opts.user === undefined ? { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } : this.user(opts.user).env;
    const r = spawnSync("git", args, { cwd: opts.cwd ?? this.repo, env: { ...base, ...opts.env }, input: opts.input ?? "", encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const run = { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
    this.checkOutput(`git ${args.join(" ")}`, run, opts.reveals);
    return run;
  }

  /** `git add -A && git commit`; `env` for the commit (ENVVAULT_NO_AUTO_UNLOCK=1: a commit whose post-commit hook leaves the targets as they are). */
  commitAll(message: string, user?: string, env?: NodeJS.ProcessEnv): void {
    const as = { ...(user === undefined ? {} : { user }), ...(env === undefined ? {} : { env }) };
    this.git(["add", "-A"], as);
    this.git(["commit", "-q", "-m", message], as);
  }

  /** Every object in the repository's database (or another clone's, at `cwd`), concatenated; plaintext must not be in it. */
  gitObjects(cwd = this.repo): string {
    return spawnSync("git", ["cat-file", "--batch-all-objects", "--batch"], { cwd, encoding: "latin1", maxBuffer: 512 * 1024 * 1024 }).stdout;
  }

  assertNoSecretInGit(cwd = this.repo): void {
    const all = this.gitObjects(cwd);
    for (const s of this.secrets) {
      if (all.includes(Buffer.from(s, "utf8").toString("latin1"))) throw new Error("a secret value reached a git object");
    }
  }

  write(path: string, text: string | Buffer): void {
    const p = join(this.repo, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }

  /**
   * Writes a vault file by hand (vault.yaml, roster.yaml) as `admin`, who then signs what the
   * work tree changed with `vault sign`: a hand edit readers trust (docs/SECURITY.md, "Trusted
   * writes"). A plain {@link write} of those files is what a pusher does, and readers refuse it.
   */
  writeSigned(path: string, text: string | Buffer, admin = "alice"): void {
    this.write(path, text);
    const r = this.vault(admin, ["sign"]);
    if (r.code !== 0) throw new Error(`vault sign as ${admin} after writing ${path}: exit ${r.code}\n${r.stderr}`);
  }

  /**
   * Writes a vault file by hand as `admin` and signs it without the checks of `vault sign`
   * (which refuses a vault.yaml a command would not read): what a careless or compromised
   * admin could still sign with the library, for tests of the layers behind verification.
   */
  writeSignedUnchecked(path: string, text: string | Buffer, admin = "alice"): void {
    this.write(path, text);
    const r = this.exec(admin, process.execPath, [join(ROOT, "test/e2e/tools/forge.mjs"), "admin-link", admin]);
    if (r.code !== 0) throw new Error(`forge admin-link as ${admin} after writing ${path}: exit ${r.code}\n${r.stderr}`);
  }

  read(path: string): string {
    return readFileSync(join(this.repo, path), "utf8");
  }

  /** A file's bytes, for before/after comparisons that must be exact. */
  bytes(path: string): Buffer {
    return readFileSync(join(this.repo, path));
  }

  /** A file's permission bits, e.g. 0o600. */
  mode(path: string): number {
    return statSync(join(this.repo, path)).mode & 0o777;
  }

  remove(path: string): void {
    rmSync(join(this.repo, path), { recursive: true, force: true });
  }

  exists(path: string): boolean {
    return existsSync(join(this.repo, path));
  }

  /** A snapshot of every file under .envvault/, to prove a command changed no byte. */
  vaultBytes(): string {
    const r = spawnSync("sh", ["-c", "find .envvault -type f | LC_ALL=C sort | xargs sha256sum"], { cwd: this.repo, encoding: "utf8" });
    return r.stdout;
  }

  cleanup(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

/** A word for `sh -c`, quoted when it needs to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Fails clearly when the CLI was not built (npm test builds it first). */
export function requireBuild(): void {
  if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) throw new Error("dist/cli/main.js is missing: run `npm run build` first (npm test does)");
}
