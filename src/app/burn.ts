/** `vault burn KEY`: a variable marked do-not-use in vault.yaml (kept for history, removed from targets, refused by `run`). */
import { UsageError } from "../errors.js";
import { burnedOf, envNames, VAULT_FILE } from "../model/config.js";
import { editYaml } from "../model/yamlfile.js";
import { findVaultRoot } from "../store/root.js";
import { transaction } from "../store/transaction.js";
import { recordedNow } from "./clock.js";
import { type Deps, signingFor } from "./session.js";

/** Burns `key`, which some environment must hold, recording when and, if given, why. */
export async function burn(deps: Deps, o: { key: string; reason?: string }): Promise<void> {
  const at = recordedNow(deps.processEnv);
  await transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    const cfg = vault.config.data;
    if (burnedOf(cfg, o.key) !== undefined) throw new UsageError(`${o.key} is already burned`);
    let known = false;
    for (const env of envNames(cfg)) known ||= (await vault.envFile(env)).values.has(o.key);
    if (!known) throw new UsageError(`no environment has a variable ${o.key}`, { data: { key: o.key }, hints: ["`vault list` shows the variables"] });
    const config = editYaml(vault.config, "vault", (doc) => {
      if (doc.getIn(["variables"]) == null) doc.setIn(["variables"], doc.createNode({}));
      if (doc.getIn(["variables", o.key]) == null) doc.setIn(["variables", o.key], doc.createNode({}));
      doc.setIn(["variables", o.key, "burned"], doc.createNode(o.reason === undefined ? { at } : { reason: o.reason, at }, { flow: true }));
    });
    return { changes: new Map([[VAULT_FILE, String(config.doc)]]), result: undefined };
  });
}
