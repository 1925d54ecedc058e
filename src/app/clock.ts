/** The time a vault file records an event at (exposed.json's `since`, a burned variable's `at`). */
import { nowSeconds } from "../io/seams.js";

/** Now (`ENVVAULT_NOW` fixes it, see {@link nowSeconds}) as ISO 8601 text to the second, UTC. */
export function recordedNow(env: NodeJS.ProcessEnv): string {
  return new Date(nowSeconds(env) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
