import { decodeText } from "../io/atomic.js";
import type { Deps } from "../app/session.js";
import type { Context } from "./context.js";

/** What the use cases of app/ need to know of the command line and the process. */
export function depsOf(ctx: Context): Deps {
  return {
    cwd: ctx.cwd,
    processEnv: ctx.processEnv,
    ...(ctx.identityFile === undefined ? {} : { identityFile: ctx.identityFile }),
    ...(ctx.env === undefined ? {} : { env: ctx.env }),
    ...(ctx.allowUnverified === true ? { allowUnverified: true } : {}),
  };
}


/** Names a summary line shows before it only counts the rest (an import of 2,000 keys). */
const SUMMARY_NAMES = 20;

/** `+A ~B -C`, the one-line summary of a change; past 20 names, counts (`--json` lists all). */
export function summary(added: readonly string[], changed: readonly string[], removed: readonly string[]): string {
  const parts = [...added.map((k) => `+${k}`), ...changed.map((k) => `~${k}`), ...removed.map((k) => `-${k}`)];
  if (parts.length === 0) return "no change";
  if (parts.length <= SUMMARY_NAMES) return parts.join(" ");
  const counts = [`${added.length} added`, `${changed.length} changed`, `${removed.length} removed`].filter((c) => !c.startsWith("0 "));
  return `${parts.slice(0, SUMMARY_NAMES).join(" ")} … and ${parts.length - SUMMARY_NAMES} more (${counts.join(", ")} in all)`;
}

/**
 * Text given to a command (standard input, a file to import), decoded strictly: an invalid
 * byte would otherwise become U+FFFD in a secret. A leading BOM is dropped, as an editor or
 * a Windows pipe adds it and no value starts with one.
 *
 * @throws InvalidFile naming `name`, the line and the byte offset of the first invalid
 *   sequence (never the bytes).
 */
export function inputText(bytes: Uint8Array, name: string): string {
  return decodeText(bytes, name).replace(/^\uFEFF/, "");
}

/** Reads all of standard input as UTF-8 text ({@link inputText}). */
export async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return inputText(Buffer.concat(chunks), "<stdin>");
}
