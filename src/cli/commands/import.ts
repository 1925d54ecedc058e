import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { importValues } from "../../app/import.js";
import { fsError } from "../../io/files.js";
import type { ImportFormat } from "../../model/formats.js";
import { depsOf, inputText, readStdin, summary } from "../common.js";
import type { Context } from "../context.js";

/** `vault import FILE` (`-`: standard input). */
export async function importEnv(ctx: Context, args: { file: string; format?: ImportFormat }): Promise<void> {
  // yargs hands a lone "-" to a string positional as "", and no file is named "".
  const stdin = args.file === "-" || args.file === "";
  const name = stdin ? "<stdin>" : args.file;
  let text: string;
  try {
    text = stdin ? await readStdin(ctx.stdin) : inputText(await readFile(resolve(ctx.cwd, args.file)), name);
  } catch (e) {
    // An invalid byte is already an InvalidFile naming its offset; fsError keeps it as it is.
    throw fsError("read", name, e);
  }
  const r = await importValues(depsOf(ctx), { text, name, ...(args.format === undefined ? {} : { format: args.format }) });
  for (const w of r.warnings) ctx.out.warn(w);
  ctx.out.note(`${r.env}: imported ${r.count} from ${name}: ${summary(r.added, r.changed, [])}`);
  ctx.out.result({ env: r.env, added: r.added, changed: r.changed, unchanged: r.unchanged });
}
