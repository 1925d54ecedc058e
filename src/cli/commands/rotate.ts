import { UsageError } from "../../errors.js";
import { removeMember } from "../../app/remove-member.js";
import { rotateKeys } from "../../app/rotate-keys.js";
import { rotateValues } from "../../app/rotate-values.js";
import { promptHidden } from "../../io/terminal.js";
import { LOCAL, localPath } from "../../model/layout.js";
import { assertKey, parseScope } from "../../model/names.js";
import { depsOf, readStdin } from "../common.js";
import type { Context } from "../context.js";
import { renderRemoval } from "../exposures.js";
import { withSpinner } from "../spinner.js";

interface Args {
  keys?: string[];
  scope?: string[];
  remove?: string;
  all: boolean;
  stdin: boolean;
  generate?: string;
}

/** `vault rotate KEY…` (new values), `--remove MEMBER` (offboarding), `--scope S…` or `--all` (new keys). */
export async function rotate(ctx: Context, args: Args): Promise<void> {
  const keys = (args.keys ?? []).map(assertKey);
  const scopes = args.scope ?? [];
  const modes = [keys.length > 0, scopes.length > 0, args.remove !== undefined, args.all].filter(Boolean).length;
  if (modes !== 1) {
    throw new UsageError("say what to rotate: KEY…, --scope SCOPE, --remove MEMBER or --all (one of them)", {
      hints: ["`vault rotate --remove alice` offboards alice", "`vault rotate API_KEY --stdin` sets a new value"],
    });
  }
  for (const s of scopes) parseScope(s);
  if (keys.length > 0) return rotateValuesOf(ctx, keys, args);
  const name = args.remove;
  if (name !== undefined) return renderRemoval(ctx, await withSpinner(ctx, "rotating keys", () => removeMember(depsOf(ctx), { name })));
  const rotated = await withSpinner(ctx, "rotating keys", () => rotateKeys(depsOf(ctx), { scopes: args.all ? "all" : scopes }));
  ctx.out.note(`new keys for ${rotated.join(", ")}`);
  ctx.out.result({ removed: null, scopes: rotated, exposed: [] });
}

/** New values for KEYs: from --generate, --stdin, or asked for on the terminal (never echoed). */
async function rotateValuesOf(ctx: Context, keys: string[], args: Args): Promise<void> {
  const newValue = async (key: string): Promise<string> => {
    if (args.stdin) return (await readStdin(ctx.stdin)).replace(/\r?\n$/, "");
    if (ctx.interactive) return promptHidden(`new value for ${key}: `);
    throw new UsageError(`no new value for ${key}`, { hints: ["pipe it with --stdin, use --generate, or run in a terminal to be asked"] });
  };
  const r = await rotateValues(depsOf(ctx), { keys, stdin: args.stdin, newValue, ...(args.generate === undefined ? {} : { generate: args.generate }) });
  for (const w of r.warnings) ctx.out.warn(w);
  if (r.generated.length > 0) {
    ctx.out.note(`new value for ${r.generated.join(", ")} on this clone (generated, kept in ${localPath(LOCAL.generated)}); \`vault unlock\` writes it into the targets`);
  }
  if (r.rotated.length + r.unchanged.length > 0) {
    ctx.out.note(`${r.env}: new value for ${r.rotated.join(", ") || "nothing"}${r.unchanged.length > 0 ? ` (${r.unchanged.join(", ")} unchanged)` : ""}`);
  }
  ctx.out.result({ env: r.env, rotated: r.rotated, unchanged: r.unchanged, generated: r.generated });
}
