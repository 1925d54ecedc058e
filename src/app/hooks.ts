/** `vault hooks install|uninstall|refresh`: envvault's git hooks, merge driver and diff converter, and the pre-commit hook's fingerprint cache. */
import { type InstallReport, installHooks, type UninstallReport, uninstallHooks } from "../git/hooks.js";
import { findVaultRoot } from "../store/root.js";
import { refreshFingerprints, type RefreshReport } from "./fingerprints.js";
import type { Deps } from "./session.js";

/** Installs the hooks (husky's when the repository uses husky), the merge driver, the diff converter and `.gitattributes`' line. */
export function install(deps: Deps): Promise<InstallReport> {
  return installHooks(deps.cwd);
}

/** Removes what {@link install} added; `.gitattributes`, being committed, stays. */
export function uninstall(deps: Deps): Promise<UninstallReport> {
  return uninstallHooks(deps.cwd);
}

/**
 * Rebuilds the fingerprint cache with the reader's identity, reading every env-file version
 * of the history again; scopes it cannot read are listed once each, sorted.
 */
export async function refresh(deps: Deps): Promise<RefreshReport> {
  const r = await refreshFingerprints(findVaultRoot(deps.cwd), deps, undefined, { full: true });
  return { ...r, unreadable: [...new Set(r.unreadable)].sort() };
}
