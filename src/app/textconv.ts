/**
 * `vault textconv FILE`: what `git diff` and `git log -p` show for a vault environment file
 * (`diff.envvault.textconv`). One line per scope and per variable; a value is masked but
 * carries its change time and a short hash of its ciphertext, so a changed value shows as a
 * changed line. Batch lines (key material) are left out. With ENVVAULT_DIFF_REVEAL=1 and
 * read access, values are shown; values that cannot be opened stay masked.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { openValue } from "../crypto/seal.js";
import { fsError } from "../io/files.js";
import { type Conflict, envOf, parseConflicted } from "../model/conflicts.js";
import { MASKED } from "../model/diff.js";
import { type EnvFile, HEADER, parseValueLine, type SealedValue, valueTime } from "../model/envfile.js";
import type { Keyring } from "../store/keyring.js";
import { type Deps, openVault, optionalKeyring } from "./session.js";

/** The reader's keyring when values are to be revealed and can be; else nothing is decrypted. */
async function revealer(deps: Deps): Promise<Keyring | undefined> {
  if (deps.processEnv.ENVVAULT_DIFF_REVEAL !== "1") return undefined;
  try {
    return await optionalKeyring(await openVault(deps), deps);
  } catch {
    return undefined;
  }
}

async function render(file: EnvFile, key: string, v: SealedValue, keyring: Keyring | undefined): Promise<string> {
  const scope = file.batches.get(v.batch)?.scope;
  const ref = createHash("sha256").update(v.payload).digest("hex").slice(0, 8);
  if (keyring !== undefined && scope !== undefined) {
    try {
      const valueKey = await keyring.valueKey(file, v.batch, key);
      const value = openValue({ valueKey, env: file.env, scope, key, t: v.t, payload: v.payload });
      return `${key}=${JSON.stringify(value)}  # ${valueTime(v.t)}`;
    } catch {
      // Not readable with this identity (another scope, or a key rotated since): masked.
    }
  }
  return `${key}=${MASKED}  # ${valueTime(v.t)} ${ref}${scope !== undefined && scope !== file.env ? ` scope ${scope}` : ""}`;
}

/** The text git shows for `file`: the converted lines, or the file as it is when it is not an envvault file. */
export async function textconv(deps: Deps, o: { file: string }): Promise<string> {
  let text: string;
  try {
    text = await readFile(o.file, "utf8");
  } catch (e) {
    throw fsError("read", o.file, e);
  }
  const env = envOf("", text);
  let parsed;
  try {
    parsed = parseConflicted(text, o.file, env);
  } catch {
    return text; // not an envvault file (or damaged): shown as it is
  }
  const { file, conflicts } = parsed;
  const keyring = await revealer(deps);
  const lines = [`${HEADER} ${env}`, ...file.comments];
  for (const [scope, recipient] of [...file.scopes].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`scope ${scope} ${recipient}`);
  for (const [key, v] of [...file.values].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(await render(file, key, v, keyring));
  const side = async (c: Conflict, line: string | undefined): Promise<string> => {
    if (line === undefined) return "(removed)";
    if (c.kind === "scope") return line.replace(/^#@/, "");
    const parsedLine = parseValueLine(line);
    return parsedLine === undefined ? line : render(file, c.name, parsedLine.value, keyring);
  };
  for (const c of conflicts) {
    lines.push(`CONFLICT ${c.kind === "scope" ? `scope ${c.name}` : c.name}: ${c.reason}`);
    lines.push(`  ours:   ${await side(c, c.ours.line)}`, `  theirs: ${await side(c, c.theirs.line)}`);
  }
  return lines.join("\n") + "\n";
}
