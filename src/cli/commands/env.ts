import { UsageError } from "../../errors.js";
import { addEnvironment } from "../../app/env-add.js";
import { listEnvironments } from "../../app/env-list.js";
import { assertName } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  action: "add" | "list";
  name?: string;
  extends?: string;
}

/** `vault env add NAME [--extends BASE]`, `vault env list`. */
export async function env(ctx: Context, args: Args): Promise<void> {
  if (args.action === "add") return add(ctx, args);
  return list(ctx);
}

async function add(ctx: Context, args: Args): Promise<void> {
  if (args.name === undefined) throw new UsageError("`vault env add` needs the name of the environment", { hints: ["e.g. `vault env add staging --extends production`"] });
  const name = assertName("environment", args.name);
  await addEnvironment(depsOf(ctx), { name, ...(args.extends === undefined ? {} : { extends: args.extends }) });
  ctx.out.note(`added environment ${name}${args.extends === undefined ? "" : ` (extends ${args.extends})`}; you can read it, others need \`vault grant\``);
  ctx.out.result({ env: name, extends: args.extends ?? null });
}

async function list(ctx: Context): Promise<void> {
  const { environments: rows, warnings } = await listEnvironments(depsOf(ctx));
  for (const w of warnings) ctx.out.warn(w);
  if (ctx.json) return ctx.out.result({ environments: rows });
  ctx.out.data(
    rows
      .map((r) => `${r.inUse ? "*" : " "} ${r.env}${r.extends ? ` (extends ${r.extends})` : ""}  ${r.variables} variable${r.variables === 1 ? "" : "s"}${r.readable ? "" : "  [write-only]"}`)
      .join("\n"),
  );
}
