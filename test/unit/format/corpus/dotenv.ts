// How npm dotenv 17 reads a text, in the shape our `entries` has, for comparisons.
import dotenv from "dotenv";

/** `dotenv.parse(Buffer)` as a Map. Key order is not compared: objects put integer-like keys first. */
export function dotenvEntries(text: string): Map<string, string> {
  return new Map(Object.entries(dotenv.parse(Buffer.from(text, "utf8"))));
}

/** Entries sorted by key, for order-insensitive `toEqual`. */
export function sorted(map: ReadonlyMap<string, string>): [string, string][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
