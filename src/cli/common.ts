import { decodeText } from "../io/atomic.js";
import { requireEnv, defaultEnv } from "../vault/config.js";
import { loadState } from "../store/state.js";
import type { Vault } from "../store/vault.js";
import type { Where } from "../ops/session.js";
import type { Context } from "./context.js";

export function where(ctx: Context): Where {
  return { cwd: ctx.cwd, processEnv: ctx.processEnv, ...(ctx.identityFile === undefined ? {} : { identityFile: ctx.identityFile }) };
}

/** --env, else the environment chosen with `vault use`, else vault.yaml's default. */
export async function chooseEnv(vault: Vault, ctx: Context): Promise<string> {
  if (ctx.env !== undefined) return requireEnv(vault.config.data, ctx.env);
  const state = await loadState(vault.root);
  if (state.env !== undefined && state.env in vault.config.data.environments) return state.env;
  return requireEnv(vault.config.data, defaultEnv(vault.config.data));
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

/** Says which variables were left out because this reader cannot open their scope. */
export function warnHidden(ctx: Context, env: string, hidden: readonly { key: string; scope: string }[]): void {
  if (hidden.length === 0) return;
  ctx.out.warn(`${env}: left out ${hidden.map((h) => `${h.key} (${h.scope})`).join(", ")}: you cannot read ${hidden.length === 1 ? "its scope" : "their scopes"}`);
}
