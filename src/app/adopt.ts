/**
 * `vault init` adopting the `.env` files a project already has: which files, which
 * environment each belongs to, what is imported, which files stay as targets.
 *
 * | file                                     | becomes                                                        |
 * |------------------------------------------|----------------------------------------------------------------|
 * | `.env`, `.env.local`, `X/.env`           | values of the default environment (development); target that follows `vault use` |
 * | `.env.NAME`, `.env.NAME.local`, `NAME.env` | values of environment NAME (`dev` → development, `prod` → production, `stage` → staging); target of NAME |
 * | `OTHER.env` (`db.env`, `app.env`)        | values of the default environment (a service's file); target that follows `vault use` |
 * | `.env.example` / `.sample` / `.template` / `.dist`, `example.env` | variable definitions: every key `required: true` |
 * | `.env.defaults`, `.env.shared` at the root | an `env_file` layer (stays plaintext, committed)               |
 * | `.env.bak`, `.env.old`, `.env.swp`, …    | skipped                                                        |
 *
 * Never searched: `node_modules/`, `.git/`, `vendor/`, `.envvault/`, `.envvault.local/`; a
 * symlink (to a file or a directory) is never followed.
 * A key held with different values by two files of one environment keeps the value of the
 * file found first (shallower, then not `.local`, then by name), and is reported. The first
 * file of an environment is its main target; further files of the environment keep exactly
 * their own keys (a target `keys` filter).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { entries as docEntries, parse } from "../model/dotenv/index.js";
import { readTextInside } from "../io/confine.js";
import type { TargetDef } from "../model/config.js";
import { isKey, isName } from "../model/names.js";

const NEVER = new Set(["node_modules", ".git", "vendor", ".envvault", ".envvault.local"]);
const DEFINITIONS = new Set(["example", "sample", "template", "dist"]);
const LAYERS = new Set(["defaults", "shared"]);
const LEFTOVERS = new Set(["bak", "backup", "old", "orig", "save", "swp", "tmp", "copy"]);
const ALIASES: Record<string, string> = { dev: "development", develop: "development", prod: "production", stage: "staging" };
const KNOWN_ENVS = new Set(["development", "staging", "production", "test"]);

/** What one file found is, by its name. */
export type Role =
  | { role: "values"; env: string | undefined; local: boolean }
  | { role: "definitions" }
  | { role: "layer" }
  | { role: "skipped"; why: string };

const envName = (word: string): string => ALIASES[word] ?? word;

/** The role of a file by its path (`undefined` env: the default environment). Pure. */
export function classify(path: string): Role {
  const base = (path.split("/").pop() ?? path).toLowerCase();
  const nested = path.includes("/");
  if (base === ".env") return { role: "values", env: undefined, local: false };
  if (base.startsWith(".env.")) {
    const parts = base.slice(5).split(".");
    const last = parts[parts.length - 1] ?? "";
    if (LEFTOVERS.has(last)) return { role: "skipped", why: "looks like a backup or editor file" };
    if (parts.length === 1 && DEFINITIONS.has(last)) return { role: "definitions" };
    if (parts.length === 1 && LAYERS.has(last)) return nested ? { role: "skipped", why: "a shared defaults file outside the root; list it under env_file in vault.yaml to layer it" } : { role: "layer" };
    if (parts.length === 1 && last === "local") return { role: "values", env: undefined, local: true };
    const local = parts.length === 2 && last === "local";
    const word = parts[0] ?? "";
    if ((parts.length === 1 || local) && isName(envName(word))) return { role: "values", env: envName(word), local };
    return { role: "skipped", why: "its name does not say an environment" };
  }
  if (base.endsWith(".env")) {
    const stem = base.slice(0, -4);
    if (DEFINITIONS.has(stem)) return { role: "definitions" };
    if (LEFTOVERS.has(stem)) return { role: "skipped", why: "looks like a backup or editor file" };
    const env = envName(stem);
    return { role: "values", env: KNOWN_ENVS.has(env) ? env : undefined, local: false };
  }
  return { role: "skipped", why: "not an env file" };
}

/** Env files under `root` (paths relative to it, `/`-separated, sorted), outside the directories never searched. */
export async function findEnvFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const list = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const d of list) {
      const path = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) {
        if (!NEVER.has(d.name)) await walk(path);
      } else if (d.isFile() && (d.name === ".env" || d.name.startsWith(".env.") || d.name.endsWith(".env"))) {
        out.push(path);
      }
    }
  };
  await walk("");
  return out.sort();
}

export interface FoundFile {
  path: string;
  role: Role;
  /** Values files: the variables read; definitions: the keys. */
  keys: string[];
  /** Lines and keys that were left out, with why. */
  warnings: string[];
}

export interface Adoption {
  files: FoundFile[];
  /** Environment → variables to import. */
  values: Map<string, Map<string, string>>;
  targets: TargetDef[];
  /** Keys of the definitions files: `required: true`. */
  required: string[];
  /** Root `.env.defaults` / `.env.shared`: `env_file` layers. */
  layers: string[];
  /** A key two files of one environment hold with different values: the first file's value is kept. */
  conflicts: { env: string; key: string; kept: string; ignored: string }[];
}

const depth = (p: string) => p.split("/").length;

/** Reads and classifies the env files of `root`; nothing is written. */
export async function planAdoption(root: string, defaultEnv: string): Promise<Adoption> {
  const found: FoundFile[] = [];
  const texts = new Map<string, string>();
  for (const path of await findEnvFiles(root)) {
    const role = classify(path);
    const f: FoundFile = { path, role, keys: [], warnings: [] };
    found.push(f);
    if (role.role !== "values" && role.role !== "definitions") continue;
    const text = (await readTextInside(root, path))?.text ?? "";
    texts.set(path, text);
    const { doc, warnings } = parse(text);
    f.warnings.push(...warnings.filter((w) => w.kind === "opaque").map((w) => `line ${w.line}: cannot read it as KEY=value; left out`));
    for (const [key, value] of docEntries(doc)) {
      if (!isKey(key)) f.warnings.push(`${key}: not a POSIX variable name; left out`);
      else if (value.includes("\0")) f.warnings.push(`${key}: the value holds a NUL byte; left out`);
      else f.keys.push(key);
    }
  }
  const a: Adoption = { files: found, values: new Map(), targets: [], required: [], layers: [], conflicts: [] };
  const order = (f: FoundFile) => [depth(f.path), f.role.role === "values" && f.role.local ? 1 : 0] as const;
  const valueFiles = found
    .filter((f) => f.role.role === "values")
    .sort((x, y) => {
      const [dx, lx] = order(x);
      const [dy, ly] = order(y);
      return dx - dy || lx - ly || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
    });
  for (const f of valueFiles) {
    if (f.role.role !== "values") continue;
    const env = f.role.env ?? defaultEnv;
    const values = docEntries(parse(texts.get(f.path) ?? "").doc);
    let into = a.values.get(env);
    const main = into === undefined;
    if (into === undefined) {
      into = new Map();
      a.values.set(env, into);
    }
    for (const key of f.keys) {
      const value = values.get(key) ?? "";
      const had = into.get(key);
      if (had === undefined) into.set(key, value);
      else if (had !== value) {
        const kept = valueFiles.find((g) => g.keys.includes(key) && (g.role.role === "values" ? (g.role.env ?? defaultEnv) : "") === env)?.path ?? "";
        a.conflicts.push({ env, key, kept, ignored: f.path });
      }
    }
    if (!main && f.keys.length === 0) continue;
    // A name that says no environment follows `vault use`; one that does stays with it.
    const follows = f.role.env === undefined && env === defaultEnv;
    a.targets.push({ path: f.path, ...(follows ? {} : { env }), ...(main ? {} : { keys: [...f.keys].sort() }) });
  }
  a.required = [...new Set(found.filter((f) => f.role.role === "definitions").flatMap((f) => f.keys))].sort();
  a.layers = found.filter((f) => f.role.role === "layer").map((f) => f.path);
  return a;
}
