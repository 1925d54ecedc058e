/**
 * Where a vault lives, one rule for every command, hook and the library: at the top of the
 * git work tree around the working directory (the directory holding `.git`), which is where
 * `vault init` puts it and where git's hooks, merge driver and `.gitattributes` look. Outside
 * git, in the nearest directory at or above the working directory that holds one. A vault
 * below the top of a work tree is refused with the way out: the hooks would never see it.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { UsageError, VaultError } from "../errors.js";
import { VAULT_DIR, VAULT_FILE } from "../model/layout.js";

export { LOCAL_DIR, VAULT_DIR } from "../model/layout.js";

function up(start: string, found: (dir: string) => boolean, stop?: string): string | undefined {
  let dir = start;
  for (;;) {
    if (found(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir || dir === stop) return undefined;
    dir = parent;
  }
}

const holdsVault = (d: string) => existsSync(join(d, VAULT_FILE));

/**
 * The vault root for a command started in `cwd` (see the module's comment).
 *
 * @throws VaultError NOT_FOUND when there is none; UsageError when the only one is below the
 *   top of the git work tree.
 */
export function findVaultRoot(cwd: string): string {
  const top = findGitRoot(cwd);
  if (top !== undefined) {
    if (holdsVault(top)) return top;
    const below = up(cwd, holdsVault, top);
    if (below !== undefined) {
      const rel = relative(top, below);
      throw new UsageError(`the vault in ${rel}/${VAULT_DIR} is below the top of the git work tree (${top}); a vault lives at the top, where git's hooks and merge driver find it`, {
        data: { file: join(rel, VAULT_FILE) },
        hints: [`move it to the top: \`git mv ${rel}/${VAULT_DIR} ${VAULT_DIR}\` (and the targets in its vault.yaml with it), then \`vault hooks install\``],
      });
    }
  } else {
    const found = up(cwd, holdsVault);
    if (found !== undefined) return found;
  }
  throw new VaultError("NOT_FOUND", `no vault in ${top ?? cwd}${top === undefined ? " or any parent directory" : " (the top of its git work tree)"}`, {
    hints: ["run `vault init` at the root of your repository to create one", "or pass --cwd DIR to point at a repository that has a .envvault/ directory"],
  });
}

/** The vault root if there is one, else undefined (for hooks, which do nothing without a vault). */
export function vaultRootOrNone(cwd: string): string | undefined {
  try {
    return findVaultRoot(cwd);
  } catch (e) {
    if (e instanceof VaultError && e.code === "NOT_FOUND") return undefined;
    throw e;
  }
}

/** The top of the git work tree around `cwd` (a `.git` directory or file), if any. */
export function findGitRoot(cwd: string): string | undefined {
  return up(cwd, (d) => {
    try {
      statSync(join(d, ".git"));
      return true;
    } catch {
      return false;
    }
  });
}
