/**
 * The lossless `.env` syntax tree and the read-only questions asked of it.
 *
 * A document is a BOM flag plus nodes that tile the text exactly: concatenating every
 * node's `raw` after the BOM gives back the parsed string, byte for byte.
 */

/** The characters dotenv allows in a key (`[\w.-]+`, ASCII only). */
export const KEY_PATTERN = "[\\w.-]+";

const KEY = new RegExp(`^${KEY_PATTERN}$`);

/** Whether `name` can be written as a key in dotenv syntax. */
export function isKey(name: string): boolean {
  return KEY.test(name);
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a POSIX shell can assign `name`; other dotenv keys, such as `a.b`, are commands to it. */
export function isShellName(name: string): boolean {
  return SHELL_NAME.test(name);
}

/** A line ending as found in the file; `""` on a last line that has none. */
export type LineEnding = "\n" | "\r\n" | "\r" | "";

/** The quote around a value; `""` for an unquoted value. */
export type Quote = "" | "'" | '"' | "`";

interface NodeBase {
  /** The node's exact text, including its final line ending. */
  readonly raw: string;
  /** 1-based line on which the node starts. */
  readonly line: number;
  /** The line ending that closes the node's last line. */
  readonly eol: LineEnding;
}

/** A line holding only whitespace. */
export interface BlankLine extends NodeBase {
  readonly kind: "blank";
}

/** A line whose first non-blank character is `#`. */
export interface CommentLine extends NodeBase {
  readonly kind: "comment";
}

/**
 * `KEY=value` (or `export KEY=value`, `KEY: value`), possibly spanning several lines when
 * a quoted value holds line breaks. `raw` is exactly
 * `indent + exportPrefix + key + separator + gap + quote + body + quote + after + eol`.
 */
export interface Assignment extends NodeBase {
  readonly kind: "assignment";
  readonly key: string;
  /** The value as `dotenv.parse` reads it. */
  readonly value: string;
  readonly indent: string;
  /** `export` and the whitespace after it, or `""`. */
  readonly exportPrefix: string;
  /** `=` with the whitespace before it, or `:` with the one whitespace character dotenv requires after it. */
  readonly separator: string;
  /** Whitespace between the separator and the value. */
  readonly gap: string;
  readonly quote: Quote;
  /** The value's text as written: between the quotes, or the unquoted value without surrounding whitespace. */
  readonly body: string;
  /** Whitespace and an inline comment after the value, up to the line ending. */
  readonly after: string;
}

/** Lines that cannot be read as any of the other nodes, kept verbatim. */
export interface OpaqueBlock extends NodeBase {
  readonly kind: "opaque";
  /** 1-based line on which the block ends. */
  readonly endLine: number;
  /** Why the first line of the block cannot be read. */
  readonly reason: string;
}

/** One piece of the file; the nodes of a document follow each other without gaps. */
export type EnvNode = BlankLine | CommentLine | Assignment | OpaqueBlock;

/** Something a reader of the file should know; never contains a value. */
export interface ParseWarning {
  /** `opaque`: lines kept as written; `duplicate`: a key assigned more than once (one warning per key). */
  readonly kind: "opaque" | "duplicate";
  /** The block's first line, or the line of the assignment that wins. */
  readonly line: number;
  /** For `opaque`: the last line of the block. */
  readonly endLine?: number;
  /** For `duplicate`: the key. */
  readonly key?: string;
  /** A sentence naming the line numbers (and key), ready to show. */
  readonly message: string;
}

/** A parsed `.env` file. Treat it as immutable: the edit functions return new documents. */
export interface EnvDocument {
  /** The text starts with U+FEFF, which is not part of the first node. */
  readonly bom: boolean;
  readonly nodes: readonly EnvNode[];
}

/** What {@link parse} returns: the tree, and what a reader of the file should know. */
export interface ParseResult {
  readonly doc: EnvDocument;
  readonly warnings: readonly ParseWarning[];
}

/** The document's text, byte for byte what was parsed (or what the edits produced). */
export function print(doc: EnvDocument): string {
  let text = doc.bom ? "\uFEFF" : "";
  for (const node of doc.nodes) text += node.raw;
  return text;
}

/**
 * The final key → value map, as `dotenv.parse` builds it: the last assignment of a key
 * wins, and keys keep the order in which they first appear.
 */
export function entries(doc: EnvDocument): Map<string, string> {
  const map = new Map<string, string>();
  for (const node of doc.nodes) if (node.kind === "assignment") map.set(node.key, node.value);
  return map;
}

/** The key's effective (last assigned) value, or `undefined` when no line assigns it. */
export function get(doc: EnvDocument, key: string): string | undefined {
  const index = lastAssignment(doc, key);
  return index === -1 ? undefined : (doc.nodes[index] as Assignment).value;
}

/** The keys the document assigns, in the order they first appear. */
export function keys(doc: EnvDocument): string[] {
  return [...entries(doc).keys()];
}

/**
 * The file's line-ending style: the ending of its first terminated line, or `"\n"` for a
 * file without any, so that new lines follow what is already there.
 */
export function lineEnding(doc: EnvDocument): Exclude<LineEnding, ""> {
  for (const node of doc.nodes) {
    const first = /\r\n|\r|\n/.exec(node.raw);
    if (first !== null) return first[0] as Exclude<LineEnding, "">;
  }
  return "\n";
}

/** Index in `doc.nodes` of the key's effective assignment, or -1. */
/** Each key's last (effective) assignment, in one pass. */
export function lastAssignments(doc: EnvDocument): Map<string, Assignment> {
  const map = new Map<string, Assignment>();
  for (const node of doc.nodes) if (node.kind === "assignment") map.set(node.key, node);
  return map;
}

export function lastAssignment(doc: EnvDocument, key: string): number {
  for (let i = doc.nodes.length - 1; i >= 0; i--) {
    const node = doc.nodes[i]!;
    if (node.kind === "assignment" && node.key === key) return i;
  }
  return -1;
}
