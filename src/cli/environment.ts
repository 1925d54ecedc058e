import { generatedValues } from "../ops/generated.js";
import { type Resolved, resolveEnv, vaultLayers } from "../ops/layers.js";
import type { Keyring } from "../ops/keyring.js";
import { keyringFor, openVault, whoAmI } from "../ops/session.js";
import type { Vault } from "../store/vault.js";
import type { VaultConfig } from "../vault/config.js";
import { chooseEnv, warnHidden, where } from "./common.js";
import type { Context } from "./context.js";
import { reportFiles } from "./explain.js";

export interface ReadEnvironment {
  /** The context whose values override the environment's (`--context`). */
  context?: string;
  /** Keep generated values made now in this clone's state (false for a dry look). */
  saveGenerated: boolean;
  /** Put the process environment on top, as `vault run` does for its child. */
  processLayer: boolean;
}

/**
 * The environment in use, through every layer of DESIGN §5, as `run` and `export` read it:
 * scopes this reader cannot open are warned about, env_file reports printed.
 */
export async function readEnvironment(
  ctx: Context,
  o: ReadEnvironment,
): Promise<{ vault: Vault; cfg: VaultConfig; env: string; keyring: Keyring; resolved: Resolved }> {
  const vault = await openVault(where(ctx));
  const cfg = vault.config.data;
  const env = await chooseEnv(vault, ctx);
  const keyring = await keyringFor(vault, await whoAmI(where(ctx)));
  const side = await vaultLayers(keyring, env);
  warnHidden(ctx, env, side.hidden);
  const generated = await generatedValues(vault.root, cfg, { save: o.saveGenerated, locked: false });
  const resolved = await resolveEnv({
    root: vault.root,
    cfg,
    env,
    vault: side,
    generated,
    ...(o.context === undefined ? {} : { context: o.context }),
    ...(o.processLayer ? { processEnv: ctx.processEnv } : {}),
    lookup: ctx.processEnv,
  });
  reportFiles(ctx, resolved);
  return { vault, cfg, env, keyring, resolved };
}
