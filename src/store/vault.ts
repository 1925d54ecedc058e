/** A vault as read from a source (the work tree or a commit): its YAML files, and its environment and key files on demand. */
import { InvalidFile } from "../errors.js";
import { recoverBeforeRead } from "./journal.js";
import { type VaultSource, workTree } from "./source.js";
import { type Exposure, type VaultConfig, VAULT_FILE } from "../model/config.js";
import { type EnvFile, emptyEnvFile, parseEnvFile } from "../model/envfile.js";
import { EXPOSED_FILE, parseExposures } from "../model/exposure.js";
import { checkRoster, type Roster, ROSTER_FILE } from "../model/roster.js";
import { scopeKeyDir } from "../model/names.js";
import type { LineOf } from "../model/yamlfile.js";
import { YamlFile } from "../model/yamldoc.js";
import { YamlCache, type YamlKind, yamlSha } from "./yamlcache.js";

export { type VaultSource, workTree } from "./source.js";

export interface LoadOptions {
  /**
   * Parse the YAML documents too (for edits: `transaction()` asks for them). Without it the
   * validated data may come from the YAML cache and the documents are loaded by
   * {@link Vault.loadDocs} when needed.
   */
  docs?: boolean;
  /** The YAML cache's tag (tests); default: the build's, or no cache outside the CLI bundle. */
  cacheTag?: string;
  /** The reader's identity, which keys the YAML cache; without one, the YAML files are parsed. */
  identity?: string;
}

/** A loaded vault: its two YAML files and, on demand, environment and key files. */
export class Vault {
  private readonly envs = new Map<string, EnvFile>();
  /** Runs on every environment file before it is used (store/verified.ts sets it: the state check). */
  #guard: ((f: EnvFile, text?: string) => Promise<void>) | undefined;
  /** The bytes of vault.yaml and roster.yaml as loaded, for the chain's hashes. */
  texts: { vault: string; roster: string } = { vault: "", roster: "" };
  /** The commit the vault was read from (`--at`); undefined for the work tree. */
  commit: string | undefined;
  #config: YamlFile<VaultConfig>;
  #roster: YamlFile<Roster>;

  constructor(
    readonly root: string,
    readonly source: VaultSource,
    config: YamlFile<VaultConfig>,
    roster: YamlFile<Roster>,
  ) {
    this.#config = config;
    this.#roster = roster;
  }

  /** `.envvault/vault.yaml`: its validated data (and its document once loaded). */
  get config(): YamlFile<VaultConfig> {
    return this.#config;
  }

  /** `.envvault/roster.yaml`: its validated data (and its document once loaded). */
  get roster(): YamlFile<Roster> {
    return this.#roster;
  }

  static async load(root: string, source?: VaultSource, options: LoadOptions = {}): Promise<Vault> {
    if (source === undefined) {
      await recoverBeforeRead(root);
      source = workTree(root);
    }
    const from = source;
    const [vaultText, rosterText] = await Promise.all([from.read(VAULT_FILE), from.read(ROSTER_FILE)]);
    for (const [file, text] of [[VAULT_FILE, vaultText], [ROSTER_FILE, rosterText]] as const) {
      if (text === undefined) throw missingFile(from, file);
    }
    const cache = await YamlCache.open(root, options.cacheTag, options.identity);
    // In order, so that an invalid vault.yaml is reported before roster.yaml, as always.
    const config = await loadValidated<VaultConfig>(vaultText ?? "", VAULT_FILE, "vault", cache, options.docs === true);
    const roster = await loadValidated<Roster>(rosterText ?? "", ROSTER_FILE, "roster", cache, options.docs === true);
    await cache?.save();
    const vault = new Vault(root, from, config, roster);
    vault.texts = { vault: vaultText ?? "", roster: rosterText ?? "" };
    return vault;
  }

  /**
   * Parses the YAML documents of vault.yaml and roster.yaml if their data came from the
   * cache, so that edits can keep comments and layout. Files changed since the load are
   * taken as they are now, data and document together.
   */
  async loadDocs(): Promise<void> {
    if (!this.#config.hasDoc) {
      const text = await this.source.read(VAULT_FILE);
      if (text === undefined) throw missingFile(this.source, VAULT_FILE);
      this.#config = await loadValidated<VaultConfig>(text, VAULT_FILE, "vault", undefined, true);
    }
    if (!this.#roster.hasDoc) {
      const text = await this.source.read(ROSTER_FILE);
      if (text === undefined) throw missingFile(this.source, ROSTER_FILE);
      this.#roster = await loadValidated<Roster>(text, ROSTER_FILE, "roster", undefined, true);
    }
  }

  static envPath(env: string): string {
    return `.envvault/envs/${env}.env`;
  }

  static keyPath(scope: string, member: string): string {
    return `.envvault/keys/${scopeKeyDir(scope)}/${member}.age`;
  }

  /** Sets the check every environment file passes before use; files read already are checked now. */
  async guard(check: (f: EnvFile, text?: string) => Promise<void>): Promise<void> {
    this.#guard = check;
    for (const f of this.envs.values()) await check(f);
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
    await this.#guard?.(parsed, text);
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

/**
 * Records vault.yaml / roster.yaml texts a transaction has just written, validated as a load
 * would, so that the next read-only command finds them in the YAML cache instead of parsing.
 * Best effort: a text that does not validate is simply not recorded.
 */
export async function cacheWrittenYaml(root: string, written: { vault?: string; roster?: string }, identity: string | undefined, cacheTag?: string): Promise<void> {
  const cache = await YamlCache.open(root, cacheTag, identity);
  if (cache === undefined) return;
  for (const [kind, file, text] of [["vault", VAULT_FILE, written.vault], ["roster", ROSTER_FILE, written.roster]] as const) {
    if (text === undefined) continue;
    try {
      await loadValidated(text, file, kind, cache, true);
    } catch {
      // Not valid: the next load reports it.
    }
  }
  await cache.save();
}

function missingFile(source: VaultSource, file: string): InvalidFile {
  return new InvalidFile(`${source.describe(file)} is missing`, {
    data: { file },
    hints: ["restore it with git checkout -- " + file, "or create a new vault with `vault init`"],
  });
}

/**
 * The checks beyond the schema, run on every load (cached data included: they are cheap),
 * naming lines when the document was parsed.
 */
function check(kind: YamlKind, data: unknown, lineOf?: LineOf): void {
  if (kind === "roster") checkRoster(data as Roster, lineOf);
}

/**
 * A vault YAML file's validated data: from the cache when its bytes were validated before
 * (unless the document is wanted), else parsed and validated in full (which reports every
 * problem with its line) and remembered in the cache.
 */
async function loadValidated<T>(text: string, file: string, kind: YamlKind, cache: YamlCache | undefined, docs: boolean): Promise<YamlFile<T>> {
  const sha = cache === undefined ? "" : yamlSha(text);
  if (cache !== undefined && !docs) {
    const data = cache.get(kind, sha);
    if (data !== undefined) {
      check(kind, data);
      return new YamlFile(file, data as T);
    }
  }
  const { loadYaml } = await import("../model/yamlfile.js");
  const loaded = loadYaml<T>(text, file, kind, (data, lineOf) => check(kind, data, lineOf));
  cache?.set(kind, sha, loaded.data);
  return loaded;
}
