/**
 * Pure edits of a parsed document. Each returns a new document and leaves the one it was
 * given alone; only the text of the one assignment it is about changes.
 *
 * Every edit is checked by parsing its result again: a quote elsewhere in the file that
 * was never properly closed can take a new line into its value (dotenv would read it that
 * way too), and then the next way of writing the value is tried, or the edit refused.
 */
import { InvalidFile } from "../../errors.js";
import type { Assignment, EnvDocument, EnvNode } from "./document.js";
import { entries, lastAssignment, lineEnding, print } from "./document.js";
import { parse } from "./parse.js";
import type { Style, WriteOptions } from "./quote.js";
import { assertKey, encodeValue, isShellSafe, stylesFor, unwritable } from "./quote.js";

function textWith(doc: EnvDocument, nodes: readonly EnvNode[]): string {
  return print({ bom: doc.bom, nodes });
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  const right = b.entries();
  for (const [key, value] of a) {
    const other = right.next().value;
    if (other === undefined || other[0] !== key || other[1] !== value) return false;
  }
  return true;
}

/** The edit would change how other lines read; says so without naming any value. */
function unsettled(key: string, verb: string): InvalidFile {
  return new InvalidFile(`cannot ${verb} ${key} without changing how other lines of the file read`, {
    data: { key },
    hints: [
      "a quoted value elsewhere in the file has a missing or backslash-escaped closing quote, and would take the new text into its value",
      "fix the lines reported as unparseable (or the value whose closing quote follows a backslash), then try again",
    ],
  });
}

function styleOf(node: Assignment): Style {
  return { quote: node.quote, rawNewlines: node.quote === '"' && /[\r\n]/.test(node.body) };
}

const BLANKS = /^[ \t]*$/;

/**
 * What follows a shell-safe value: nothing, or a comment after blanks. A shell reads other
 * whitespace as part of the value, `'x'#c` as `x#c` where dotenv reads `x`, and in a CRLF
 * file a blank before the CR makes the CR a command; a comment takes the CR along.
 */
function shellSafeAfter(after: string): string {
  const hash = after.indexOf("#");
  if (hash === -1) return "";
  const space = after.slice(0, hash);
  return (space !== "" && BLANKS.test(space) ? space : " ") + after.slice(hash);
}

/**
 * The line the assignment becomes with `written` as its value. For dotenv alone everything
 * else on it is kept. Shell-safe, indentation and the space after `export` are kept only
 * when they are blanks (a shell reads other whitespace as part of a word), and the value
 * follows a plain `=`, as `A = v` and `A: v` are commands to a shell.
 */
function rewrite(node: Assignment, written: string, shellSafe: boolean): string {
  if (!shellSafe) return node.indent + node.exportPrefix + node.key + node.separator + node.gap + written + node.after + node.eol;
  const indent = BLANKS.test(node.indent) ? node.indent : "";
  const exportPrefix = node.exportPrefix === "" || BLANKS.test(node.exportPrefix.slice("export".length)) ? node.exportPrefix : "export ";
  return indent + exportPrefix + node.key + "=" + written + shellSafeAfter(node.after) + node.eol;
}

/**
 * Gives `key` the value `value`. The key's last assignment (the one that counts) is
 * rewritten in place, keeping its `export`, indentation, inline comment and quoting when
 * the quoting can hold the new value (else the simplest that can, see {@link quoteValue}).
 * Shell-safe (the default, see {@link WriteOptions}), the value follows a plain `=`,
 * whitespace other than blanks before it goes, nothing but a comment (after a blank) stays
 * after it, and a line that already holds the value is rewritten when a shell would read it
 * otherwise. A key not yet assigned gets a new line at the end, in the file's line-ending
 * style, after a line ending added to a last line without one. Returns `doc` itself when
 * nothing changes.
 * @throws UsageError for an invalid key; ValidationFailed for a value that cannot be
 * written; InvalidFile when a broken quote elsewhere in the file would swallow the new text.
 */
export function set(doc: EnvDocument, key: string, value: string, options: WriteOptions = {}): EnvDocument {
  const shellSafe = isShellSafe(options);
  assertKey(key, shellSafe);
  const index = lastAssignment(doc, key);
  const node = index === -1 ? undefined : (doc.nodes[index] as Assignment);
  if (node?.value === value && !shellSafe) return doc;
  const styles = stylesFor(value, shellSafe, node && styleOf(node));
  if (styles.length === 0) throw unwritable(value, shellSafe, key);
  const eol = lineEnding(doc);
  if (node?.value === value && keptAsIs(node, eol, shellSafe, styles)) return doc;
  const expected = entries(doc).set(key, value);
  for (const style of styles) {
    const written = encodeValue(value, style, eol, shellSafe)!;
    let text: string;
    if (node === undefined) {
      const last = doc.nodes.at(-1);
      text = print(doc) + (last !== undefined && last.eol === "" ? eol : "") + `${key}=${written}${eol}`;
    } else {
      text = textWith(doc, doc.nodes.with(index, { ...node, raw: rewrite(node, written, shellSafe) }));
    }
    const next = parse(text).doc;
    if (sameEntries(entries(next), expected)) return next;
  }
  throw unsettled(key, "set");
}

/** Whether the line of an assignment already writes its value as {@link set} would (only its own quoting, first when it fits, can). */
function keptAsIs(node: Assignment, eol: string, shellSafe: boolean, styles = stylesFor(node.value, shellSafe, styleOf(node))): boolean {
  const first = styles[0];
  return first !== undefined && rewrite(node, encodeValue(node.value, first, eol, shellSafe)!, shellSafe) === node.raw;
}

/**
 * Whether {@link set} would leave the key's line as it is for the value it already holds
 * (shell-safe lines, or any line in plain dotenv mode). Cheap, for checking many keys of a
 * document: `node` is the key's last assignment.
 */
export function holdsAsWritten(doc: EnvDocument, node: Assignment, options: WriteOptions = {}): boolean {
  const shellSafe = isShellSafe(options);
  return !shellSafe || keptAsIs(node, lineEnding(doc), shellSafe);
}

/**
 * Deletes the key's last assignment (the one that counts), with its line ending; nothing
 * else changes. An earlier assignment of the same key, if any, then counts again. Returns
 * `doc` itself when no line assigns the key.
 * @throws InvalidFile when a broken quote elsewhere in the file would then swallow other lines.
 */
export function remove(doc: EnvDocument, key: string): EnvDocument {
  const index = lastAssignment(doc, key);
  if (index === -1) return doc;
  const nodes = doc.nodes.filter((_, i) => i !== index);
  const next = parse(textWith(doc, nodes)).doc;
  if (!sameEntries(entries(next), entries({ bom: doc.bom, nodes }))) throw unsettled(key, "remove");
  return next;
}
