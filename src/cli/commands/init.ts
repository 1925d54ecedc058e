import { confirm } from "../../io/terminal.js";
import type { Adoption } from "../../app/adopt.js";
import { prepareInit } from "../../app/init.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  env?: string[];
  name?: string;
  yes: boolean;
  hooks?: boolean;
  import?: boolean;
}

/** `vault init`: the vault, and what adopting the env files found here does, asked before it is done. */
export async function init(ctx: Context, args: Args): Promise<void> {
  const envs = args.env === undefined || args.env.length === 0 ? ["development"] : args.env.flatMap((e) => e.split(","));
  const prepared = await prepareInit(depsOf(ctx), { envs, ...(args.name === undefined ? {} : { member: args.name }), adopt: args.import !== false, hooks: args.hooks !== false });
  if (!prepared.inGit) ctx.out.warn(`${ctx.cwd} is not in a git repository; the vault is meant to be committed with your code`);
  if (prepared.createdIdentity !== undefined) ctx.out.note(`created your identity ${prepared.createdIdentity} (mode 0600); back it up: without it you cannot read your secrets`);
  const adopt = prepared.adoption !== undefined && (await askAdoption(ctx, prepared.adoption, envs[0] ?? "development", args));
  const r = await prepared.create({ adopt });
  ctx.out.note(`created .envvault/ in ${r.root} with ${r.envs.join(", ")}; you are member ${r.member}`);
  const a = r.adopted;
  if (a !== undefined) {
    const imported = [...a.values.values()].reduce((n, v) => n + v.size, 0);
    ctx.out.note(`imported ${imported} value${imported === 1 ? "" : "s"} into ${[...a.values.keys()].join(", ")}; targets: ${a.targets.map((t) => t.path).join(", ")}`);
  }
  if (r.tracked.length > 0) {
    ctx.out.warn(`git still tracks ${r.tracked.join(", ")}: its plaintext values are in your history; run \`git rm --cached ${r.tracked.join(" ")}\`, commit, and change those secrets at their providers`);
  }
  for (const w of r.warnings) ctx.out.warn(w);
  if (r.hooks !== undefined) {
    if ("where" in r.hooks) ctx.out.note(`installed git hooks in ${r.hooks.where} (pre-commit, post-checkout, post-merge, post-rewrite, post-commit, reference-transaction) and the vault's merge driver; \`vault hooks uninstall\` removes them`);
    else ctx.out.warn(`git hooks were not installed: ${r.hooks.error.message}; \`vault hooks install\` retries`);
  }
  ctx.out.note("next: `vault set KEY` to add a value, then `git add .envvault .gitignore .gitattributes && git commit`");
  ctx.out.result({
    root: r.root,
    environments: r.envs,
    member: r.member,
    recipient: r.recipient,
    files: r.files,
    adopted: a === undefined ? null : { targets: a.targets, required: a.required, layers: a.layers, imported: Object.fromEntries([...a.values].map(([e, v]) => [e, [...v.keys()].sort()])) },
  });
}

/**
 * Shows the env files found and what adopting them does, then asks: on a terminal, else
 * only `--yes` or `--import` adopts them.
 */
async function askAdoption(ctx: Context, plan: Adoption, defaultEnv: string, args: Args): Promise<boolean> {
  const useful = plan.files.filter((f) => f.role.role !== "skipped");
  const lines = [`found ${useful.length} env file${useful.length === 1 ? "" : "s"}:`];
  const width = Math.max(...plan.files.map((f) => f.path.length));
  for (const f of plan.files) {
    const r = f.role;
    const n = `${f.keys.length} variable${f.keys.length === 1 ? "" : "s"}`;
    const target = plan.targets.find((t) => t.path === f.path);
    const what =
      r.role === "values"
        ? `import ${n} into ${r.env ?? defaultEnv}${target === undefined ? "" : `; stays as a target${target.keys === undefined ? "" : " of its own keys"}`}`
        : r.role === "definitions"
          ? `variable definitions: ${n} required`
          : r.role === "layer"
            ? "env_file layer (stays plaintext)"
            : `skipped: ${r.why}`;
    lines.push(`  ${f.path.padEnd(width)}  ${what}`);
    for (const w of f.warnings) lines.push(`  ${" ".repeat(width)}  ${w}`);
  }
  for (const c of plan.conflicts) lines.push(`  ${c.env}: ${c.key} differs between ${c.kept} and ${c.ignored}; ${c.kept}'s value is imported`);
  ctx.out.note(lines.join("\n"));
  let yes = args.yes || args.import === true;
  if (!yes && ctx.interactive) yes = await confirm("import them into the vault (the files stay, as targets)?", true);
  if (!yes) ctx.out.note("not imported (no terminal to ask; `vault init --yes` imports them); `vault import FILE --env ENV` imports one later");
  return yes;
}
