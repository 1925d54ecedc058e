import type { Writable } from "node:stream";
import { VaultError } from "../errors.js";

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  color: boolean;
  stdout: Writable;
  stderr: Writable;
}

const paint = (on: boolean, code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[39m` : s);

/**
 * The only writer to stdout and stderr. Data goes to stdout (JSON alone with --json);
 * notes, warnings and errors go to stderr, prefixed like `vault: warning: …`.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly dim: (s: string) => string;
  private readonly stdout: Writable;
  private readonly stderr: Writable;

  constructor(o: OutputOptions) {
    this.json = o.json;
    this.quiet = o.quiet;
    this.stdout = o.stdout;
    this.stderr = o.stderr;
    this.red = paint(o.color, 31);
    this.yellow = paint(o.color, 33);
    this.green = paint(o.color, 32);
    this.dim = (s) => (o.color ? `\u001b[2m${s}\u001b[22m` : s);
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

  /** Renders an error and returns the exit code it maps to. */
  error(e: unknown): number {
    if (e instanceof VaultError) {
      this.stderr.write(`${this.red("vault: error:")} ${e.message}\n`);
      for (const h of e.hints) this.stderr.write(`${this.dim("vault: hint:")} ${h}\n`);
      if (this.json) this.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, hints: e.hints, data: e.data } }, null, 2) + "\n");
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    this.stderr.write(`${this.red("vault: error:")} unexpected failure: ${message}\n`);
    this.stderr.write(`${this.dim("vault: hint:")} this is a bug in envvault; run again with --debug and report the trace\n`);
    if (process.env.ENVVAULT_DEBUG === "1" && e instanceof Error && e.stack) this.stderr.write(e.stack + "\n");
    return 1;
  }
}
