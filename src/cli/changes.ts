/** How the git commands (log, diff, status, sync) show a key-level change of the vault. */
import type { EnvChange } from "../model/changes.js";
import { summary } from "./common.js";

/** `+A ~B -C`, plus re-keyed scopes (rotations). */
export function changeText(c: EnvChange): string {
  const keys = summary(c.added, c.changed, c.removed);
  const parts = keys !== "no change" || c.rekeyed.length === 0 ? [keys] : [];
  if (c.rekeyed.length > 0) parts.push(`(new key: ${c.rekeyed.join(", ")})`);
  return parts.join(" ");
}
