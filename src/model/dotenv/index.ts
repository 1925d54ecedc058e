/**
 * The `.env` syntax engine: a lossless parse/print, pure edits, dotenv-compatible value
 * semantics, writing that is shell-safe unless asked otherwise, and opt-in interpolation.
 * Pure: no I/O, no node APIs.
 */
export type {
  Assignment,
  BlankLine,
  CommentLine,
  EnvDocument,
  EnvNode,
  LineEnding,
  OpaqueBlock,
  ParseResult,
  ParseWarning,
  Quote,
} from "./document.js";
export { entries, get, keys, lastAssignments, lineEnding, print } from "./document.js";
export { parse } from "./parse.js";
export { holdsAsWritten, remove, set } from "./edit.js";
export type { WriteOptions } from "./quote.js";
export { formatAssignment, quoteValue } from "./quote.js";
export { interpolate } from "./interpolate.js";
