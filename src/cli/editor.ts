/**
 * The editor session of `vault edit`: the values in a 0600 file in a private 0700 directory,
 * $EDITOR on it, and the file removed afterwards whatever happens, also on SIGINT, SIGTERM or
 * SIGHUP, which cancel the edit.
 */
import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidFile, VaultError } from "../errors.js";
import type { Cancelled } from "../app/edit.js";
import { readText } from "../io/atomic.js";
import { createScratchDir } from "../io/scratch.js";
import { exportAs, importFrom } from "../model/formats.js";

/**
 * The signals that cancel an edit. Node's default for them is to exit at once, before any
 * `finally` could remove the plaintext.
 */
const CANCELLING: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * How long a cancelled edit waits for the editor to exit after passing the signal on: long
 * enough for it to give the terminal back before the shell's prompt returns, short enough
 * that an editor ignoring the signal cannot keep vault from exiting.
 */
const EDITOR_GRACE_MS = 2_000;

/** How the editor ended; both null when vault stopped waiting for it. */
interface EditorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Editor {
  exited: Promise<EditorExit>;
  /** Passes `signal` on and stops waiting for the editor after {@link EDITOR_GRACE_MS}. */
  cancel(signal: NodeJS.Signals): void;
}

function runEditor(editor: string, file: string): Editor {
  // Through sh so that EDITOR may carry arguments ("code --wait"); the path goes as $1, unparsed.
  // `exec`, so that the child vault signals is the editor itself: dash waits in a child of
  // its own, which a signal to the shell would leave running.
  const child = spawn("/bin/sh", ["-c", `exec ${editor} "$1"`, "sh", file], { stdio: "inherit" });
  let abandon = (): void => undefined;
  const exited = new Promise<EditorExit>((resolve, reject) => {
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(new VaultError("FAILURE", `cannot start /bin/sh to run the editor: ${e.code ?? e.message}; nothing was changed`, { hints: ["`vault edit` needs a POSIX shell at /bin/sh"], cause: e })),
    );
    child.on("exit", (code, signal) => resolve({ code, signal }));
    abandon = () => {
      child.unref(); // an editor that outlives the grace must not keep vault running
      resolve({ code: null, signal: null });
    };
  });
  return {
    exited,
    cancel(signal) {
      // A Ctrl-C reaches the editor too (same process group), and one more is harmless: the
      // edit is being thrown away. A `kill` reaches vault only; without this the editor
      // would go on holding the terminal and the plaintext after vault has exited.
      child.kill(signal);
      setTimeout(abandon, EDITOR_GRACE_MS).unref();
    },
  };
}

/** Why an editor's exit means no edit; undefined for a clean exit. */
function editorFailure(editor: string, exit: EditorExit): VaultError | undefined {
  if (exit.code === 0) return undefined;
  if (exit.signal !== null) return new VaultError("FAILURE", `the editor (${editor}) was killed by ${exit.signal}; nothing was changed`);
  if (exit.code === 127) {
    return new VaultError("FAILURE", `the editor (${editor}) was not found; nothing was changed`, {
      hints: ["set VISUAL or EDITOR to an installed editor, e.g. `EDITOR=nano vault edit`"],
    });
  }
  return new VaultError("FAILURE", `the editor (${editor}) exited with ${exit.code}; nothing was changed`, {
    hints: ["an editor that exits with an error (`:cq` in vi) cancels the edit; save and quit normally to apply it"],
  });
}

/**
 * Lets the person edit `values` of `env` in `editor` (a command line, run by /bin/sh) and
 * reads back what they saved.
 *
 * @throws VaultError when the editor cannot start or fails; InvalidFile when what was saved
 *   does not parse (naming the line, never a value).
 */
export async function editInPrivate(editor: string, env: string, values: ReadonlyMap<string, string>): Promise<Map<string, string> | Cancelled> {
  let dir: string | undefined;
  let running: Editor | undefined;
  let cancelledBy: NodeJS.Signals | undefined;
  const cancel = (signal: NodeJS.Signals): void => {
    cancelledBy ??= signal;
    // The plaintext leaves the disk now, not once the editor is gone; the finally makes sure.
    if (dir !== undefined) void rm(dir, { recursive: true, force: true }).catch(() => undefined);
    running?.cancel(signal);
  };
  for (const s of CANCELLING) process.on(s, cancel);
  try {
    dir = await createScratchDir("edit");
    if (cancelledBy !== undefined) return { cancelledBy };
    const file = join(dir, `${env}.env`);
    const header = `# ${env}: edit, save and quit; lines you delete are removed from the vault\n`;
    await writeFile(file, header + exportAs("dotenv", values, { shellSafe: false }), { mode: 0o600 });
    if (cancelledBy !== undefined) return { cancelledBy };
    running = runEditor(editor, file);
    const exit = await running.exited;
    if (cancelledBy !== undefined) return { cancelledBy };
    const failure = editorFailure(editor, exit);
    if (failure !== undefined) throw failure;
    try {
      return importFrom("dotenv", await readText(file), `${env}.env (edited)`);
    } catch (e) {
      if (e instanceof InvalidFile) throw new InvalidFile(`${e.message}; nothing was changed`, { data: e.data, hints: ["run `vault edit` again and fix that line"] });
      throw e;
    }
  } catch (e) {
    // A step that failed because the signal removed the directory early.
    if (cancelledBy !== undefined) return { cancelledBy };
    throw e;
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    for (const s of CANCELLING) process.off(s, cancel);
  }
}
