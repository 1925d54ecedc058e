/**
 * How an environment's final values come together, lowest priority first (README, "Layers"):
 *
 *   generated values of this clone → inherited environments, root first → the environment
 *   → its context's overrides → `env_file` files in the order listed → the process environment
 *
 * `priority: vault_wins` moves the files under the environment (and its context); inherited
 * environments stay at the bottom and the process environment at the top in both modes.
 * The process environment only overrides variables a lower layer sets: it never adds the
 * whole shell to a result. With `interpolate: true`, `${NAME}` references are expanded once
 * every layer is merged, so a value may refer to one from any layer.
 */
import { ValidationFailed } from "../errors.js";
import { interpolate } from "./dotenv/index.js";
import { burnedOf, contextValues, inheritanceChain, interpolates, kindOf, type Priority, priorityOf, unsetIn, VAULT_FILE, type VaultConfig } from "./config.js";
import type { Entry, OwnValue } from "./envfile.js";

export type LayerKind = "generated" | "inherited" | "environment" | "context" | "file" | "process";

/** One source of values. */
export interface Layer {
  kind: LayerKind;
  /** The environment, the file's path, the context's name, or a description. */
  name: string;
  values: ReadonlyMap<string, string>;
}

/** What happened to one `env_file` entry, for `--debug`. */
export interface FileReport {
  path: string;
  required: boolean;
  loaded: boolean;
  /** Why a file was not loaded. */
  skipped?: string;
  keys: number;
  /** Lines the .env parser could not read (kept out of the values), duplicate keys. */
  warnings: string[];
}

/** The vault's side of an environment: each ancestor (root first), then the environment. */
export interface VaultSide {
  inherited: Layer[];
  environment: Layer;
  /** Variables in scopes this reader cannot open, left out. */
  hidden: Entry[];
}

export interface Parts {
  generated: Layer;
  inherited: Layer[];
  environment: Layer;
  context?: Layer;
  files: Layer[];
  process?: Layer;
}

/** The layers in priority order, lowest first. */
export function stack(priority: Priority, p: Parts): Layer[] {
  const vault = p.context === undefined ? [p.environment] : [p.environment, p.context];
  const middle = priority === "vault_wins" ? [...p.files, ...vault] : [...vault, ...p.files];
  return [p.generated, ...p.inherited, ...middle, ...(p.process === undefined ? [] : [p.process])];
}

export interface Resolution {
  /** The final values. */
  values: Map<string, string>;
  layers: Layer[];
  /** The layer each final value comes from. */
  winners: Map<string, Layer>;
  /** Keys whose value changed through interpolation. */
  interpolated: string[];
}

/**
 * Merges layers (later wins) and, when asked, expands references. A value the process
 * environment gave is taken as it is (the shell already expanded it); `lookup` answers
 * references to names no layer sets.
 */
export function resolve(layers: readonly Layer[], o: { interpolate: boolean; lookup: (name: string) => string | undefined }): Resolution {
  const merged = new Map<string, string>();
  const winners = new Map<string, Layer>();
  for (const layer of layers) {
    for (const [key, value] of layer.values) {
      if (layer.kind === "process" && !merged.has(key)) continue;
      merged.set(key, value);
      winners.set(key, layer);
    }
  }
  if (!o.interpolate) return { values: merged, layers: [...layers], winners, interpolated: [] };
  const fromProcess = (key: string) => winners.get(key)?.kind === "process";
  const raw = new Map([...merged].filter(([k]) => !fromProcess(k)));
  const expanded = interpolate(raw, (name) => (fromProcess(name) ? merged.get(name) : o.lookup(name)));
  const interpolated = [...expanded].filter(([k, v]) => v !== raw.get(k)).map(([k]) => k);
  return { values: new Map([...merged].map(([k, v]) => [k, expanded.get(k) ?? v])), layers: [...layers], winners, interpolated };
}

/** The defined variables of a process environment. */
export function processValues(env: NodeJS.ProcessEnv): Map<string, string> {
  return new Map(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ResolveInput {
  cfg: VaultConfig;
  env: string;
  vault: VaultSide;
  /** This clone's generated values (store/generated.ts). */
  generated: ReadonlyMap<string, string>;
  /** The `env_file` layers as read, and what happened to each (app/environment.ts). */
  files: { layers: Layer[]; report: FileReport[] };
  context?: string;
  /** Where the context's name comes from when not `--context` (a target), for messages. */
  contextSource?: string;
  /** For what runs a program (`run`, `load`): the process environment, as the top layer. */
  processEnv?: NodeJS.ProcessEnv;
  /** Answers references to names no layer sets (the process environment). */
  lookup: NodeJS.ProcessEnv;
}

export interface Resolved {
  env: string;
  context?: string;
  priority: Priority;
  resolution: Resolution;
  files: FileReport[];
  /** Burned variables some layer set, left out of the values. */
  burned: string[];
}

/**
 * The config values (`kind: config`) of a resolution that are the vault's own, as `vault
 * list` shows them. A value that a context, a file or the generated layer gave is left out,
 * and so is one that interpolation changed: a reference can pull a secret into it.
 */
export function configValues(cfg: VaultConfig, r: Resolution): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of r.values) {
    const from = r.winners.get(key)?.kind;
    if (kindOf(cfg, key) === "config" && (from === "environment" || from === "inherited") && !r.interpolated.includes(key)) out.set(key, value);
  }
  return out;
}

/** The final values of an environment, with where each comes from. */
export function resolveEnv(i: ResolveInput): Resolved {
  const { cfg, env } = i;
  const priority = priorityOf(cfg, env);
  const unset = unsetIn(cfg, env);
  const context = i.context === undefined ? undefined : contextValues(cfg, env, i.context, i.contextSource);
  const files = i.files;
  const layers = stack(priority, {
    generated: { kind: "generated", name: "generated on this clone", values: new Map([...i.generated].filter(([k]) => !unset.has(k))) },
    inherited: i.vault.inherited,
    environment: i.vault.environment,
    ...(context === undefined || i.context === undefined ? {} : { context: { kind: "context", name: i.context, values: context } }),
    files: files.layers,
    ...(i.processEnv === undefined ? {} : { process: { kind: "process", name: "process environment", values: processValues(i.processEnv) } }),
  });
  let resolution: Resolution;
  try {
    resolution = resolve(layers, { interpolate: interpolates(cfg, env), lookup: (name) => i.lookup[name] });
  } catch (e) {
    if (!(e instanceof ValidationFailed)) throw e;
    throw new ValidationFailed(`environment ${env}: ${e.message}`, { data: { ...e.data, env }, hints: [...e.hints, `or turn interpolation off for ${env} in ${VAULT_FILE}`], cause: e });
  }
  // A burned variable is not delivered from any layer of ours; the process environment is
  // the caller's own and passes through.
  const burned = [...resolution.values.keys()].filter((k) => burnedOf(cfg, k) !== undefined && resolution.winners.get(k)?.kind !== "process").sort();
  for (const k of burned) resolution.values.delete(k);
  return { env, ...(i.context === undefined ? {} : { context: i.context }), priority, resolution, files: files.report, burned };
}

/** One layer that sets the explained key. */
export interface ExplainRow {
  kind: LayerKind;
  name: string;
  /** Undefined when it is in a scope this reader cannot open. */
  value: string | undefined;
  won: boolean;
  /** Why a value does not count: `unset by test`, `scope you cannot read`. */
  note?: string;
}

export interface Explanation {
  key: string;
  env: string;
  context?: string;
  priority: Priority;
  rows: ExplainRow[];
  /** The final value, after interpolation; undefined when no layer sets the key (or it is burned). */
  value: string | undefined;
  interpolated: boolean;
  burned: boolean;
}

/**
 * Every layer that sets `key`, lowest first, and which one won. `own` lists what each
 * environment of the chain holds itself (app/read.ts ownValues), so values an ancestor
 * holds but a nearer environment overrides or unsets are shown too.
 */
export function explain(cfg: VaultConfig, r: Resolved, key: string, own: readonly OwnValue[]): Explanation {
  const chain = inheritanceChain(cfg, r.env).reverse();
  const winner = r.resolution.winners.get(key);
  const unsetBy = (e: string) => chain.slice(chain.indexOf(e) + 1).find((later) => (cfg.environments[later]?.unset ?? []).includes(key));
  const rows: ExplainRow[] = [];
  for (const layer of r.resolution.layers) {
    if (layer.kind === "inherited" || layer.kind === "environment") {
      const held = own.find((o) => o.env === layer.name);
      if (held === undefined) continue;
      const by = layer.kind === "inherited" ? unsetBy(layer.name) : undefined;
      const note = held.value === undefined ? "in a scope you cannot read" : by === undefined ? undefined : `unset by ${by}`;
      rows.push({ kind: layer.kind, name: layer.name, value: held.value, won: layer === winner, ...(note === undefined ? {} : { note }) });
      continue;
    }
    const value = layer.values.get(key);
    if (value === undefined) continue;
    const note = layer.kind === "process" && winner === undefined ? "only the process environment sets it: passed through as it is" : undefined;
    rows.push({ kind: layer.kind, name: layer.name, value, won: layer === winner, ...(note === undefined ? {} : { note }) });
  }
  return {
    key,
    env: r.env,
    ...(r.context === undefined ? {} : { context: r.context }),
    priority: r.priority,
    rows,
    value: r.resolution.values.get(key),
    interpolated: r.resolution.interpolated.includes(key),
    burned: r.burned.includes(key),
  };
}

/** How a layer is named in `--explain` and `--debug` output. */
export function layerLabel(l: { kind: LayerKind; name: string }): string {
  switch (l.kind) {
    case "generated":
      return "generated (this clone)";
    case "inherited":
      return `${l.name} (inherited)`;
    case "environment":
      return `${l.name} (environment)`;
    case "context":
      return `context ${l.name}`;
    case "file":
      return `${l.name} (env_file)`;
    case "process":
      return "process environment";
  }
}
