/** `run --explain KEY` and `unlock --explain KEY`: every layer that sets a key, and which one wins. Writes nothing. */
import type { VaultConfig } from "../model/config.js";
import { type Explanation, explain } from "../model/layers.js";
import { readEnvironment, type ResolvedEnvironment } from "./environment.js";
import { ownValues } from "./read.js";
import type { Deps, Reading } from "./session.js";

export interface Explained {
  cfg: VaultConfig;
  explanation: Explanation;
  reading: Reading;
  resolved: ResolvedEnvironment;
}

/** Where the environment in use takes `key` from, as `vault run` would see it. */
export async function explainKey(deps: Deps, o: { key: string; context?: string }): Promise<Explained> {
  const { reading, resolved } = await readEnvironment(deps, { ...(o.context === undefined ? {} : { context: o.context }), saveGenerated: false, processLayer: true });
  const cfg = reading.vault.config.data;
  return { cfg, explanation: explain(cfg, resolved, o.key, await ownValues(reading.keyring, reading.env, o.key)), reading, resolved };
}
