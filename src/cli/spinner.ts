import type { Context } from "./context.js";

/**
 * Runs `work`, showing a spinner on stderr only if it takes longer than a moment, only on a
 * terminal and never with --json or --quiet. ora is loaded only when the spinner shows.
 */
export async function withSpinner<T>(ctx: Context, text: string, work: () => Promise<T>): Promise<T> {
  if (ctx.json || ctx.quiet || process.stderr.isTTY !== true || process.stdout.isTTY !== true) return work();
  let spinner: { stop(): unknown } | undefined;
  let done = false;
  const timer = setTimeout(() => {
    void import("ora").then(({ default: ora }) => {
      if (!done) spinner = ora({ text, stream: process.stderr }).start();
    });
  }, 300);
  try {
    return await work();
  } finally {
    done = true;
    clearTimeout(timer);
    spinner?.stop();
  }
}
