/**
 * A small exact parser for the commands that run many times a day (`export`, `run`,
 * `get`, `unlock`, `lock`, `list`), so they start without loading yargs (≈ 50 ms). It
 * accepts only plain, unambiguous command lines; anything else (help, a typo, a repeated
 * option, an unknown flag) returns undefined and goes through yargs, which owns the
 * messages for usage errors.
 */
import type { hotCommands } from "./fast.js";

export interface FastGlobals {
  env?: string;
  identity?: string;
  cwd?: string;
  json: boolean;
  quiet: boolean;
  color: boolean;
  debug: boolean;
}

/** The hot commands' names: cli/fast.ts has a module for each. */
export type HotName = keyof typeof hotCommands;

export interface FastCommand {
  name: HotName;
  globals: FastGlobals;
  args: Record<string, unknown>;
}

type Spec = {
  values: Record<string, readonly string[] | null>;
  flags: string[];
  defaults: Record<string, unknown>;
  positionals: string[];
  /** Collects any further positionals into this argument (an array). */
  rest?: string;
};

const specs: Record<HotName, Spec> = {
  export: { values: { format: ["dotenv", "json", "yaml", "shell", "k8s", "docker", "github"], name: null, namespace: null, context: null }, flags: [], defaults: { format: "dotenv" }, positionals: [] },
  run: { values: { context: null, explain: null }, flags: [], defaults: {}, positionals: [] },
  get: { values: {}, flags: [], defaults: {}, positionals: ["key"] },
  unlock: { values: { "on-conflict": ["keep", "overwrite", "prompt"], at: null, context: null, explain: null }, flags: ["dry-run"], defaults: { dryRun: false }, positionals: [] },
  lock: { values: {}, flags: [], defaults: {}, positionals: [] },
  list: { values: {}, flags: ["reveal"], defaults: { reveal: false }, positionals: [] },
  // Git runs this on every commit and checkout: it must start fast.
  hook: { values: {}, flags: [], defaults: {}, positionals: ["name"], rest: "args" },
};

const globalValues: Record<string, keyof FastGlobals> = { env: "env", e: "env", identity: "identity", cwd: "cwd" };
const globalFlags: Record<string, [keyof FastGlobals, boolean]> = {
  json: ["json", true],
  quiet: ["quiet", true],
  q: ["quiet", true],
  color: ["color", true],
  "no-color": ["color", false],
  debug: ["debug", true],
};
const aliases: Record<string, string> = { f: "format" };
/** `table[key]` for the table's own keys only: a command line may say `toString` or `--constructor`. */
const own = <T>(table: Record<string, T>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function parseFast(argv: readonly string[]): FastCommand | undefined {
  const globals: FastGlobals = { json: false, quiet: false, color: true, debug: false };
  const seen = new Set<string>();
  let name: HotName | undefined;
  let spec: Spec | undefined;
  const args: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    if (token === "--" || token === "-") return undefined;
    if (!token.startsWith("-")) {
      if (name === undefined) {
        spec = own<Spec>(specs, token);
        if (spec === undefined) return undefined;
        name = token as HotName;
        Object.assign(args, spec.defaults);
      } else {
        positionals.push(token);
      }
      continue;
    }
    const long = token.startsWith("--");
    const eq = token.indexOf("=");
    const opt = token.slice(long ? 2 : 1, eq < 0 ? undefined : eq);
    if (!long && opt.length !== 1) return undefined;
    const key = own(aliases, opt) ?? opt;
    const g = own(globalValues, key);
    const f = own(globalFlags, key);
    if (seen.has(g ?? f?.[0] ?? key)) return undefined;
    seen.add(g ?? f?.[0] ?? key);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) return undefined;
      i++;
      return next;
    };
    if (g !== undefined) {
      const v = takeValue();
      if (v === undefined || v === "") return undefined;
      (globals as unknown as Record<string, unknown>)[g] = v;
      continue;
    }
    if (f !== undefined) {
      if (inline !== undefined) return undefined;
      (globals as unknown as Record<string, unknown>)[f[0]] = f[1];
      continue;
    }
    if (spec === undefined) return undefined;
    if (spec.flags.includes(key) && inline === undefined) {
      args[camel(key)] = true;
      continue;
    }
    if (Object.hasOwn(spec.values, key)) {
      const v = takeValue();
      const choices = spec.values[key];
      if (v === undefined || (choices != null && !choices.includes(v))) return undefined;
      args[camel(key)] = v;
      continue;
    }
    return undefined;
  }
  if (name === undefined || spec === undefined) return undefined;
  if (spec.rest === undefined ? positionals.length !== spec.positionals.length : positionals.length < spec.positionals.length) return undefined;
  spec.positionals.forEach((p, idx) => (args[p] = positionals[idx]));
  if (spec.rest !== undefined) args[spec.rest] = positionals.slice(spec.positionals.length);
  return { name, globals, args };
}
