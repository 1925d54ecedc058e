import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { UsageError } from "../../errors.js";
import { fsError } from "../../io/files.js";
import { burnedOf, kindOf } from "../../vault/config.js";
import { exportAs, githubEnv, type ExportFormat } from "../../ops/formats.js";
import { readVisible } from "../../ops/read.js";
import { keyringFor, openVault, whoAmI } from "../../ops/session.js";
import { chooseEnv, warnHidden, where } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  format: ExportFormat | "github";
  name?: string;
  namespace?: string;
}

export async function exportEnv(ctx: Context, args: Args): Promise<void> {
  const vault = await openVault(where(ctx));
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(where(ctx)));
  const visible = await readVisible(keyring, env);
  warnHidden(ctx, env, visible.hidden);
  const values = new Map([...visible.values].filter(([k]) => burnedOf(vault.config.data, k) === undefined).map(([k, r]) => [k, r.value]));
  if (args.format === "github" && !ctx.json) return exportGithub(ctx, values, (k) => kindOf(vault.config.data, k) !== "config");
  // Rendered in full before the first byte goes out: a failure prints nothing on stdout.
  const opts = { ...(args.name === undefined ? {} : { name: args.name }), ...(args.namespace === undefined ? {} : { namespace: args.namespace }) };
  ctx.out.raw(exportAs(ctx.json || args.format === "github" ? "json" : args.format, values, opts));
}

/** Masks on stdout for the runner, values appended to the file the runner names in $GITHUB_ENV. */
async function exportGithub(ctx: Context, values: ReadonlyMap<string, string>, isSecret: (k: string) => boolean): Promise<void> {
  const target = ctx.processEnv.GITHUB_ENV;
  if (target === undefined || target === "") {
    throw new UsageError("--format github writes to the file named by $GITHUB_ENV, which is not set", {
      hints: ["run it in a GitHub Actions step, or use --format dotenv / json"],
    });
  }
  const delimiter = (value: string) => {
    for (;;) {
      const d = `ENVVAULT_${randomBytes(12).toString("hex")}`;
      if (!value.includes(d)) return d;
    }
  };
  const { masks, env } = githubEnv(values, isSecret, delimiter);
  ctx.out.raw(masks);
  try {
    await appendFile(target, env);
  } catch (e) {
    throw fsError("append to", target, e);
  }
  ctx.out.note(`exported ${values.size} variables to $GITHUB_ENV`);
}
