/** The text formats of `vault export` (dotenv, JSON, YAML, shell, k8s, docker, GitHub Actions) and `vault import`. */
import { createRequire } from "node:module";
import { InvalidFile, UsageError, ValidationFailed } from "../errors.js";
import { entries as docEntries, formatAssignment, parse } from "./dotenv/index.js";
import { isKey } from "./names.js";

export type ExportFormat = "dotenv" | "json" | "yaml" | "shell" | "k8s" | "docker";
export type ImportFormat = "dotenv" | "json" | "yaml";

/**
 * The yaml package, loaded on first use only: most commands never print or read YAML, and
 * loading it costs more than the rest of `vault export` together.
 */
let yamlLib: typeof import("yaml") | undefined;
function yaml(): typeof import("yaml") {
  yamlLib ??= createRequire(import.meta.url)("yaml") as typeof import("yaml");
  return yamlLib;
}

const sorted = (values: ReadonlyMap<string, string>) => [...values].sort(([a], [b]) => (a < b ? -1 : 1));

/** POSIX shell single quoting: everything literal, `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

export interface ExportOptions {
  /** k8s: the Secret's name and namespace. */
  name?: string;
  namespace?: string;
  /** dotenv: `false` writes for dotenv alone (a file no shell sources), which holds more values than the shell-safe default. */
  shellSafe?: boolean;
}

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function k8sName(what: string, name: string): string {
  if (name.length > 253 || !DNS_1123.test(name)) {
    throw new UsageError(`invalid Kubernetes ${what} ${JSON.stringify(name)}`, {
      hints: ["use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"],
    });
  }
  return name;
}

/** A Kubernetes Secret: values base64-encoded under `data`, so every byte survives. */
function k8sSecret(list: [string, string][], opts: ExportOptions): string {
  const lines = ["apiVersion: v1", "kind: Secret", "metadata:", `  name: ${k8sName("name", opts.name ?? "envvault")}`];
  if (opts.namespace !== undefined) lines.push(`  namespace: ${k8sName("namespace", opts.namespace)}`);
  lines.push("type: Opaque");
  lines.push(list.length === 0 ? "data: {}" : "data:");
  // An empty value must be "" (a bare `KEY:` reads as null).
  for (const [k, v] of list) lines.push(`  ${k}: ${v === "" ? '""' : Buffer.from(v, "utf8").toString("base64")}`);
  return lines.join("\n") + "\n";
}

/**
 * docker's `--env-file`: `KEY=value` taken literally to the end of the line, so a value
 * holding a line break cannot be written at all.
 */
function dockerEnvFile(list: [string, string][]): string {
  for (const [k, v] of list) {
    if (/[\r\n]/.test(v)) {
      throw new ValidationFailed(`${k} holds a line break, which docker's --env-file format cannot express`, {
        data: { key: k },
        hints: ["use `vault run -- docker run …` with `-e " + k + "` (the value comes from the environment), or --format json"],
      });
    }
  }
  return list.map(([k, v]) => `${k}=${v}\n`).join("");
}

/** The environment as text in a format; every value reads back exactly with that format's reader. */
export function exportAs(format: ExportFormat, values: ReadonlyMap<string, string>, opts: ExportOptions = {}): string {
  const list = sorted(values);
  switch (format) {
    case "dotenv":
      return list.map(([k, v]) => formatAssignment(k, v, { shellSafe: opts.shellSafe }) + "\n").join("");
    case "json":
      return JSON.stringify(Object.fromEntries(list), null, 2) + "\n";
    case "yaml":
      return list.length === 0 ? "{}\n" : yaml().stringify(Object.fromEntries(list), { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 });
    case "shell":
      return list.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join("");
    case "k8s":
      return k8sSecret(list, opts);
    case "docker":
      return dockerEnvFile(list);
  }
}

function checkKey(file: string, key: string, line?: number): void {
  if (isKey(key)) return;
  throw new InvalidFile(`${file}${line === undefined ? "" : `:${line}`}: ${JSON.stringify(key)} is not a valid variable name`, {
    data: { file, key, ...(line === undefined ? {} : { line }) },
    hints: ["names match [A-Za-z_][A-Za-z0-9_]* (POSIX); rename the variable, then import again"],
  });
}

function keyLine(doc: ReturnType<typeof parse>["doc"], key: string): number | undefined {
  const node = doc.nodes.findLast((n) => n.kind === "assignment" && n.key === key);
  return node?.line;
}

export function formatFromName(file: string): ImportFormat {
  if (/\.json$/i.test(file)) return "json";
  if (/\.ya?ml$/i.test(file)) return "yaml";
  return "dotenv";
}

/** Variables from a dotenv, JSON or YAML document; anything that is not KEY → scalar is an error naming it. */
export function importFrom(format: ImportFormat, text: string, file: string): Map<string, string> {
  if (format === "dotenv") {
    const { doc, warnings } = parse(text);
    const opaque = warnings.find((w) => w.kind === "opaque");
    if (opaque !== undefined) {
      throw new InvalidFile(`${file}:${opaque.line}: cannot read this line as KEY=value`, {
        data: { file, line: opaque.line },
        hints: ["fix the line (quote the value, or close the quote), then import again"],
      });
    }
    const values = docEntries(doc);
    for (const key of values.keys()) checkKey(file, key, keyLine(doc, key));
    return values;
  }
  let data: unknown;
  try {
    // YAML's failsafe schema keeps every scalar as written: 1.50 stays "1.50", 01234 stays "01234".
    data = format === "json" ? JSON.parse(text) : yaml().parse(text, { schema: "failsafe" });
  } catch (e) {
    throw new InvalidFile(`${file}: not valid ${format.toUpperCase()}: ${(e as Error).message.split("\n")[0]}`, {
      data: { file },
      hints: [`check the file, or name its format with --format`],
    });
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InvalidFile(`${file}: expected an object of KEY: value pairs`, { data: { file } });
  }
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(data)) {
    checkKey(file, key);
    if (value === null || typeof value === "object") {
      throw new InvalidFile(`${file}: the value of ${key} is not a string, number or boolean`, { data: { file, key } });
    }
    out.set(key, String(value));
  }
  return out;
}

/**
 * GitHub Actions: `::add-mask::` commands (one per line of each secret value, so the runner
 * hides them in logs) for stdout, and the `$GITHUB_ENV` file text with a random heredoc
 * delimiter per value, so any value round-trips.
 */
export function githubEnv(values: ReadonlyMap<string, string>, isSecret: (key: string) => boolean, delimiter: (value: string) => string): { masks: string; env: string } {
  const list = sorted(values);
  // The runner reads our stdout line by line, breaking at LF, CR and CRLF alike, and logs it
  // the same way, so each of those lines needs its own mask. It refuses a blank mask.
  // It then unescapes command data (%0D, %0A, %25), so `%` goes out as `%25` for `50%0Aoff`
  // to mask itself; after the split no line holds a CR or LF left to escape.
  const masks = list
    .filter(([k]) => isSecret(k))
    .flatMap(([, v]) => v.split(/\r\n|\r|\n/).filter((line) => line.trim() !== ""))
    .map((line) => `::add-mask::${line.replaceAll("%", "%25")}\n`)
    .join("");
  const env = list
    .map(([k, v]) => {
      const d = delimiter(v);
      return `${k}<<${d}\n${v}\n${d}\n`;
    })
    .join("");
  return { masks, env };
}
