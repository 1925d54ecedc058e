/**
 * Where vault files are read from: the work tree (each file reached without passing a
 * symlink) or a git revision (git/revision.ts).
 */
import { readdir } from "node:fs/promises";
import { decodeText } from "../io/atomic.js";
import { checkInside, readInside } from "../io/confine.js";
import { ENVS_DIR } from "../model/layout.js";

/** A tree of vault files. */
export interface VaultSource {
  /** File text, or undefined when the file does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Names of entries in a directory (empty when missing). */
  list(dir: string): Promise<string[]>;
  describe(path: string): string;
}

/** The vault files of the work tree, each reached without passing a symlink (io/confine.ts). */
export function workTree(root: string): VaultSource {
  return {
    async read(path) {
      const found = await readInside(root, path);
      return found === undefined ? undefined : decodeText(found.bytes, path);
    },
    async list(dir) {
      try {
        return (await readdir(await checkInside(root, dir, dir, { file: false }))).sort();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
    },
    describe: (path) => path,
  };
}

/**
 * Every environment file a source holds (`.envvault/envs/*.env`, whatever vault.yaml lists):
 * environment → text. For scanning (the pre-commit hook, status, diff), not for reading values.
 */
export async function envTexts(source: VaultSource): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await source.list(ENVS_DIR)) {
    if (!name.endsWith(".env")) continue;
    const text = await source.read(`${ENVS_DIR}/${name}`);
    if (text !== undefined) out.set(name.slice(0, -4), text);
  }
  return out;
}
