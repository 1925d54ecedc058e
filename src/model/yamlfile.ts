/** vault.yaml and roster.yaml parsed and validated against their schemas with the line of every problem, and edited keeping comments and layout. */
import type { ErrorObject } from "ajv";
import { LineCounter, parseDocument, type Document } from "yaml";
import { InvalidFile } from "../errors.js";
import { YamlFile } from "./yamldoc.js";
import { isWindowsDevice } from "./names.js";
import { validateRoster, validateVault } from "./schema.generated.js";

export { YamlFile };

export type SchemaName = "vault" | "roster";

/** An ajv validator compiled ahead of time from `schema/<name>.schema.json`. */
interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const validators: Record<SchemaName, Validator> = { vault: validateVault, roster: validateRoster };

/**
 * The line of the node at `path` (as in `Document.getIn`) of a parsed file, or undefined
 * when there is no such node, or no document (data taken from the YAML cache).
 */
export type LineOf = (path: readonly (string | number)[]) => number | undefined;

/**
 * Parses YAML and validates it against `schema/<name>.schema.json`, then runs `check` (the
 * rules a schema cannot say) on the valid data. Every problem is reported with the file,
 * the line and the rule broken.
 *
 * This module imports the YAML parser: only a load that misses the YAML cache
 * (src/store/yamlcache.ts) and the commands that edit vault.yaml or roster.yaml reach it,
 * and the CLI bundle keeps it in a chunk of its own (scripts/build.mjs checks).
 */
export function loadYaml<T>(text: string, file: string, schema: SchemaName, check?: (data: T, lineOf: LineOf) => void): YamlFile<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new InvalidFile(`${file}:${line}: invalid YAML: ${firstLine(syntax.message)}`, {
      data: { file, line },
      hints: [`fix the YAML syntax of ${file}, or restore it with git checkout -- ${file}`],
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml reports an alias to a missing anchor, or too many aliases, only here.
    throw new InvalidFile(`${file}: invalid YAML: ${firstLine((e as Error).message)}`, {
      data: { file },
      hints: [`fix the aliases (*name) of ${file}, or restore it with git checkout -- ${file}`],
    });
  }
  const validate = validators[schema];
  if (!validate(data)) {
    // A bad property name yields a generic error on the map (with `propertyName`) and the
    // `propertyNames` error that names it; keep only the second.
    const errors = (validate.errors ?? []).filter((e) => (e as { propertyName?: string }).propertyName === undefined);
    const problems = errors.map((e) => describe(e, doc, lineCounter));
    const first = problems[0] ?? { line: 1, text: "does not match the schema" };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new InvalidFile(`${file}:${first.line}: ${first.text}${more}`, {
      data: { file, line: first.line, problems: problems.map((p) => `${file}:${p.line}: ${p.text}`) },
      hints: [`see schema/${schema}.schema.json for the rules; fix ${file} or restore it with git checkout -- ${file}`],
    });
  }
  check?.(data as T, (path) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range === undefined ? undefined : lineCounter.linePos(node.range[0]).line;
  });
  return new YamlFile(file, data as T, doc);
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

/** The schemas' rules for names (schema/*.schema.json `definitions`). */
const NAME_RULE = /^#\/definitions\/(name|scope)\/pattern$/;

function describe(e: ErrorObject, doc: Document, lc: LineCounter): { line: number; text: string } {
  const path = e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = doc.getIn(path, true) as { range?: [number, number, number]; value?: unknown } | undefined;
  // For a bad property name the node is the map; point at the key itself.
  let subject = e.instancePath === "" ? "the document" : e.instancePath;
  let named = node?.value;
  if (e.keyword === "propertyNames" || e.keyword === "additionalProperties") {
    const name = (e.params as { propertyName?: string; additionalProperty?: string });
    const key = name.additionalProperty ?? name.propertyName;
    if (key !== undefined) {
      const pair = findKeyNode(doc, path, key);
      if (pair !== undefined) node = pair;
      subject = `${e.instancePath}/${key}`;
      named = key;
    }
  }
  const offset = node?.range?.[0] ?? 0;
  const line = lc.linePos(offset).line;
  let rule = e.message ?? "is invalid";
  if (e.keyword === "additionalProperties") rule = "is not a known setting";
  // A name given as a value (default_env, extends, teams) breaks definitions/name's pattern.
  if (e.keyword === "propertyNames" || NAME_RULE.test(e.schemaPath)) {
    const device = typeof named === "string" ? named.split(":").find(isWindowsDevice) : undefined;
    rule = device === undefined ? "is not a valid name" : `is not a valid name: ${device} is a device name on Windows`;
  }
  if (e.keyword === "enum") rule = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
  return { line, text: `${subject} ${rule}` };
}

function findKeyNode(doc: Document, path: string[], key: string): { range?: [number, number, number] } | undefined {
  const map = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as
    | { items?: { key: { value?: unknown; range?: [number, number, number] } }[] }
    | undefined;
  return map?.items?.find((p) => p.key?.value === key)?.key;
}

/**
 * Applies `edit` to the file's document (comments and layout kept) and validates the result
 * like a load would, so an edit can never write a file that the next load rejects.
 */
export function editYaml<T>(f: YamlFile<T>, schema: SchemaName, edit: (doc: Document) => void): YamlFile<T> {
  const doc = f.doc.clone();
  edit(doc);
  return loadYaml<T>(String(doc), f.file, schema);
}
