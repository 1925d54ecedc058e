/**
 * The one pipeline that turns a vault into an environment's final values, for every reader:
 * `run`, `export`, `unlock` (per target), `status` and `load()`. It decrypts what the
 * environment holds and inherits, reads its `env_file` layers (never through a symlink),
 * adds this clone's generated values and hands all of it to the pure layering of
 * model/layers.ts.
 */
import { UnsafePath, VaultError } from "../errors.js";
import { entries as docEntries, parse } from "../model/dotenv/index.js";
import { decodeText } from "../io/atomic.js";
import { type InsideFile, readInside } from "../io/confine.js";
import { errnoCode } from "../io/files.js";
import { envFilesOf, type EnvFileRef, inheritanceChain, VAULT_FILE } from "../model/config.js";
import { type FileReport, type Layer, type LayerKind, type Resolved, resolveEnv, type VaultSide } from "../model/layers.js";
import { generatedValues } from "../store/generated.js";
import type { Keyring } from "../store/keyring.js";
import { readVisible } from "./read.js";
import { type Deps, openReading, type Reading } from "./session.js";

/** Decrypts what an environment holds and inherits, split into one layer per environment. */
export async function vaultLayers(keyring: Keyring, env: string): Promise<VaultSide> {
  const { values, hidden } = await readVisible(keyring, env);
  const chain = inheritanceChain(keyring.vault.config.data, env).reverse();
  const byEnv = new Map(chain.map((e) => [e, new Map<string, string>()]));
  for (const [key, r] of values) byEnv.get(r.env)?.set(key, r.value);
  const layer = (kind: LayerKind, e: string): Layer => ({ kind, name: e, values: byEnv.get(e) ?? new Map() });
  return { inherited: chain.slice(0, -1).map((e) => layer("inherited", e)), environment: layer("environment", env), hidden };
}

/**
 * Reads the `env_file` layers. A missing file is an error when required, else skipped; a
 * file that exists but cannot be read is always an error. `except` (the target being
 * written) is never read as a layer of itself.
 */
export async function loadEnvFiles(root: string, refs: readonly EnvFileRef[], except?: string): Promise<{ layers: Layer[]; report: FileReport[] }> {
  const layers: Layer[] = [];
  const report: FileReport[] = [];
  for (const ref of refs) {
    const r: FileReport = { path: ref.path, required: ref.required, loaded: false, keys: 0, warnings: [] };
    report.push(r);
    if (except !== undefined && ref.path === except.replace(/^(\.\/)+/, "")) {
      r.skipped = "it is the target being written";
      continue;
    }
    let found: InsideFile | undefined;
    try {
      // Never through a symlink: a committed `.env.local` → `~/.aws/credentials` would put that file into the environment.
      found = await readInside(root, ref.path, `env_file ${ref.path} (${ref.setting} in ${VAULT_FILE})`);
    } catch (e) {
      if (e instanceof UnsafePath) throw e;
      throw new VaultError("FAILURE", `cannot read ${ref.path}: ${errnoCode((e as { cause?: unknown }).cause) ?? (e as Error).message} (listed under ${ref.setting} in ${VAULT_FILE})`, {
        data: { file: ref.path },
        hints: ["an env_file must be a readable text file; fix it or its permissions, or take it out of vault.yaml"],
        cause: e,
      });
    }
    if (found === undefined) {
      if (ref.required) {
        throw new VaultError("NOT_FOUND", `${ref.path} is missing; ${VAULT_FILE} lists it under ${ref.setting} as required`, {
          data: { file: ref.path },
          hints: [`create ${ref.path}`, `or make it optional in ${VAULT_FILE}: \`- path: ${ref.path}\` with \`required: false\``],
        });
      }
      r.skipped = "missing (required: false)";
      continue;
    }
    const text = decodeText(found.bytes, ref.path);
    const { doc, warnings } = parse(text);
    const values = docEntries(doc);
    r.loaded = true;
    r.keys = values.size;
    r.warnings = warnings.map((w) => `${ref.path}:${w.line}: ${w.message}`);
    layers.push({ kind: "file", name: ref.path, values });
  }
  return { layers, report };
}


/** What to resolve: an environment, seen through a context, for a target or a process. */
export interface EnvironmentRequest {
  env: string;
  /** The context whose values apply (`--context`, or the target's own). */
  context?: string;
  /** Where the context's name comes from when not `--context` (a target), for messages. */
  contextSource?: string;
  /** The process environment as the top layer, for what runs a program (`run`, `load()`). */
  processEnv?: NodeJS.ProcessEnv;
  /** Answers `${NAME}` references no layer sets. */
  lookup: NodeJS.ProcessEnv;
  /** A target being written, never read as an env_file layer of itself. */
  except?: string;
}

/** A resolved environment, with the variables of scopes this reader cannot open. */
export interface ResolvedEnvironment extends Resolved {
  hidden: VaultSide["hidden"];
}

/**
 * Resolves environments for one reader: each environment's vault side is decrypted once
 * however many targets or contexts ask for it.
 */
export class Environments {
  private readonly sides = new Map<string, Promise<VaultSide>>();

  constructor(
    private readonly keyring: Keyring,
    /** This clone's generated values (store/generated.ts). */
    private readonly generated: ReadonlyMap<string, string>,
  ) {}

  async resolve(r: EnvironmentRequest): Promise<ResolvedEnvironment> {
    const vault = this.keyring.vault;
    let pending = this.sides.get(r.env);
    if (pending === undefined) {
      pending = vaultLayers(this.keyring, r.env);
      this.sides.set(r.env, pending);
    }
    const side = await pending;
    const cfg = vault.config.data;
    const files = await loadEnvFiles(vault.root, envFilesOf(cfg, r.env), r.except);
    const resolved = resolveEnv({
      cfg,
      env: r.env,
      vault: side,
      generated: this.generated,
      files,
      ...(r.context === undefined ? {} : { context: r.context }),
      ...(r.contextSource === undefined ? {} : { contextSource: r.contextSource }),
      ...(r.processEnv === undefined ? {} : { processEnv: r.processEnv }),
      lookup: r.lookup,
    });
    return { ...resolved, hidden: side.hidden };
  }
}

/** How `run`, `export` and `load()` read the environment in use. */
export interface ReadEnvironment {
  /** The context whose values override the environment's (`--context`). */
  context?: string;
  /** Keep generated values made now in this clone's state (false for a look that must write nothing). */
  saveGenerated: boolean;
  /** Put the process environment on top, as `vault run` and `load()` do for their program. */
  processLayer: boolean;
}

/** The environment in use through every layer: what `run` injects, `export` prints, `load()` returns. */
export async function readEnvironment(deps: Deps, o: ReadEnvironment): Promise<{ reading: Reading; resolved: ResolvedEnvironment }> {
  const reading = await openReading(deps);
  const generated = await generatedValues(reading.vault.root, reading.vault.config.data, { save: o.saveGenerated, locked: false });
  const resolved = await new Environments(reading.keyring, generated).resolve({
    env: reading.env,
    ...(o.context === undefined ? {} : { context: o.context }),
    ...(o.processLayer ? { processEnv: deps.processEnv } : {}),
    lookup: deps.processEnv,
  });
  return { reading, resolved };
}
