/** `vault use`: this clone's choice of the environment its commands work on. */
import { NotARecipient } from "../errors.js";
import { envNames, requireEnv } from "../model/config.js";
import { withRepoLock } from "../store/local.js";
import { loadState, saveState } from "../store/state.js";
import { type Deps, keyringFor, openVault, whoAmI } from "./session.js";

/**
 * Records `env` in this clone's state, under the repository lock (an unlock running
 * meanwhile saves the state too). Only an environment the reader can open may be chosen.
 *
 * @throws NotARecipient naming the environments the reader can read.
 */
export async function useEnvironment(deps: Deps, o: { env: string }): Promise<{ env: string }> {
  const vault = await openVault(deps);
  const env = requireEnv(vault.config.data, o.env);
  const keyring = keyringFor(vault, await whoAmI(deps));
  const readable: string[] = [];
  for (const e of envNames(vault.config.data)) {
    if (await keyring.canRead(await vault.envFile(e), e)) readable.push(e);
  }
  if (!readable.includes(env)) {
    throw new NotARecipient(`you cannot read environment ${env}`, {
      data: { env },
      hints: [readable.length > 0 ? `environments you can read: ${readable.join(", ")}` : "you can read no environment yet", `ask a member who can read it to run \`vault grant <you> ${env}\``],
    });
  }
  await withRepoLock(vault.root, async () => {
    const state = await loadState(vault.root);
    state.env = env;
    await saveState(vault.root, state);
  });
  return { env };
}
