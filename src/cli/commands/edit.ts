import { constants } from "node:os";
import { VaultError } from "../../errors.js";
import { editValues } from "../../app/edit.js";
import { depsOf, summary } from "../common.js";
import type { Context } from "../context.js";
import { editInPrivate } from "../editor.js";

/**
 * Opens the environment's own values in $VISUAL, $EDITOR or vi (cli/editor.ts) and seals
 * only the keys that changed. A signal while the editor runs cancels the edit with exit
 * 128 + the signal's number.
 */
export async function edit(ctx: Context): Promise<number | void> {
  const editor = ctx.processEnv.VISUAL || ctx.processEnv.EDITOR || "vi";
  const r = await editValues(depsOf(ctx), (env, values) => editInPrivate(editor, env, values));
  for (const w of r.warnings) ctx.out.warn(w);
  if ("cancelledBy" in r.change) {
    ctx.out.error(new VaultError("FAILURE", `edit cancelled by ${r.change.cancelledBy}: the decrypted copy was removed and nothing was changed`));
    return 128 + constants.signals[r.change.cancelledBy];
  }
  ctx.out.note(`${r.env}: ${summary(r.change.added, r.change.changed, r.change.removed)}`);
  ctx.out.result({ env: r.env, ...r.change });
}
