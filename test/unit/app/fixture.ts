/** A throwaway git repository with a vault of one environment and one member, for the use cases of src/app/. */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "../../../src/crypto/age.js";
import { initVault } from "../../../src/app/init.js";
import type { Deps } from "../../../src/app/session.js";
import { applyUpdates } from "../../../src/app/write.js";
import { type EnvFile, printEnvFile } from "../../../src/model/envfile.js";
import { signEnvChange } from "../../../src/model/signing.js";
import { Keyring } from "../../../src/store/keyring.js";
import { writerFor } from "../../../src/store/signing.js";
import { type Changes, transaction } from "../../../src/store/transaction.js";
import { Vault } from "../../../src/store/vault.js";

export const T0 = 1_700_000_000;

export interface Repo {
  root: string;
  identity: string;
  /** Deps of a command run at the top of the repository by the member. */
  deps: Deps;
  git(args: string[]): string;
  /** The development file with these values set (sealed and signed by the member), not written. */
  withValues(values: Record<string, string>, t?: number, from?: EnvFile): Promise<EnvFile>;
  /** Sets values in the development file of the work tree. */
  set(values: Record<string, string>, t?: number): Promise<void>;
  /** Writes vault files as the member, signed as a vault command signs them ({@link writeSigned}). */
  write(files: Record<string, string>, t?: number): Promise<void>;
  cleanup(): Promise<void>;
}

const gitEnv = (home: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: home,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "alice",
  GIT_AUTHOR_EMAIL: "alice@example.invalid",
  GIT_COMMITTER_NAME: "alice",
  GIT_COMMITTER_EMAIL: "alice@example.invalid",
});

/** `git init` and, unless `vault` is false, `initVault` (development, member alice), nothing committed. */
export async function repo(o: { vault?: boolean } = {}): Promise<Repo> {
  const base = await mkdtemp(join(tmpdir(), "envvault-app-"));
  const root = join(base, "repo");
  const env = gitEnv(base);
  const git = (args: string[]) => {
    const r = spawnSync("git", args, { cwd: root, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  spawnSync("git", ["init", "-q", "-b", "main", root], { env });
  git(["config", "commit.gpgsign", "false"]);
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  if (o.vault !== false) await initVault({ root, envs: ["development"], member: "alice", recipients: [recipient], identities: [identity] });
  const withValues = async (values: Record<string, string>, t = T0, from?: EnvFile) => {
    const vault = await Vault.load(root);
    const keyring = new Keyring(vault, [identity], [recipient], "alice");
    const updates = Object.entries(values).map(([key, value]) => ({ key, value }));
    const before = from ?? (await vault.envFile("development"));
    const written = (await applyUpdates(keyring, before, updates, [], t)).file;
    // Signed as `vault set` signs it, so readers verify the result.
    return signEnvChange(before, written, vault.roster.data, writerFor(vault.roster.data, [identity], [recipient]), t);
  };
  return {
    root,
    identity,
    deps: { cwd: root, processEnv: { ...env, ENVVAULT_IDENTITY: identity } },
    git,
    withValues,
    set: async (values, t) => writeFile(join(root, Vault.envPath("development")), printEnvFile(await withValues(values, t))),
    write: (files, t = T0) => writeSigned(root, identity, files, t),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/**
 * Writes files of the vault at `root` (repository-relative paths) as the member whose identity
 * this is, through `transaction()`: verified first, then signed as a vault command signs its
 * writes (docs/FORMAT.md §4, §5) — the way for a test to hand-edit vault.yaml or an
 * environment file and still have a vault that verifies.
 */
export async function writeSigned(root: string, identity: string, files: Record<string, string>, now = T0): Promise<void> {
  const signing = { identities: [identity], recipients: [await identityToRecipient(identity)], now };
  const changes: Changes = new Map(Object.entries(files));
  await transaction(root, signing, async () => ({ changes, result: undefined }));
}
