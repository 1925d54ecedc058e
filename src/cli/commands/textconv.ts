/**
 * `vault textconv FILE`: what `git diff` and `git log -p` show for a vault environment file
 * (`diff.envvault.textconv`). One line per scope and per variable; a value is masked but
 * carries its change time and a short hash of its ciphertext, so a changed value shows as a
 * changed line. Batch lines (key material) are left out. With ENVVAULT_DIFF_REVEAL=1 and
 * read access, values are shown; values that cannot be opened stay masked.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fsError } from "../../io/files.js";
import { openValue } from "../../crypto/seal.js";
import { MASKED } from "../../model/diff.js";
import { type EnvFile, HEADER, type SealedValue } from "../../model/envfile.js";
import { type Conflict, envOf, parseConflicted } from "../../model/conflicts.js";
import type { Keyring } from "../../store/keyring.js";
import { findGitRoot } from "../../store/root.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  file: string;
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.000Z$/, "Z");

async function revealer(ctx: Context): Promise<Keyring | undefined> {
  if (ctx.processEnv.ENVVAULT_DIFF_REVEAL !== "1") return undefined;
  try {
    const { Vault } = await import("../../store/vault.js");
    const { optionalKeyring } = await import("../../app/session.js");
    return await optionalKeyring(await Vault.load(findGitRoot(ctx.cwd) ?? ctx.cwd), depsOf(ctx));
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
      return `${key}=${JSON.stringify(value)}  # ${iso(v.t)}`;
    } catch {
      // Not readable with this identity (another scope, or a key rotated since): masked.
    }
  }
  return `${key}=${MASKED}  # ${iso(v.t)} ${ref}${scope !== undefined && scope !== file.env ? ` scope ${scope}` : ""}`;
}

export async function textconv(ctx: Context, args: Args): Promise<void> {
  let text: string;
  try {
    text = await readFile(args.file, "utf8");
  } catch (e) {
    throw fsError("read", args.file, e);
  }
  const env = envOf("", text);
  let parsed;
  try {
    parsed = parseConflicted(text, args.file, env);
  } catch {
    ctx.out.raw(text); // not an envvault file (or damaged): show it as it is
    return;
  }
  const { file, conflicts } = parsed;
  const keyring = await revealer(ctx);
  const lines = [`${HEADER} ${env}`, ...file.comments];
  for (const [scope, recipient] of [...file.scopes].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(`scope ${scope} ${recipient}`);
  for (const [key, v] of [...file.values].sort(([a], [b]) => (a < b ? -1 : 1))) lines.push(await render(file, key, v, keyring));
  const side = async (c: Conflict, line: string | undefined): Promise<string> => {
    if (line === undefined) return "(removed)";
    if (c.kind === "scope") return line.replace(/^#@/, "");
    const m = /=ev1:([0-9a-f]{12}):(\d+):([A-Za-z0-9_-]+)$/.exec(line);
    return m === null ? line : render(file, c.name, { batch: m[1] ?? "", t: Number(m[2]), payload: m[3] ?? "" }, keyring);
  };
  for (const c of conflicts) {
    lines.push(`CONFLICT ${c.kind === "scope" ? `scope ${c.name}` : c.name}: ${c.reason}`);
    lines.push(`  ours:   ${await side(c, c.ours.line)}`, `  theirs: ${await side(c, c.theirs.line)}`);
  }
  ctx.out.raw(lines.join("\n") + "\n");
}
