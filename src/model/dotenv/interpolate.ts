/**
 * Opt-in variable expansion in values, after dotenv-expand: `${NAME}`, `$NAME`, and the
 * shell forms `${NAME:-default}`, `${NAME-default}`, `${NAME:+alternative}`,
 * `${NAME+alternative}`; `\$` is a literal `$`. There is never command substitution:
 * `$(cmd)` and anything else that is not a reference stay as written.
 *
 * Where it differs from dotenv-expand, on purpose:
 * - references resolve through the whole map in any order (dotenv-expand only sees keys
 *   above the current one, or their unexpanded text via `process.env`);
 * - a key of the map wins over the outside lookup (the caller layers the process
 *   environment into the map when it should win);
 * - a key referring to itself (`PATH=${PATH}:/opt/bin`) reads the outside value, as a
 *   shell does; other cycles throw instead of expanding to `""`;
 * - `-` and `+` without a colon test only for unset, as in POSIX shells (dotenv-expand
 *   also treats empty as unset there);
 * - outside values are inserted as they are, never expanded again.
 * Names follow `[A-Za-z_][A-Za-z0-9_]*`; keys with `.` or `-` cannot be referenced.
 */
import { ValidationFailed } from "../../errors.js";

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /:-|-|:\+|\+/y;
const BACKSLASH = 0x5c;

/** A reference to a key of the map whose value is not known yet. */
class Unresolved {
  constructor(readonly name: string) {}
}

type Resolve = (name: string) => string | undefined | Unresolved;

interface Reference {
  readonly name: string;
  readonly operator: string;
  /** The default or alternative text, itself a template. */
  readonly word: string;
  /** Index just past the reference. */
  readonly end: number;
}

function nameAt(template: string, at: number): string | undefined {
  NAME.lastIndex = at;
  return NAME.exec(template)?.[0];
}

/** The reference starting with the `$` at `dollar`, or undefined when the `$` is literal. */
function referenceAt(template: string, dollar: number): Reference | undefined {
  if (template[dollar + 1] !== "{") {
    const name = nameAt(template, dollar + 1);
    return name === undefined ? undefined : { name, operator: "", word: "", end: dollar + 1 + name.length };
  }
  const name = nameAt(template, dollar + 2);
  if (name === undefined) return undefined;
  const afterName = dollar + 2 + name.length;
  if (template[afterName] === "}") return { name, operator: "", word: "", end: afterName + 1 };
  OPERATOR.lastIndex = afterName;
  const operator = OPERATOR.exec(template)?.[0];
  if (operator === undefined) return undefined;
  const wordStart = afterName + operator.length;
  let depth = 0;
  for (let i = wordStart; i < template.length; i++) {
    const char = template[i];
    if (char === "{") {
      depth++;
    } else if (char === "}") {
      if (depth === 0) return { name, operator, word: template.slice(wordStart, i), end: i + 1 };
      depth--;
    }
  }
  return undefined;
}

function substitute(ref: Reference, value: string | undefined, resolve: Resolve): string | Unresolved {
  switch (ref.operator) {
    case ":-":
      return value ? value : expand(ref.word, resolve);
    case "-":
      return value !== undefined ? value : expand(ref.word, resolve);
    case ":+":
      return value ? expand(ref.word, resolve) : "";
    case "+":
      return value !== undefined ? expand(ref.word, resolve) : "";
    default:
      return value ?? "";
  }
}

function expand(template: string, resolve: Resolve): string | Unresolved {
  let out = "";
  let i = 0;
  for (let dollar = template.indexOf("$"); dollar !== -1; dollar = template.indexOf("$", i)) {
    if (dollar > i && template.charCodeAt(dollar - 1) === BACKSLASH) {
      out += template.slice(i, dollar - 1) + "$";
      i = dollar + 1;
      continue;
    }
    out += template.slice(i, dollar);
    const ref = referenceAt(template, dollar);
    if (ref === undefined) {
      out += "$";
      i = dollar + 1;
      continue;
    }
    const value = resolve(ref.name);
    if (value instanceof Unresolved) return value;
    const piece = substitute(ref, value, resolve);
    if (piece instanceof Unresolved) return piece;
    out += piece;
    i = ref.end;
  }
  return out + template.slice(i);
}

/**
 * Expands the references in every value of `values` (raw values, as parsed) and returns
 * the results in the same order. A name that is not a key of `values` is looked up with
 * `lookup` (typically the process environment); unknown names expand to `""`.
 * @throws ValidationFailed naming the keys when references form a cycle.
 */
export function interpolate(
  values: ReadonlyMap<string, string>,
  lookup: (name: string) => string | undefined = () => undefined,
): Map<string, string> {
  const done = new Map<string, string>();
  // An explicit stack instead of recursion: a long chain of references must not overflow.
  for (const root of values.keys()) {
    const stack = [root];
    const onStack = new Set(stack);
    while (stack.length > 0) {
      const key = stack.at(-1)!;
      const result = done.has(key)
        ? done.get(key)!
        : expand(values.get(key)!, (name) =>
            name === key || !values.has(name) ? lookup(name) : (done.get(name) ?? new Unresolved(name)),
          );
      if (!(result instanceof Unresolved)) {
        done.set(key, result);
        onStack.delete(stack.pop()!);
      } else if (onStack.has(result.name)) {
        const cycle = [...stack.slice(stack.indexOf(result.name)), result.name];
        throw new ValidationFailed(`interpolation cycle: ${cycle.join(" → ")}`, {
          data: { key: cycle[0], keys: cycle.slice(0, -1) },
          hints: ["give one of these keys a value that does not refer back to the others"],
        });
      } else {
        stack.push(result.name);
        onStack.add(result.name);
      }
    }
  }
  return new Map([...values.keys()].map((key) => [key, done.get(key)!]));
}
