/**
 * Where a member's identity is looked up, in this order: `--identity FILE`,
 * `ENVVAULT_IDENTITY` (the key itself, for CI), `ENVVAULT_IDENTITY_FILE`,
 * `$XDG_CONFIG_HOME/envvault/identity.txt` (default `~/.config/envvault/identity.txt`); and
 * how a new identity file is written.
 */
import { signerFor } from "../crypto/sign.js";
import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { VaultError } from "../errors.js";
import { generateIdentity, identityToRecipient } from "../crypto/age.js";
import { formatIdentityFile, parseIdentityFile } from "../crypto/identity.js";
import { fsError } from "../io/files.js";

/** Where to look for an identity, and how to read files (injectable for tests). */
export interface IdentityLookup {
  /** The `--identity FILE` flag. */
  flag?: string | undefined;
  /** The process environment (`ENVVAULT_IDENTITY`, `ENVVAULT_IDENTITY_FILE`, `XDG_CONFIG_HOME`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The home directory; defaults to `os.homedir()`. */
  home?: string;
  /** Reads a file as UTF-8; rejects with a Node errno error. Defaults to `fs.readFile`. */
  readFile?: (path: string) => Promise<string>;
}

/** The identity found: where it came from and its `AGE-SECRET-KEY-1…` keys. */
export interface ResolvedIdentity {
  /** `--identity <file>`, `ENVVAULT_IDENTITY`, `ENVVAULT_IDENTITY_FILE <file>` or the default path. */
  source: string;
  identities: string[];
}

/** `$XDG_CONFIG_HOME/envvault/identity.txt`, or `<home>/.config/envvault/identity.txt`. */
export function defaultIdentityPath(env: Readonly<Record<string, string | undefined>>, home = homedir()): string {
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env["XDG_CONFIG_HOME"];
  const config = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, ".config");
  return join(config, "envvault", "identity.txt");
}

/**
 * Finds the identity in the order above. The first place that is set is used: a
 * flag or variable naming a missing file is an error, not a reason to look further. An
 * empty variable counts as unset (CI systems pass empty strings for missing secrets).
 *
 * @throws VaultError `NO_IDENTITY` listing every place tried and how to create an identity.
 * @throws VaultError `BAD_IDENTITY` when the identity found does not parse.
 */
export async function resolveIdentity(lookup: IdentityLookup): Promise<ResolvedIdentity> {
  const { flag, env } = lookup;
  const read = lookup.readFile ?? ((path: string) => readFile(path, "utf8"));
  const fallback = defaultIdentityPath(env, lookup.home);

  if (flag !== undefined) return fromFile(read, flag, `--identity ${flag}`, fallback);
  const inline = env["ENVVAULT_IDENTITY"]?.trim();
  if (inline) return { source: "ENVVAULT_IDENTITY", identities: parseIdentityFile(inline, "ENVVAULT_IDENTITY") };
  const file = env["ENVVAULT_IDENTITY_FILE"];
  if (file) return fromFile(read, file, `ENVVAULT_IDENTITY_FILE ${file}`, fallback);
  return fromFile(read, fallback, fallback, fallback, [
    "--identity (not given)",
    `ENVVAULT_IDENTITY (${env["ENVVAULT_IDENTITY"] === undefined ? "not set" : "empty"})`,
    `ENVVAULT_IDENTITY_FILE (${env["ENVVAULT_IDENTITY_FILE"] === undefined ? "not set" : "empty"})`,
  ]);
}

async function fromFile(
  read: (path: string) => Promise<string>,
  path: string,
  source: string,
  defaultPath: string,
  triedBefore: string[] = [],
): Promise<ResolvedIdentity> {
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : `cannot read it (${code ?? "error"})`;
    const tried = [...triedBefore, `${path} (${why})`];
    throw new VaultError("NO_IDENTITY", `no age identity found; tried: ${tried.join(", ")}`, {
      data: { file: path, tried },
      cause: error,
      hints: [
        `create one with \`vault keygen\` (writes ${defaultPath})`,
        `or with age: mkdir -p ${dirname(defaultPath)} && age-keygen -o ${defaultPath}`,
        "or use an existing one: --identity FILE, ENVVAULT_IDENTITY_FILE=FILE, or ENVVAULT_IDENTITY (the key itself, for CI)",
      ],
    });
  }
  return { source, identities: parseIdentityFile(text, path) };
}

/**
 * `mkdir -p` one level at a time. Node 20's `mkdir(dir, { recursive: true })` never returns
 * for a directory that cannot be created under an existing one that refuses it (e.g.
 * `/proc/x`: it retries forever), so the missing levels are found first and made one by one.
 */
async function makeDirectories(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!(await stat(d)).isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: "ENOTDIR" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(d) === d) throw fsError("create the directory", dir, error);
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fsError("create the directory", dir, error);
    }
  }
}

/**
 * Creates a new identity file in `age-keygen`'s format: missing directories mode 0700, the
 * file mode 0600. The file appears complete or not at all (written to a temporary file,
 * then hard-linked into place, which fails rather than replace an existing file).
 *
 * @returns the new identity's recipient.
 * @throws VaultError `CONFLICT` when `path` already exists: an identity is never overwritten.
 */
export async function writeIdentityFile(path: string, now = new Date()): Promise<{ recipient: string; signingKey: string }> {
  const dir = dirname(path);
  await makeDirectories(dir, 0o700);
  const secret = await generateIdentity();
  const recipient = await identityToRecipient(secret);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o600);
  try {
    try {
      await handle.writeFile(formatIdentityFile(secret, recipient, now));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new VaultError("CONFLICT", `${path} already exists; envvault never overwrites an identity`, {
        data: { file: path },
        hints: ["keep using it (it is found automatically), or write the new one elsewhere with --out FILE"],
      });
    }
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
  const dirHandle = await open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
  return { recipient, signingKey: signerFor(secret).publicKey };
}
