import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { InvalidFile } from "../errors.js";
import { readText } from "../io/atomic.js";
import { recoverBeforeRead } from "./journal.js";
import { type Exposure, type VaultConfig, VAULT_FILE } from "../vault/config.js";
import { type EnvFile, emptyEnvFile, parseEnvFile } from "../vault/envfile.js";
import { EXPOSED_FILE, parseExposures } from "../vault/exposure.js";
import { checkRoster, type Roster, ROSTER_FILE } from "../vault/roster.js";
import { scopeKeyDir } from "../vault/names.js";
import { loadYaml, type YamlFile } from "../vault/yamlfile.js";

/** Where vault files are read from: the work tree, or (later) a git revision. */
export interface VaultSource {
  /** File text, or undefined when the file does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Names of entries in a directory (empty when missing). */
  list(dir: string): Promise<string[]>;
  describe(path: string): string;
}

export function workTree(root: string): VaultSource {
  return {
    async read(path) {
      try {
        return await readText(join(root, path));
      } catch (e) {
        if ((e as { code?: unknown }).code === "NOT_FOUND") return undefined; // readText reports ENOENT as VaultError NOT_FOUND
        throw e;
      }
    },
    async list(dir) {
      try {
        return (await readdir(join(root, dir))).sort();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
    },
    describe: (path) => path,
  };
}

/** A loaded vault: its two YAML files and, on demand, environment and key files. */
export class Vault {
  private readonly envs = new Map<string, EnvFile>();

  constructor(
    readonly root: string,
    readonly source: VaultSource,
    readonly config: YamlFile<VaultConfig>,
    readonly roster: YamlFile<Roster>,
  ) {}

  static async load(root: string, source?: VaultSource): Promise<Vault> {
    if (source === undefined) {
      await recoverBeforeRead(root);
      source = workTree(root);
    }
    const [vaultText, rosterText] = await Promise.all([source.read(VAULT_FILE), source.read(ROSTER_FILE)]);
    for (const [file, text] of [[VAULT_FILE, vaultText], [ROSTER_FILE, rosterText]] as const) {
      if (text === undefined) {
        throw new InvalidFile(`${source.describe(file)} is missing`, {
          data: { file },
          hints: ["restore it with git checkout -- " + file, "or create a new vault with `vault init`"],
        });
      }
    }
    const config = loadYaml<VaultConfig>(vaultText ?? "", VAULT_FILE, "vault");
    const roster = loadYaml<Roster>(rosterText ?? "", ROSTER_FILE, "roster");
    checkRoster(roster.data);
    return new Vault(root, source, config, roster);
  }

  static envPath(env: string): string {
    return `.envvault/envs/${env}.env`;
  }

  static keyPath(scope: string, member: string): string {
    return `.envvault/keys/${scopeKeyDir(scope)}/${member}.age`;
  }

  /** The environment file; an environment declared in vault.yaml without a file is an error. */
  async envFile(env: string): Promise<EnvFile> {
    const cached = this.envs.get(env);
    if (cached !== undefined) return cached;
    const path = Vault.envPath(env);
    const text = await this.source.read(path);
    if (text === undefined) {
      throw new InvalidFile(`${this.source.describe(path)} is missing for environment ${env}`, {
        data: { file: path, env },
        hints: [`restore it with git checkout -- ${path}`, `or remove ${env} from ${VAULT_FILE}`],
      });
    }
    const parsed = parseEnvFile(text, path, env);
    this.envs.set(env, parsed);
    return parsed;
  }

  /** An environment file that does not exist yet (for `env add`). */
  newEnvFile(env: string): EnvFile {
    const f = emptyEnvFile(env);
    this.envs.set(env, f);
    return f;
  }

  /** Exposure records (`.envvault/exposed.json`); empty when the file does not exist. */
  async exposures(): Promise<Exposure[]> {
    const text = await this.source.read(EXPOSED_FILE);
    return text === undefined ? [] : parseExposures(text);
  }

  async keyFile(scope: string, member: string): Promise<string | undefined> {
    return this.source.read(Vault.keyPath(scope, member));
  }

  /** Members holding a key file for a scope (the access the files themselves grant). */
  async keyHolders(scope: string): Promise<string[]> {
    const names = await this.source.list(`.envvault/keys/${scopeKeyDir(scope)}`);
    return names.filter((n) => n.endsWith(".age")).map((n) => n.slice(0, -4));
  }
}
