import type { Output } from "./output.js";

/** What every command receives: the global flags, where to print, and the process around it. */
export interface Context {
  cwd: string;
  env?: string;
  identityFile?: string;
  json: boolean;
  quiet: boolean;
  debug: boolean;
  /** `--allow-unverified`: read a vault that fails verification (recovery), with a warning. */
  allowUnverified?: boolean;
  out: Output;
  processEnv: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  /** True when a person can answer prompts: stdin and stderr are terminals and CI is not set. */
  interactive: boolean;
  /** For `vault run`: the command and its arguments, untouched by option parsing. */
  passthrough: string[];
}

/** A command's entry point: renders through ctx.out and may return a non-zero exit code. */
export type CommandRun<A> = (ctx: Context, args: A) => Promise<number | void>;
