/**
 * Every failure envvault reports is a {@link VaultError}: a stable `code`, a message that
 * says what failed and on what, hints that say what to do next, and non-secret `data`
 * (file, line, key). Only the entry points turn them into text and exit codes: `cli/`, and
 * `preload.ts` for `envvault/config` (docs/ARCHITECTURE.md, "How errors flow").
 */

/** Process exit codes of the CLI contract. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  accessDenied: 3,
  integrity: 4,
  validation: 5,
  blocked: 6,
  /** `vault run`: the command could not be executed (a shell's 126). */
  cannotExecute: 126,
  /** `vault run`: the command was not found (a shell's 127). */
  commandNotFound: 127,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | "FAILURE"
  | "USAGE"
  | "NOT_A_RECIPIENT"
  | "TAMPERED"
  | "INVALID_FILE"
  | "VALIDATION"
  | "BLOCKED"
  | "NO_IDENTITY"
  | "BAD_IDENTITY"
  | "NOT_FOUND"
  | "CONFLICT"
  | "LOCKED"
  | "UNSAFE_PATH"
  | "UNVERIFIED"
  | "NOT_ALLOWED"
  | "COMMAND_NOT_FOUND"
  | "CANNOT_EXECUTE";

/** Non-secret facts about where a failure happened. Never put a value here. */
export interface ErrorData {
  file?: string;
  line?: number;
  column?: number;
  key?: string;
  env?: string;
  scope?: string;
  [extra: string]: unknown;
}

export interface ErrorOptions {
  hints?: string[];
  data?: ErrorData;
  cause?: unknown;
}

const exitByCode: Record<ErrorCode, ExitCode> = {
  FAILURE: ExitCode.failure,
  USAGE: ExitCode.usage,
  NOT_A_RECIPIENT: ExitCode.accessDenied,
  TAMPERED: ExitCode.integrity,
  INVALID_FILE: ExitCode.validation,
  VALIDATION: ExitCode.validation,
  BLOCKED: ExitCode.blocked,
  NO_IDENTITY: ExitCode.failure,
  BAD_IDENTITY: ExitCode.failure,
  NOT_FOUND: ExitCode.failure,
  CONFLICT: ExitCode.failure,
  LOCKED: ExitCode.failure,
  UNSAFE_PATH: ExitCode.validation,
  UNVERIFIED: ExitCode.integrity,
  NOT_ALLOWED: ExitCode.accessDenied,
  COMMAND_NOT_FOUND: ExitCode.commandNotFound,
  CANNOT_EXECUTE: ExitCode.cannotExecute,
};

export class VaultError extends Error {
  readonly code: ErrorCode;
  readonly hints: string[];
  readonly data: ErrorData;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hints = options.hints ?? [];
    this.data = options.data ?? {};
  }

  get exitCode(): ExitCode {
    return exitByCode[this.code];
  }
}

/** Wrong command-line usage (exit 2). */
export class UsageError extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("USAGE", message, options);
  }
}

/** The current identity is not among a file's recipients (exit 3). */
export class NotARecipient extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("NOT_A_RECIPIENT", message, options);
  }
}

/** Ciphertext, a key file or a header was modified, truncated or moved (exit 4). */
export class Tampered extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("TAMPERED", message, options);
  }
}

/** A vault file does not parse or breaks its schema (exit 5). */
export class InvalidFile extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("INVALID_FILE", message, options);
  }
}

/** Values break the rules of `vault.yaml` (exit 5). */
export class ValidationFailed extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("VALIDATION", message, options);
  }
}

/**
 * A path a vault file names (a target, an env_file, a vault file itself) would leave the work
 * tree, pass through a symlink, or land in `.git/`, `.envvault/` or `.envvault.local/`
 * (exit 5). Nothing is read or written through it.
 */
export class UnsafePath extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("UNSAFE_PATH", message, options);
  }
}

/**
 * The vault, or a change in its history, is not signed by a member allowed to make it: a
 * value, a scope key, the roster or vault.yaml a pusher may have written (exit 4).
 */
export class Unverified extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("UNVERIFIED", message, options);
  }
}

/**
 * The member may not make this change: their role does not let them write the scope, make a
 * scope's key pair, or change roster.yaml, vault.yaml or exposed.json (exit 3).
 */
export class NotAllowed extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("NOT_ALLOWED", message, options);
  }
}

/** A hook found something it must stop (exit 6). */
export class Blocked extends VaultError {
  constructor(message: string, options?: ErrorOptions) {
    super("BLOCKED", message, options);
  }
}

/** Formats "file:line" (or just the file) for messages. */
export function where(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}
