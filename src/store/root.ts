import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { VaultError } from "../errors.js";

export const VAULT_DIR = ".envvault";
export const LOCAL_DIR = ".envvault.local";

function up(start: string, found: (dir: string) => boolean): string | undefined {
  let dir = start;
  for (;;) {
    if (found(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The nearest directory at or above `cwd` holding `.envvault/vault.yaml`. */
export function findVaultRoot(cwd: string): string {
  const root = up(cwd, (d) => existsSync(join(d, VAULT_DIR, "vault.yaml")));
  if (root === undefined) {
    throw new VaultError("NOT_FOUND", `no vault in ${cwd} or any parent directory`, {
      hints: ["run `vault init` at the root of your repository to create one", "or pass --cwd DIR to point at a repository that has a .envvault/ directory"],
    });
  }
  return root;
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
