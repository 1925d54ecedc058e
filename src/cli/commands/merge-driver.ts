/**
 * `vault merge-driver %O %A %B %P`: git's merge driver for `.envvault/envs/*.env`. Writes
 * the result into %A and exits 0 when every key merged, 1 when conflicts are left (git then
 * reports the file as conflicted). Nothing is decrypted unless keys conflict: then, with an
 * identity that can read them, equal values on both sides settle themselves, and on a
 * terminal each remaining key is asked about.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../../io/atomic.js";
import { fsError } from "../../io/files.js";
import { VaultError } from "../../errors.js";
import { promptLine } from "../../io/terminal.js";
import { MASKED } from "../../model/diff.js";
import { openValue } from "../../crypto/seal.js";
import { type EnvFile, HEADER, parseEnvFile } from "../../model/envfile.js";
import { applySide, type Conflict, type ConflictedFile, envOf, hasConflictMarkers, parseConflicted, type Side } from "../../model/conflicts.js";
import { mergeEnv, printMerged, resolveConflict, sideUsable } from "../../model/merge.js";
import type { Keyring } from "../../store/keyring.js";
import { findGitRoot } from "../../store/root.js";
import { summary, depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  base: string;
  ours: string;
  theirs: string;
  path?: string;
}

/** A base that itself holds conflict blocks (git's virtual base of a criss-cross merge) takes ours of each. */
function baseFile(text: string, path: string, env: string): EnvFile | undefined {
  if (text.trim() === "") return undefined;
  if (!hasConflictMarkers(text)) return parseEnvFile(text, path, env);
  const cf = parseConflicted(text, path, env);
  for (const c of cf.conflicts) applySide(cf.file, c, c.ours.line, env, path);
  return cf.file;
}

/** Opens the values of conflicting lines with the reader's identity, when there is one. */
class SideReader {
  private keyring: Promise<Keyring | undefined> | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly env: string,
  ) {}

  private open(): Promise<Keyring | undefined> {
    this.keyring ??= (async () => {
      try {
        const { Vault } = await import("../../store/vault.js");
        const { optionalKeyring } = await import("../../app/session.js");
        const vault = await Vault.load(findGitRoot(this.ctx.cwd) ?? this.ctx.cwd);
        return await optionalKeyring(vault, depsOf(this.ctx));
      } catch {
        return undefined; // e.g. roster.yaml is in conflict too: nothing is decrypted then
      }
    })();
    return this.keyring;
  }

  /** The side's value, or undefined when it cannot be read here. */
  async value(cf: ConflictedFile, c: Conflict, side: Side): Promise<string | undefined> {
    const line = c[side].line;
    if (line === undefined || c.kind !== "key") return undefined;
    const keyring = await this.open();
    if (keyring === undefined) return undefined;
    try {
      const parsed = parseEnvFile(`${HEADER} ${this.env}\n${line}\n`, "", this.env).values.get(c.name);
      const batch = parsed === undefined ? undefined : cf.file.batches.get(parsed.batch);
      if (parsed === undefined || batch === undefined) return undefined;
      const file: EnvFile = { ...cf.file, scopes: new Map([[batch.scope, c[side].sealed ?? ""]]) };
      const valueKey = await keyring.valueKey(file, parsed.batch, c.name);
      return openValue({ valueKey, env: this.env, scope: batch.scope, key: c.name, t: parsed.t, payload: parsed.payload });
    } catch (e) {
      if (e instanceof VaultError) return undefined;
      throw e;
    }
  }
}

const when = (line: string | undefined) => {
  const t = line === undefined ? undefined : /=ev1:[0-9a-f]{12}:(\d+):/.exec(line)?.[1];
  return t === undefined ? "removed" : `changed ${new Date(Number(t) * 1000).toISOString().replace(/\.000Z$/, "Z")}`;
};

async function ask(cf: ConflictedFile, c: Conflict, reader: SideReader, env: string): Promise<Side | undefined> {
  const show = async (side: Side) => {
    const v = await reader.value(cf, c, side);
    const value = c[side].line === undefined ? "" : v === undefined ? ` ${MASKED}` : ` ${JSON.stringify(v)}`;
    return `(${when(c[side].line)})${value}`;
  };
  const question = [
    `envvault: ${c.name} in ${env}: ${c.reason}`,
    `  [1] ours   ${await show("ours")}`,
    `  [2] theirs ${await show("theirs")}`,
    "  [3] leave the conflict in the file",
    "choose 1, 2 or 3: ",
  ].join("\n");
  for (;;) {
    const answer = (await promptLine(question)).trim();
    if (answer === "1") return "ours";
    if (answer === "2") return "theirs";
    if (answer === "3") return undefined;
  }
}

export async function mergeDriver(ctx: Context, args: Args): Promise<number> {
  const path = args.path ?? ".envvault/envs/?.env";
  const [baseText, oursText, theirsText] = await Promise.all(
    [args.base, args.ours, args.theirs].map((f) => readFile(f, "utf8").catch((e: unknown) => Promise.reject(fsError("read", f, e)))),
  );
  const env = envOf(path, oursText ?? "");
  let cf: ConflictedFile;
  let ours: EnvFile;
  try {
    ours = parseEnvFile(oursText ?? "", `${path} (ours)`, env);
    cf = mergeEnv(env, baseFile(baseText ?? "", `${path} (base)`, env), ours, parseEnvFile(theirsText ?? "", `${path} (theirs)`, env));
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    ctx.out.warn(`cannot merge ${path} key by key: ${e.message}; git leaves it in conflict with our version`);
    return 1;
  }
  const reader = new SideReader(ctx, env);
  for (const c of cf.conflicts.filter((x) => x.kind === "key" && x.ours.line !== undefined && x.theirs.line !== undefined)) {
    if (!sideUsable(cf, c, "ours") || !sideUsable(cf, c, "theirs")) continue;
    const [o, t] = [await reader.value(cf, c, "ours"), await reader.value(cf, c, "theirs")];
    if (o !== undefined && o === t) cf = resolveConflict(cf, c, "ours", path);
  }
  if (ctx.interactive) {
    for (const c of cf.conflicts.filter((x) => x.kind === "key")) {
      if (!sideUsable(cf, c, "ours") || !sideUsable(cf, c, "theirs")) continue;
      const choice = await ask(cf, c, reader, env);
      if (choice !== undefined) cf = resolveConflict(cf, c, choice, path);
    }
  }
  // Replaced, not rewritten in place: killed half way, a truncated %A would be taken by git
  // as the merge result.
  await writeFileAtomic(args.ours, printMerged(cf));
  if (cf.conflicts.length > 0) {
    const list = cf.conflicts.map((c) => `${c.kind === "scope" ? `scope ${c.name}` : c.name} (${c.reason})`).join(", ");
    ctx.out.warn(`${path}: ${cf.conflicts.length} conflict(s) left: ${list}`);
    ctx.out.warn("`vault status` explains them; `vault resolve KEY --ours|--theirs` or `vault set KEY` settles each");
    return 1;
  }
  const theirsGain = [...cf.file.values.keys()].filter((k) => !ours.values.has(k));
  const changed = [...cf.file.values].filter(([k, v]) => ours.values.has(k) && ours.values.get(k)?.payload !== v.payload).map(([k]) => k);
  const removed = [...ours.values.keys()].filter((k) => !cf.file.values.has(k));
  ctx.out.note(`envvault: merged ${path} key by key: ${summary(theirsGain, changed, removed)}`);
  return 0;
}
