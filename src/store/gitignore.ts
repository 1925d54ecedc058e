/** The lines envvault needs in `.gitignore` (targets, `.envvault.local/`, temp files), added without touching the rest. */
import { readInside } from "../io/confine.js";

/**
 * The `.gitignore` text with `patterns` appended where missing, or undefined when every
 * pattern is already there. Lines are compared exactly; the file's line ending is kept.
 */
export async function withIgnored(root: string, patterns: readonly string[]): Promise<string | undefined> {
  // Through the confined reader: a committed .gitignore may be a symlink planted to make envvault write elsewhere.
  const current = (await readInside(root, ".gitignore"))?.bytes.toString("utf8") ?? "";
  const eol = current.includes("\r\n") ? "\r\n" : "\n";
  const have = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const missing = [...new Set(patterns)].filter((p) => !have.has(p) && !have.has(p.replace(/^\//, "")) && !have.has("/" + p));
  if (missing.length === 0) return undefined;
  const base = current === "" || current.endsWith("\n") ? current : current + eol;
  const header = have.has("# envvault: plaintext targets and local state") ? "" : `# envvault: plaintext targets and local state${eol}`;
  return base + header + missing.map((p) => p + eol).join("");
}

/** A target path as a .gitignore pattern anchored at the repository root. */
export function ignorePattern(target: string): string {
  return "/" + target.replace(/\\/g, "/").replace(/^\.\//, "");
}
