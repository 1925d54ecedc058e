import { existsSync } from "node:fs";
import { join } from "node:path";
import { VaultError } from "../../errors.js";
import { VAULT_FILE } from "../../model/config.js";
import { defaultIdentityPath, writeIdentityFile } from "../../store/identity.js";
import { confirm } from "../../io/terminal.js";
import { type Adoption, planAdoption } from "../../app/adopt.js";
import { defaultMemberName, initVault } from "../../app/init.js";
import { whoAmI } from "../../app/session.js";
import { nowSeconds } from "../../app/write.js";
import { findGitRoot } from "../../store/root.js";
import { installHooks } from "../../git/hooks.js";
import { gitText } from "../../git/exec.js";
import { refreshFingerprints } from "../../app/fingerprints.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  env?: string[];
  name?: string;
  yes: boolean;
  hooks?: boolean;
  import?: boolean;
}

export async function init(ctx: Context, args: Args): Promise<void> {
  const root = findGitRoot(ctx.cwd) ?? ctx.cwd;
  if (findGitRoot(ctx.cwd) === undefined) ctx.out.warn(`${ctx.cwd} is not in a git repository; the vault is meant to be committed with your code`);
  let me;
  try {
    me = await whoAmI(depsOf(ctx));
  } catch (e) {
    if (!(e instanceof VaultError && e.code === "NO_IDENTITY") || ctx.identityFile !== undefined) throw e;
    const path = defaultIdentityPath(ctx.processEnv);
    await writeIdentityFile(path);
    ctx.out.note(`created your identity ${path} (mode 0600); back it up: without it you cannot read your secrets`);
    me = await whoAmI(depsOf(ctx));
  }
  const envs = args.env === undefined || args.env.length === 0 ? ["development"] : args.env.flatMap((e) => e.split(","));
  const member = args.name ?? defaultMemberName(ctx.processEnv);
  // An existing vault is refused by initVault; do not offer to adopt anything first.
  const fresh = !existsSync(join(root, VAULT_FILE));
  const adoption = args.import === false || !fresh ? undefined : await adopt(ctx, root, envs[0] ?? "development", args);
  const result = await initVault({ root, envs, member, recipients: me.recipients, ...(adoption === undefined ? {} : { adoption }), now: nowSeconds(ctx.processEnv) });
  ctx.out.note(`created .envvault/ in ${root} with ${result.envs.join(", ")}; you are member ${member}`);
  if (adoption !== undefined) await afterAdoption(ctx, root, adoption);
  if (args.hooks !== false && findGitRoot(ctx.cwd) !== undefined) {
    try {
      const hooks = await installHooks(root);
      ctx.out.note(`installed git hooks in ${hooks.where} (pre-commit, post-checkout, post-merge, post-rewrite) and the vault's merge driver; \`vault hooks uninstall\` removes them`);
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      ctx.out.warn(`git hooks were not installed: ${e.message}; \`vault hooks install\` retries`);
    }
  }
  ctx.out.note("next: `vault set KEY` to add a value, then `git add .envvault .gitignore .gitattributes && git commit`");
  ctx.out.result({
    root,
    environments: result.envs,
    member,
    recipient: me.recipients[0],
    files: result.files,
    adopted: adoption === undefined ? null : { targets: adoption.targets, required: adoption.required, layers: adoption.layers, imported: Object.fromEntries([...adoption.values].map(([e, v]) => [e, [...v.keys()].sort()])) },
  });
}

/**
 * Finds the env files already here and asks whether to adopt them: on a terminal, else only
 * with --yes or --import. Returns the adoption to carry out, or undefined.
 */
async function adopt(ctx: Context, root: string, defaultEnv: string, args: Args): Promise<Adoption | undefined> {
  const plan = await planAdoption(root, defaultEnv);
  const useful = plan.files.filter((f) => f.role.role !== "skipped");
  if (useful.length === 0) return undefined;
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
  if (!yes) {
    ctx.out.note("not imported (no terminal to ask; `vault init --yes` imports them); `vault import FILE --env ENV` imports one later");
    return undefined;
  }
  return plan;
}

/** Tells what adoption leaves to do: files git still tracks, and the fingerprint cache. */
async function afterAdoption(ctx: Context, root: string, a: Adoption): Promise<void> {
  const imported = [...a.values.values()].reduce((n, v) => n + v.size, 0);
  ctx.out.note(`imported ${imported} value${imported === 1 ? "" : "s"} into ${[...a.values.keys()].join(", ")}; targets: ${a.targets.map((t) => t.path).join(", ")}`);
  const paths = a.targets.map((t) => t.path);
  const tracked = findGitRoot(root) === undefined || paths.length === 0 ? "" : await gitText(["ls-files", "-z", "--", ...paths], { cwd: root, allowFail: true }).catch(() => "");
  const list = tracked.split("\0").filter((p) => p !== "");
  if (list.length > 0) {
    ctx.out.warn(`git still tracks ${list.join(", ")}: its plaintext values are in your history; run \`git rm --cached ${list.join(" ")}\`, commit, and change those secrets at their providers`);
  }
  await refreshFingerprints(root, depsOf(ctx), a.values).catch((e: Error) => ctx.out.warn(`the pre-commit hook's fingerprint cache was not updated: ${e.message}`));
}
