/** `vault keygen`, and `vault init` for a person without one: a new age identity file. */
import { resolve } from "node:path";
import { defaultIdentityPath, writeIdentityFile } from "../store/identity.js";
import type { Deps } from "./session.js";

/** Writes a new identity (mode 0600) to `out` (relative to the working directory), else to the default identity file. */
export async function makeIdentity(deps: Deps, o: { out?: string }): Promise<{ path: string; recipient: string; signingKey: string }> {
  const path = o.out === undefined ? defaultIdentityPath(deps.processEnv) : resolve(deps.cwd, o.out);
  const { recipient, signingKey } = await writeIdentityFile(path);
  return { path, recipient, signingKey };
}
