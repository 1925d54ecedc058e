/** The text of identity files, in `age-keygen`'s format (store/identity.ts finds and writes them). */
import { VaultError, where } from "../errors.js";
import { isIdentity } from "./age.js";

/**
 * Parses identity text in `age-keygen`'s format: `#` comment lines and blank lines are
 * skipped, every other line must be one `AGE-SECRET-KEY-1…` identity. Lines may end in
 * CRLF; a UTF-8 BOM and surrounding spaces are ignored.
 *
 * @param source - the file path (or `ENVVAULT_IDENTITY`), for errors.
 * @returns the identities, in file order.
 * @throws VaultError `BAD_IDENTITY` naming the source and line, never the line's content.
 */
export function parseIdentityFile(text: string, source: string): string[] {
  const identities: string[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!isIdentity(line)) {
      throw new VaultError("BAD_IDENTITY", `${where(source, index + 1)}: not an age X25519 identity`, {
        data: { file: source, line: index + 1 },
        hints: [
          "an identity file holds AGE-SECRET-KEY-1… lines and # comments, as `vault keygen` and `age-keygen` write it",
        ],
      });
    }
    identities.push(line);
  }
  if (identities.length === 0) {
    throw new VaultError("BAD_IDENTITY", `${source}: holds no identity`, {
      data: { file: source },
      hints: ["an identity file holds at least one AGE-SECRET-KEY-1… line; create one with `vault keygen`"],
    });
  }
  return identities;
}

/**
 * The text `age-keygen` writes for a new identity:
 * `# created: <RFC 3339 local time>`, `# public key: age1…`, the key, each ending in `\n`.
 */
export function formatIdentityFile(secret: string, recipient: string, now: Date): string {
  return `# created: ${rfc3339(now)}\n# public key: ${recipient}\n${secret}\n`;
}

/** Go's `time.RFC3339` layout, which age-keygen uses: local time, seconds, `Z` or `±hh:mm`. */
function rfc3339(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const zone =
    offset === 0 ? "Z" : `${offset > 0 ? "+" : "-"}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return (
    `${String(date.getFullYear()).padStart(4, "0")}-${two(date.getMonth() + 1)}-${two(date.getDate())}` +
    `T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}${zone}`
  );
}

