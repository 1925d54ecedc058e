/** `vault completion [bash|zsh|fish]`: prints the shell completion script (README, "Commands"). */
import { UsageError } from "../../errors.js";
import { completionScript } from "../completion.js";
import type { Context } from "../context.js";
import { COMPLETION_SHELLS, type CompletionShell } from "../table.js";

/** The shell named by $SHELL (`/bin/zsh` → zsh), if it is one a script exists for. */
function loginShell(path: string | undefined): CompletionShell | undefined {
  const name = path?.split("/").pop();
  return COMPLETION_SHELLS.find((s) => s === name);
}

export async function completion(ctx: Context, args: { shell?: CompletionShell }): Promise<void> {
  const shell = args.shell ?? loginShell(ctx.processEnv.SHELL);
  if (shell === undefined) {
    throw new UsageError("$SHELL names none of bash, zsh and fish: which shell is the script for?", { hints: ["`vault completion bash`, `vault completion zsh` or `vault completion fish`"] });
  }
  ctx.out.raw(completionScript(shell));
}
