import { UsageError } from "../../errors.js";
import { burnedOf, envNames, VAULT_FILE } from "../../model/config.js";
import { assertKey } from "../../model/names.js";
import { editYaml } from "../../model/yamlfile.js";
import { findVaultRoot } from "../../store/root.js";
import { transaction } from "../../store/transaction.js";
import { nowSeconds } from "../../app/write.js";
import type { Context } from "../context.js";

/** Marks a variable do-not-use: kept for history, removed from targets, refused by `run`. */
export async function burn(ctx: Context, args: { key: string; reason?: string }): Promise<void> {
  const key = assertKey(args.key);
  const at = new Date(nowSeconds(ctx.processEnv) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    const cfg = vault.config.data;
    if (burnedOf(cfg, key) !== undefined) throw new UsageError(`${key} is already burned`);
    let known = false;
    for (const env of envNames(cfg)) known ||= (await vault.envFile(env)).values.has(key);
    if (!known) throw new UsageError(`no environment has a variable ${key}`, { data: { key }, hints: ["`vault list` shows the variables"] });
    const config = editYaml(vault.config, "vault", (doc) => {
      if (doc.getIn(["variables"]) == null) doc.setIn(["variables"], doc.createNode({}));
      if (doc.getIn(["variables", key]) == null) doc.setIn(["variables", key], doc.createNode({}));
      doc.setIn(["variables", key, "burned"], doc.createNode(args.reason === undefined ? { at } : { reason: args.reason, at }, { flow: true }));
    });
    return { changes: new Map([[VAULT_FILE, String(config.doc)]]), result: undefined };
  });
  ctx.out.note(`burned ${key}: the next \`vault unlock\` removes it from targets, and \`vault run\` no longer injects it`);
  ctx.out.result({ key, burned: true });
}
