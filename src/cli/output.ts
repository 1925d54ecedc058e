import { writeSync } from "node:fs";
import { VaultError } from "../errors.js";

/** Where Output writes: a stream, or anything with its `write`. */
export interface Sink {
  write(chunk: string | Uint8Array): unknown;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  /** Colours on stderr; a function is asked once, on the first coloured write. */
  color: boolean | (() => boolean);
  stdout: Sink;
  stderr: Sink;
  /** Print the stack trace of an error and of its causes (--debug, ENVVAULT_DEBUG=1). */
  debug?: boolean;
}

/**
 * A standard stream written with `fs.writeSync` on its file descriptor, so that a command
 * never constructs `process.stdout` / `process.stderr`: creating them loads Node's stream
 * machinery, and for a pipe (`vault export | jq`, `$(vault export …)`) its net module too
 * (≈ 3–14 ms). Bytes and order are those of the stream: on Linux, Node writes stdio to
 * files, pipes and terminals synchronously as well. At the first error (EAGAIN from a
 * non-blocking descriptor, EPIPE, …) the rest, and every later write, goes to the real
 * stream, which reports or handles it exactly as before.
 */
export class FdSink implements Sink {
  private stream: Sink | undefined;

  constructor(
    private readonly fd: number,
    private readonly fallback: () => Sink,
  ) {}

  write(chunk: string | Uint8Array): boolean {
    if (this.stream !== undefined) {
      this.stream.write(chunk);
      return true;
    }
    let bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    try {
      while (bytes.length > 0) bytes = bytes.subarray(writeSync(this.fd, bytes));
    } catch {
      // The bytes not written yet (never a split character: they are passed on as bytes).
      this.stream = this.fallback();
      this.stream.write(bytes);
    }
    return true;
  }
}

const paint = (on: () => boolean, code: number) => (s: string) => (on() ? `\u001b[${code}m${s}\u001b[39m` : s);

/**
 * The only writer to stdout and stderr. Data goes to stdout (JSON alone with --json);
 * notes, warnings and errors go to stderr, prefixed like `vault: warning: …`.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly dim: (s: string) => string;
  private readonly stdout: Sink;
  private readonly stderr: Sink;

  constructor(o: OutputOptions) {
    this.json = o.json;
    this.quiet = o.quiet;
    this.debug = o.debug ?? false;
    this.stdout = o.stdout;
    this.stderr = o.stderr;
    let color = typeof o.color === "boolean" ? o.color : undefined;
    const decide = o.color;
    const on = () => (color ??= typeof decide === "function" ? decide() : decide);
    this.red = paint(on, 31);
    this.yellow = paint(on, 33);
    this.green = paint(on, 32);
    this.dim = (s) => (on() ? `\u001b[2m${s}\u001b[22m` : s);
  }

  /** Human-readable data on stdout; nothing with --json. */
  data(text: string): void {
    if (!this.json) this.stdout.write(text.endsWith("\n") || text === "" ? text : text + "\n");
  }

  /** Bytes exactly as given on stdout (get, export): no newline added. */
  raw(text: string): void {
    this.stdout.write(text);
  }

  /** The machine-readable result of a command, with --json only. */
  result(value: unknown): void {
    if (this.json) this.stdout.write(JSON.stringify(value, null, 2) + "\n");
  }

  /** A note about what happened; silenced by --quiet. */
  note(text: string): void {
    if (!this.quiet) this.stderr.write(text + "\n");
  }

  warn(text: string): void {
    this.stderr.write(`${this.yellow("vault: warning:")} ${text}\n`);
  }

  /** Renders an error (with --debug, its trace) and returns the exit code it maps to. */
  error(e: unknown): number {
    if (e instanceof VaultError) {
      this.stderr.write(`${this.red("vault: error:")} ${e.message}\n`);
      for (const h of e.hints) this.stderr.write(`${this.dim("vault: hint:")} ${h}\n`);
      if (this.debug) this.trace(e);
      if (this.json) this.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, hints: e.hints, data: e.data } }, null, 2) + "\n");
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    this.stderr.write(`${this.red("vault: error:")} unexpected failure: ${message}\n`);
    this.stderr.write(`${this.dim("vault: hint:")} this is a bug in envvault; run again with --debug and report the trace\n`);
    if (this.debug) this.trace(e);
    return 1;
  }

  /**
   * The stack frames of an error and of each error in its `cause` chain, by class name only:
   * a message (above all a cause's: a library's error may quote its input, a key or a
   * value) is never printed here, and frames hold only function names and source places.
   */
  private trace(e: unknown): void {
    const seen = new Set<unknown>();
    let label = "trace of";
    for (let at: unknown = e; at !== undefined && at !== null && !seen.has(at); at = at instanceof Error ? at.cause : undefined) {
      seen.add(at);
      this.stderr.write(`${this.dim("vault: debug:")} ${label} ${at instanceof Error ? at.name : `a thrown ${typeof at}`}\n`);
      // The stack opens with "Name: message", as many lines as the message has: dropped, so
      // that not even a message line that looks like a frame gets through.
      const frames = at instanceof Error ? (at.stack ?? "").split("\n").slice(at.message.split("\n").length).filter((line) => /^\s+at /.test(line)) : [];
      for (const frame of frames) this.stderr.write(frame + "\n");
      label = "caused by";
    }
  }
}
