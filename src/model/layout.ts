/**
 * Where every file of `.envvault/` (committed) and `.envvault.local/` (this clone's own) lives,
 * as paths relative to the vault root. Every other module names these files through here.
 */
import { scopeKeyDir } from "./names.js";

export const VAULT_DIR = ".envvault";
export const LOCAL_DIR = ".envvault.local";

export const VAULT_FILE = `${VAULT_DIR}/vault.yaml`;
export const ROSTER_FILE = `${VAULT_DIR}/roster.yaml`;
export const EXPOSED_FILE = `${VAULT_DIR}/exposed.json`;
export const CHAIN_FILE = `${VAULT_DIR}/chain`;
export const ENVS_DIR = `${VAULT_DIR}/envs`;
export const KEYS_DIR = `${VAULT_DIR}/keys`;

/** `.envvault/envs/<env>.env`. */
export const envPath = (env: string): string => `${ENVS_DIR}/${env}.env`;

/** `.envvault/keys/<env>` or `.envvault/keys/<env>.<name>`: the key files of a scope. */
export const keyDir = (scope: string): string => `${KEYS_DIR}/${scopeKeyDir(scope)}`;

/** `.envvault/keys/<scope dir>/<member>.age`. */
export const keyPath = (scope: string, member: string): string => `${keyDir(scope)}/${member}.age`;

/** The files of `.envvault.local/`, by name inside it. */
export const LOCAL = {
  state: "state.json",
  /** Touched by every unlock: the reference-transaction hook runs vault only for vault files newer than it. */
  unlocked: "unlocked",
  stateKey: "state.key",
  generated: "generated.json",
  fingerprints: "fingerprints.bin",
  /** The fingerprint cache of version 1, replaced by `fingerprints`. */
  fingerprintsV1: "fingerprints.json",
  yamlCache: "yaml-cache.json",
  journal: "journal.json",
  lock: "lock",
  backups: "backups",
} as const;

/** `.envvault.local/trust-<id>.json` and `yaml-cache-<id>.json`: caches of one identity (docs/FORMAT.md §6, §13). */
export const trustCacheName = (id: string): string => `trust-${id}.json`;
export const yamlCacheName = (id: string): string => `yaml-cache-${id}.json`;

/** `.envvault.local/<name>`. */
export const localPath = (name: string): string => `${LOCAL_DIR}/${name}`;

/** The `.gitignore` patterns of `.envvault.local/` and of the temp files of vault writes. */
export const IGNORED = [`/${LOCAL_DIR}/`, `/${VAULT_DIR}/**/.*.tmp`] as const;

/** The scope and member of a key file's path (the inverse of {@link keyPath}), or undefined for any other path. */
export function keyFileOf(path: string): { scope: string; member: string } | undefined {
  const m = /^\.envvault\/keys\/([^/]+)\/([^/]+)\.age$/.exec(path);
  if (m === null) return undefined;
  const scope = m[1]!.replace(".", ":");
  try {
    return keyPath(scope, m[2]!) === path ? { scope, member: m[2]! } : undefined;
  } catch {
    return undefined; // not a scope's directory
  }
}
