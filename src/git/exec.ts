/**
 * The system `git`, for what isomorphic-git cannot do (hooks, merge drivers, pull and push
 * with the user's credentials, the index a hook is given in GIT_INDEX_FILE) or does much
 * more slowly (`git log -- path` against isomorphic-git's `log({filepath})`; `git diff
 * --cached` plus one `git cat-file --batch` for the staged files, which take less time than
 * importing isomorphic-git). The environment is inherited on purpose: inside a hook git sets
 * GIT_DIR and GIT_INDEX_FILE, and `git commit -a` or `git commit PATH` stage into a
 * temporary index that only those variables point at.
 */
import { spawn } from "node:child_process";
import { VaultError } from "../errors.js";

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  /** Standard input; a promise lets git start before the input is known. */
  input?: string | Buffer | Promise<string | Buffer>;
  env?: NodeJS.ProcessEnv;
  /** Return a non-zero exit instead of throwing. */
  allowFail?: boolean;
  /** Let git's stderr through to ours (pull and push show their progress). */
  inheritStderr?: boolean;
}

/** Runs `git ARGS`; throws a VaultError naming the command when it fails (unless allowFail). */
export function git(args: readonly string[], o: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ["pipe", "pipe", o.inheritStderr === true ? "inherit" : "pipe"],
    });
    const { stdin, stdout } = child as unknown as { stdin: NodeJS.WritableStream; stdout: NodeJS.ReadableStream };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr?.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      reject(
        new VaultError("FAILURE", e.code === "ENOENT" ? "git is not installed or not on PATH" : `cannot run git: ${e.message}`, {
          hints: ["install git (https://git-scm.com) and try again"],
          cause: e,
        }),
      );
    });
    stdin.on("error", () => {
      // git may exit before reading all its input (e.g. a bad revision); the exit code tells.
    });
    child.on("close", (code) => {
      const result = { code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") };
      if (result.code !== 0 && o.allowFail !== true) {
        const first = result.stderr.split("\n").find((l) => l.trim() !== "") ?? `exit ${result.code}`;
        reject(new VaultError("FAILURE", `git ${args[0] ?? ""} failed: ${first.replace(/^(fatal|error): /, "")}`, { data: { exit: result.code } }));
        return;
      }
      resolve(result);
    });
    void Promise.resolve(o.input ?? "").then((data) => stdin.end(data));
  });
}

/** stdout of a git command as text, without its trailing newline. */
export async function gitText(args: readonly string[], o: GitOptions): Promise<string> {
  return (await git(args, o)).stdout.toString("utf8").replace(/\n$/, "");
}

/** Blobs by object id. */
export type Blobs = Map<string, Buffer>;

/** Parses `git cat-file --batch` output, slicing objects in place (no copy per object). */
function parseBatch(stdout: Buffer): Blobs {
  const blobs: Blobs = new Map();
  let at = 0;
  while (at < stdout.length) {
    const eol = stdout.indexOf(0x0a, at);
    if (eol < 0) break;
    const header = stdout.toString("latin1", at, eol).split(" ");
    at = eol + 1;
    if (header[1] === "missing" || header.length < 3) continue;
    const size = Number(header[2]);
    blobs.set(header[0] ?? "", stdout.subarray(at, at + size));
    at += size + 1;
  }
  return blobs;
}

/**
 * One `git cat-file --batch`, started at once so that its start-up overlaps whatever the
 * caller does before it knows which objects to read (the hook: `git diff --cached`).
 */
export class CatFile {
  private readonly result: Promise<GitResult>;
  private readonly send: (input: string) => void;

  constructor(cwd: string) {
    let send: (input: string) => void = () => undefined;
    const input = new Promise<string>((resolve) => (send = resolve));
    this.send = send;
    this.result = git(["cat-file", "--batch"], { cwd, input });
    this.result.catch(() => undefined); // read() reports it
  }

  /** Reads the objects (missing ones are left out). Call once. */
  async read(oids: readonly string[]): Promise<Blobs> {
    const wanted = [...new Set(oids)];
    this.send(wanted.length === 0 ? "" : wanted.join("\n") + "\n");
    return wanted.length === 0 ? new Map() : parseBatch((await this.result).stdout);
  }
}

/** Reads many objects with one `git cat-file --batch`. */
export async function catFileBatch(cwd: string, oids: readonly string[]): Promise<Blobs> {
  return new CatFile(cwd).read(oids);
}
