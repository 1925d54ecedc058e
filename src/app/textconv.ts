/**
 * `vault textconv FILE`: what `git diff` and `git log -p` show for a vault environment file
 * (`diff.envvault.textconv`). One line per scope and per variable; a value is masked but
 * carries its change time and a short hash of its ciphertext, so a changed value shows as a
 * changed line; a removed variable shows as removed. Each line names the members whose
 * records claim it (`signed by …`; `vault verify` checks the signatures), so that the
 * `#@batch` (key material) and `#@sig` lines themselves are left out. The value of a config
 * variable (`kind: config` in vault.yaml) is shown to a reader who can open it, as `vault
 * list` shows it; with ENVVAULT_DIFF_REVEAL=1 every value the reader can open is shown.
 * Values that cannot be opened stay masked.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { openValue } from "../crypto/seal.js";
import { readTextInside } from "../io/confine.js";
import { fsError } from "../io/files.js";
import { kindOf, VAULT_FILE } from "../model/config.js";
import { type Conflict, envOf, parseConflicted } from "../model/conflicts.js";
import { MASKED } from "../model/diff.js";
import { type EnvFile, HEADER, parseRemovedLine, parseValueLine, type SealedValue, signedView, valueTime } from "../model/envfile.js";
import { leavesOf, splitLeaves } from "../model/signed.js";
import type { Keyring } from "../store/keyring.js";
import { findVaultRoot } from "../store/root.js";
import { type Deps, openVault, optionalKeyring } from "./session.js";

/** Opens the values a diff shows: the reader's keyring, and which keys it shows. */
interface Revealer {
  keyring: Keyring;
  shows: (key: string) => boolean;
}

/**
 * What the reader may see of a file's values (`keys`): config values, or every value with
 * ENVVAULT_DIFF_REVEAL=1. Kinds come from the verified vault.yaml of the work tree (a pushed
 * one that calls a secret config is refused, not believed); nothing is decrypted when the
 * file has nothing to show, or the vault or identity cannot be read.
 */
async function revealer(deps: Deps, keys: readonly string[]): Promise<Revealer | undefined> {
  const all = deps.processEnv.ENVVAULT_DIFF_REVEAL === "1";
  if (keys.length === 0 || (!all && !(await mayDeclareConfig(deps)))) return undefined;
  try {
    const vault = await openVault(deps);
    const cfg = vault.config.data;
    const shows = all ? () => true : (key: string) => kindOf(cfg, key) === "config";
    if (!keys.some(shows)) return undefined;
    const keyring = await optionalKeyring(vault, deps);
    return keyring === undefined ? undefined : { keyring, shows };
  } catch {
    return undefined;
  }
}

/**
 * Whether vault.yaml's text names the config kind at all: git runs textconv once per file
 * version shown, and a vault without config variables is spared the load (the kinds
 * themselves are read from the verified vault.yaml).
 */
async function mayDeclareConfig(deps: Deps): Promise<boolean> {
  try {
    return /\bconfig\b/.test((await readTextInside(findVaultRoot(deps.cwd), VAULT_FILE))?.text ?? "");
  } catch {
    return false;
  }
}

/** Who claims each line of a file, by the line's name (`KEY`, `scope S`). */
function signers(file: EnvFile): Map<string, string> {
  const byLeaf = new Map<string, string[]>();
  for (const r of file.sigs.values()) for (const l of splitLeaves(r.leaves)) byLeaf.set(l, [...(byLeaf.get(l) ?? []), r.member]);
  const out = new Map<string, string>();
  for (const [leaf, ref] of leavesOf(signedView(file))) {
    const members = [...new Set(byLeaf.get(leaf) ?? [])].sort();
    out.set(ref.kind === "scope" ? `scope ${ref.name}` : ref.name, members.length === 0 ? "unsigned" : `signed by ${members.join(", ")}`);
  }
  return out;
}

async function render(file: EnvFile, key: string, v: SealedValue, revealer: Revealer | undefined, signed: string | undefined): Promise<string> {
  const scope = file.batches.get(v.batch)?.scope;
  const ref = createHash("sha256").update(v.payload).digest("hex").slice(0, 8);
  const by = signed === undefined ? "" : ` ${signed}`;
  if (revealer !== undefined && revealer.shows(key) && scope !== undefined) {
    try {
      const valueKey = await revealer.keyring.valueKey(file, v.batch, key);
      const value = openValue({ valueKey, env: file.env, scope, key, t: v.t, payload: v.payload });
      return `${key}=${JSON.stringify(value)}  # ${valueTime(v.t)}${by}`;
    } catch {
      // Not readable with this identity (another scope, or a key rotated since): masked.
    }
  }
  return `${key}=${MASKED}  # ${valueTime(v.t)} ${ref}${scope !== undefined && scope !== file.env ? ` scope ${scope}` : ""}${by}`;
}

const removal = (key: string, t: number, signed: string | undefined) => `${key} removed  # ${valueTime(t)}${signed === undefined ? "" : ` ${signed}`}`;

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
  const shown = await revealer(deps, [...file.values.keys(), ...conflicts.filter((c) => c.kind !== "scope").map((c) => c.name)]);
  const by = signers(file);
  const lines = [`${HEADER} ${env}`, ...file.comments];
  const sorted = <T>(m: ReadonlyMap<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [scope, recipient] of sorted(file.scopes)) lines.push(`scope ${scope} ${recipient} ${by.get(`scope ${scope}`) ?? "unsigned"}`);
  const keys = new Map<string, string>();
  for (const [key, r] of file.removed) keys.set(key, removal(key, r.t, by.get(key)));
  for (const [key, v] of file.values) keys.set(key, await render(file, key, v, shown, by.get(key)));
  lines.push(...sorted(keys).map(([, l]) => l));
  const side = async (c: Conflict, line: string | undefined): Promise<string> => {
    if (line === undefined) return "(none)";
    if (c.kind === "scope") return line.replace(/^#@/, "").replace(/ \S+$/, "");
    const removed = parseRemovedLine(line);
    if (removed !== undefined) return removal(c.name, removed.removed.t, undefined);
    const parsedLine = parseValueLine(line);
    return parsedLine === undefined ? line : render(file, c.name, parsedLine.value, shown, undefined);
  };
  for (const c of conflicts) {
    lines.push(`CONFLICT ${c.kind === "scope" ? `scope ${c.name}` : c.name}: ${c.reason}`);
    lines.push(`  ours:   ${await side(c, c.ours.line)}`, `  theirs: ${await side(c, c.theirs.line)}`);
  }
  return lines.join("\n") + "\n";
}
