/**
 * Questions to the person at the terminal. Prompts are written to stderr, so stdout stays
 * clean for `--json` and pipes; they refuse to run without a terminal (or in CI) rather
 * than hang waiting for input that never comes.
 */
import type { Readable, Writable } from "node:stream";
import { UsageError, VaultError } from "../errors.js";

/** The streams a prompt uses; tests pass fakes. */
export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  output: Writable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

const CTRL_C = "\u0003";
const CTRL_D = "\u0004";
const CTRL_U = "\u0015";
const BACKSPACES = new Set(["\u007f", "\b"]);
/** Arrow keys and the like arrive as CSI/SS3 sequences; they must not end up in the answer. */
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g;

/** stdin, stderr (where prompts go) and the process environment. */
export function defaultTerminal(): Terminal {
  return { input: process.stdin, output: process.stderr, env: process.env };
}

/**
 * Whether a person can answer a question: the input and the prompt stream are terminals
 * and `CI` is not set (to anything but `""`, `0` or `false`).
 */
export function isInteractive(term: Terminal = defaultTerminal()): boolean {
  return term.input.isTTY === true && term.output.isTTY === true && !inCI(term.env);
}

/**
 * Asks `question` (a space is added unless it ends with one) and reads one line without
 * echoing it (for secrets). Backspace and
 * Ctrl-U edit; Enter or Ctrl-D ends the answer.
 *
 * Rejects with a UsageError when not interactive, a VaultError FAILURE "cancelled" on Ctrl-C.
 */
export function promptHidden(question: string, term: Terminal = defaultTerminal()): Promise<string> {
  return ask(question, term, false);
}

/** Like {@link promptHidden}, but the answer is echoed as it is typed. */
export function promptLine(question: string, term: Terminal = defaultTerminal()): Promise<string> {
  return ask(question, term, true);
}

/**
 * Asks a yes/no question; an empty answer means `defaultAnswer`, anything other than
 * y/yes/n/no asks again.
 */
export async function confirm(question: string, defaultAnswer: boolean, term: Terminal = defaultTerminal()): Promise<boolean> {
  const choices = defaultAnswer ? "[Y/n]" : "[y/N]";
  for (;;) {
    const answer = (await promptLine(`${question} ${choices}`, term)).trim().toLowerCase();
    if (answer === "") return defaultAnswer;
    if (answer === "y" || answer === "yes") return true;
    if (answer === "n" || answer === "no") return false;
  }
}

function inCI(env: Terminal["env"]): boolean {
  const ci = env["CI"];
  return ci !== undefined && !["", "0", "false"].includes(ci.toLowerCase());
}

async function ask(question: string, term: Terminal, echo: boolean): Promise<string> {
  if (!isInteractive(term)) throw notInteractive(question, term);
  const { input, output } = term;
  // Raw mode first: a key typed the instant the prompt appears must not be echoed by the tty.
  // Raw mode also turns Ctrl-C into a character instead of SIGINT, so the caller can clean up.
  input.setRawMode?.(true);
  output.write(/\s$/.test(question) ? question : `${question} `);
  return new Promise((resolve, reject) => {
    const typed: string[] = [];
    const finish = (error?: VaultError): void => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.setRawMode?.(false);
      input.pause(); // a flowing stdin would keep the process alive
      output.write("\n");
      if (error === undefined) resolve(typed.join(""));
      else reject(error);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk.replace(ESCAPE_SEQUENCE, "")) {
        const before = typed.length;
        const outcome = applyKey(typed, char);
        if (outcome !== "typing") return finish(outcome === "cancel" ? cancelled() : undefined);
        if (echo) output.write(echoOf(char, before, typed.length));
      }
    };
    const onEnd = (): void => finish(cancelled());
    input.setEncoding("utf8");
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}

/** Edits `typed` for one key; says whether the answer is still being typed. */
function applyKey(typed: string[], char: string): "typing" | "done" | "cancel" {
  if (char === CTRL_C) return "cancel";
  if (char === "\r" || char === "\n" || char === CTRL_D) return "done";
  if (BACKSPACES.has(char)) typed.pop();
  else if (char === CTRL_U) typed.length = 0;
  else if (char >= " ") typed.push(char);
  return "typing";
}

/** What the screen needs after a key changed the answer from `before` to `after` characters. */
function echoOf(char: string, before: number, after: number): string {
  return after > before ? char : "\b \b".repeat(before - after);
}

function cancelled(): VaultError {
  return new VaultError("FAILURE", "cancelled");
}

function notInteractive(question: string, term: Terminal): UsageError {
  const reason = inCI(term.env) ? "prompts are off in CI (CI is set)" : "no terminal to ask on";
  return new UsageError(`cannot ask "${question.trim()}": ${reason}`, {
    hints: ["pass the answer another way, e.g. --stdin, a flag or --yes"],
  });
}
