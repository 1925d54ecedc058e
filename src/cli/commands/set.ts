import { UsageError } from "../../errors.js";
import { promptHidden } from "../../io/terminal.js";
import { burnedOf, kindOf, type Kind } from "../../model/config.js";
import { printEnvFile } from "../../model/envfile.js";
import { assertKey } from "../../model/names.js";
import { Vault } from "../../store/vault.js";
import { optionalKeyring } from "../../app/session.js";
import { transaction, type Changes } from "../../store/transaction.js";
import { stillExposed, updateExposures } from "../../store/exposures.js";
import { applyUpdates, nowSeconds, type Update } from "../../app/write.js";
import { chooseEnv, readStdin, summary, depsOf } from "../common.js";
import type { Context } from "../context.js";
import { findVaultRoot } from "../../store/root.js";
import { refreshFingerprints } from "../../app/fingerprints.js";
import { envFileForSet } from "../../app/settle.js";

interface Args {
  assignments: string[];
  stdin: boolean;
  kind?: Kind;
  scope?: string;
}

export async function set(ctx: Context, args: Args): Promise<void> {
  const root = findVaultRoot(ctx.cwd);
  const bare = args.assignments.filter((a) => !a.includes("="));
  if (args.stdin && bare.length !== 1) {
    throw new UsageError("--stdin reads the value of exactly one KEY given without =VALUE", {
      hints: ["e.g. `printf %s \"$TOKEN\" | vault set API_TOKEN --stdin`"],
    });
  }
  const updates: Update[] = [];
  let fromArgv: string[] = [];
  let burnedKeys: string[] = [];
  for (const a of args.assignments) {
    const eq = a.indexOf("=");
    const key = assertKey(eq < 0 ? a : a.slice(0, eq));
    let value: string;
    if (eq >= 0) {
      value = a.slice(eq + 1);
      fromArgv.push(key);
    } else if (args.stdin) {
      value = (await readStdin(ctx.stdin)).replace(/\r?\n$/, "");
    } else if (ctx.interactive) {
      value = await promptHidden(`value for ${key}: `);
    } else {
      throw new UsageError(`no value for ${key}`, {
        data: { key },
        hints: [`give it as ${key}=VALUE, pipe it with --stdin, or run in a terminal to be asked`],
      });
    }
    if (value.includes("\0")) {
      throw new UsageError(`the value of ${key} contains a NUL byte, which no environment variable can hold`, { data: { key } });
    }
    updates.push({ key, value, ...(args.scope === undefined ? {} : { scope: args.scope }) });
  }
  const seen = new Set<string>();
  for (const u of updates) {
    if (seen.has(u.key)) throw new UsageError(`${u.key} is given twice`, { data: { key: u.key } });
    seen.add(u.key);
  }

  const result = await transaction(root, async (vault) => {
    const env = await chooseEnv(vault, ctx);
    const keyring = await optionalKeyring(vault, depsOf(ctx));
    const file = await envFileForSet(vault, env, updates.map((u) => u.key));
    // --scope payments means the payments scope of this environment.
    const scoped = updates.map((u) => (u.scope === undefined || u.scope.includes(":") ? u : { ...u, scope: `${env}:${u.scope}` }));
    const written = await applyUpdates(keyring, file, scoped, [], nowSeconds(ctx.processEnv));
    burnedKeys = updates.map((u) => u.key).filter((k) => burnedOf(vault.config.data, k) !== undefined);
    const changes: Changes = new Map([[Vault.envPath(env), printEnvFile(written.file)]]);
    await updateExposures(vault, changes, [], stillExposed(written.file.values, env));
    if (args.kind !== undefined) {
      const doc = vault.config.doc;
      let changed = false;
      for (const u of updates) {
        if (kindOf(vault.config.data, u.key) === args.kind && vault.config.data.variables?.[u.key]?.kind !== undefined) continue;
        if (!doc.hasIn(["variables"]) || doc.getIn(["variables"]) === null) doc.setIn(["variables"], doc.createNode({}));
        if (doc.getIn(["variables", u.key]) == null) doc.setIn(["variables", u.key], doc.createNode({}));
        doc.setIn(["variables", u.key, "kind"], args.kind);
        changed = true;
      }
      if (changed) changes.set(vault.config.file, String(doc));
    }
    fromArgv = fromArgv.filter((k) => (args.kind ?? kindOf(vault.config.data, k)) === "secret");
    return { changes, result: { env, ...written, file: undefined, writeOnly: keyring === undefined } };
  });
  const known = new Map([[result.env, new Map(updates.map((u) => [u.key, u.value]))]]);
  await refreshFingerprints(root, depsOf(ctx), known).catch((e: Error) => ctx.out.warn(`the pre-commit hook's fingerprint cache was not updated: ${e.message}`));
  if (burnedKeys.length > 0) ctx.out.warn(`${burnedKeys.join(", ")} is burned: the value is stored, but unlock and run keep leaving it out`);
  if (fromArgv.length > 0) {
    ctx.out.warn(`the value of ${fromArgv.join(", ")} was given on the command line, so it may be in your shell history; next time use \`vault set KEY\` (hidden prompt) or --stdin`);
  }
  ctx.out.note(`${result.env}: ${summary(result.added, result.changed, [])}${result.unchanged.length > 0 ? ` (${result.unchanged.length} unchanged)` : ""}`);
  ctx.out.result({ env: result.env, added: result.added, changed: result.changed, unchanged: result.unchanged });
}
