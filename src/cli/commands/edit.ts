import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidFile, VaultError } from "../../errors.js";
import { readText } from "../../io/atomic.js";
import { exportAs, importFrom } from "../../ops/formats.js";
import { readVisible } from "../../ops/read.js";
import { keyringFor, whoAmI } from "../../ops/session.js";
import { transaction } from "../../ops/transaction.js";
import { stillExposed, updateExposures } from "../../ops/exposed.js";
import { applyUpdates, nowSeconds } from "../../ops/write.js";
import { printEnvFile } from "../../vault/envfile.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { summarizeChanges } from "../../io/diff.js";
import { chooseEnv, summary, where } from "../common.js";
import type { Context } from "../context.js";

function runEditor(editor: string, file: string): Promise<number> {
  // Through sh so that EDITOR may carry arguments ("code --wait"); the path goes as $1, unparsed.
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", `${editor} "$1"`, "sh", file], { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

/**
 * Opens the environment's own values in $EDITOR (a 0600 file in a private 0700 directory,
 * removed afterwards whatever happens) and seals only the keys that changed.
 */
export async function edit(ctx: Context): Promise<void> {
  const root = findVaultRoot(ctx.cwd);
  const editor = ctx.processEnv.VISUAL || ctx.processEnv.EDITOR || "vi";
  const me = await whoAmI(where(ctx));
  const vault = await Vault.load(root);
  const env = await chooseEnv(vault, ctx);
  // Values of scopes you cannot read are not shown, so they cannot be deleted by mistake either.
  const own = new Map([...(await readVisible(await keyringFor(vault, me), env)).values].filter(([, r]) => r.env === env).map(([k, r]) => [k, r.value]));
  // The editor runs outside the vault lock: others may set other keys meanwhile, and only
  // the keys changed here are written afterwards.
  const edited = await editInPrivate(editor, env, own);
  const change = summarizeChanges(own, edited);
  const updates = [...change.added, ...change.changed].map((key) => ({ key, value: edited.get(key) ?? "" }));
  if (updates.length > 0 || change.removed.length > 0) {
    await transaction(root, async (latest) => {
      const file = await latest.envFile(env);
      const removals = change.removed.filter((k) => file.values.has(k));
      const written = await applyUpdates(await keyringFor(latest, me), file, updates, removals, nowSeconds(ctx.processEnv));
      const changes = new Map<string, string | null>([[Vault.envPath(env), printEnvFile(written.file)]]);
      await updateExposures(latest, changes, [], stillExposed(written.file.values, env));
      return { changes, result: undefined };
    });
  }
  ctx.out.note(`${env}: ${summary(change.added, change.changed, change.removed)}`);
  ctx.out.result({ env, ...change });
}

async function editInPrivate(editor: string, env: string, values: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), "envvault-edit-"));
  try {
    const file = join(dir, `${env}.env`);
    const header = `# ${env}: edit, save and quit; lines you delete are removed from the vault\n`;
    await writeFile(file, header + exportAs("dotenv", values), { mode: 0o600 });
    const code = await runEditor(editor, file);
    if (code !== 0) throw new VaultError("FAILURE", `the editor (${editor}) exited with ${code}; nothing was changed`);
    try {
      return importFrom("dotenv", await readText(file), `${env}.env (edited)`);
    } catch (e) {
      if (e instanceof InvalidFile) throw new InvalidFile(`${e.message}; nothing was changed`, { data: e.data, hints: ["run `vault edit` again and fix that line"] });
      throw e;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
