/**
 * `vault init`: a new vault at the top of the work tree with the caller as its first member,
 * an identity for a caller who has none, adoption of the env files already there, and the
 * git hooks.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import { UsageError, VaultError } from "../errors.js";
import { DEFAULT_TARGET, type TargetDef, VAULT_FILE } from "../model/config.js";
import { emptyEnvFile, printEnvFile } from "../model/envfile.js";
import { assertName, isName } from "../model/names.js";
import { ROSTER_FILE, type Roster } from "../model/roster.js";
import { loadYaml } from "../model/yamlfile.js";
import { signerFor } from "../crypto/sign.js";
import { signChanges, writerFor } from "../store/signing.js";
import type { VaultSource } from "../store/source.js";
import { gitText } from "../git/exec.js";
import { installHooks } from "../git/hooks.js";
import { findGitRoot, LOCAL_DIR } from "../store/root.js";
import { Vault } from "../store/vault.js";
import { ignorePattern, withIgnored } from "../store/gitignore.js";
import { tempPattern } from "../io/atomic.js";
import { nowSeconds } from "../io/seams.js";
import { createScopeKey } from "./scopes.js";
import { type Adoption, planAdoption } from "./adopt.js";
import { refreshAfterWrite } from "./fingerprints.js";
import { makeIdentity } from "./keygen.js";
import { type Deps, type Me, whoAmI } from "./session.js";
import { applyChanges, type Changes } from "../store/transaction.js";
import { applyUpdates } from "./write.js";

export interface InitOptions {
  root: string;
  envs: string[];
  member: string;
  recipients: string[];
  /** The member's identities: the vault is signed with them, its first admin (docs/FORMAT.md §5). */
  identities: string[];
  /** Existing env files to adopt (app/adopt.ts): their environments, values, targets and definitions. */
  adoption?: Adoption;
  /** Change time of imported values (Unix seconds). */
  now?: number;
}

export interface InitResult {
  root: string;
  envs: string[];
  member: string;
  files: string[];
}

/** A member name from the login name: lower-cased, other characters folded to '-'. */
function defaultMemberName(env: NodeJS.ProcessEnv): string {
  let login = env.USER ?? env.USERNAME ?? "";
  if (login === "") {
    try {
      login = userInfo().username;
    } catch {
      login = "";
    }
  }
  const name = login.toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^[-_]+/, "").slice(0, 64);
  return isName(name) ? name : "me";
}

/**
 * Writes the vault's files (one scope key per environment, held by `member`; vault.yaml,
 * roster.yaml, .gitignore), all or none.
 *
 * @throws UsageError when `root` already has a vault, or for a name that is not one.
 */
export async function initVault(o: InitOptions): Promise<InitResult> {
  if (existsSync(join(o.root, VAULT_FILE))) {
    throw new UsageError(`${o.root} already has a vault (${VAULT_FILE})`, {
      hints: ["`vault env add NAME` adds an environment; `vault member add` adds a member"],
    });
  }
  const adopted = o.adoption;
  const envs = [...new Set([...o.envs, ...(adopted?.values.keys() ?? [])])].map((e) => assertName("environment", e));
  assertName("member", o.member);
  const changes: Changes = new Map();
  for (const env of envs) {
    const { recipient, files } = await createScopeKey(env, new Map([[o.member, o.recipients]]));
    let file = emptyEnvFile(env);
    file.scopes.set(env, recipient);
    const values = adopted?.values.get(env);
    // Sealed to the new scope's recipient, as any writer seals (app/write.ts).
    if (values !== undefined) file = (await applyUpdates(undefined, file, [...values].map(([key, value]) => ({ key, value })), [], o.now ?? Math.floor(Date.now() / 1000))).file;
    changes.set(Vault.envPath(env), printEnvFile(file));
    for (const [path, text] of files) changes.set(path, text);
  }
  const targetList = adopted !== undefined && adopted.targets.length > 0 ? adopted.targets : [{ path: DEFAULT_TARGET }];
  changes.set(VAULT_FILE, vaultYaml(envs, targetList, adopted));
  const signingKeys = o.identities.map((id) => signerFor(id).publicKey);
  const roster = rosterYaml(o.member, o.recipients, signingKeys, envs);
  changes.set(ROSTER_FILE, roster);
  const rosterData = loadYaml<Roster>(roster, ROSTER_FILE, "roster").data;
  const nothing: VaultSource = { read: async () => undefined, list: async () => [], describe: (p) => p };
  const signed = await signChanges({ source: nothing, roster: rosterData }, changes, writerFor(rosterData, o.identities, o.recipients), o.now ?? Math.floor(Date.now() / 1000));
  for (const [path, text] of signed) changes.set(path, text);
  const ignore = await withIgnored(o.root, [...targetList.flatMap((t) => [ignorePattern(t.path), tempPattern(t.path)]), `/${LOCAL_DIR}/`, "/.envvault/**/.*.tmp"]);
  if (ignore !== undefined) changes.set(".gitignore", ignore);
  const files = await applyChanges(o.root, changes);
  return { root: o.root, envs, member: o.member, files };
}

export interface InitInput {
  /** Environments to create; the first is the one adopted files that name none go to. */
  envs: string[];
  /** `--name`; default: from the login name. */
  member?: string;
  /** Look for env files to adopt (false with `--no-import`). */
  adopt: boolean;
  /** Install the git hooks (false with `--no-hooks`); never outside git. */
  hooks: boolean;
}

/** A vault about to be created: what to tell and ask the person before {@link PreparedInit.create}. */
export interface PreparedInit {
  /** Where the vault goes: the top of the git work tree, else the working directory. */
  root: string;
  /** False outside git, where the vault cannot be committed with the code. */
  inGit: boolean;
  /** The identity file written because the caller had none. */
  createdIdentity?: string;
  /** Env files found that are worth adopting; nothing of them enters the vault unless `create` is told to. */
  adoption?: Adoption;
  /** Creates the vault, adopting {@link PreparedInit.adoption} when `adopt`. */
  create(o: { adopt: boolean }): Promise<Initialized>;
}

export interface Initialized extends InitResult {
  /** The caller's recipient (the first, if several). */
  recipient: string | undefined;
  adopted?: Adoption;
  /** Adopted files git still tracks: their plaintext values are in its history. */
  tracked: string[];
  /** Where the git hooks went, or why they did not (the vault is made either way). */
  hooks?: { where: string } | { error: VaultError };
  /** The fingerprint cache left as it was. */
  warnings: string[];
}

/**
 * Finds where the vault goes, makes the caller an identity if they have none (unless they
 * named one with `--identity`), and reads the env files there are to adopt; the vault itself
 * is written by {@link PreparedInit.create}, once the caller has been asked about them.
 */
export async function prepareInit(deps: Deps, o: InitInput): Promise<PreparedInit> {
  const top = findGitRoot(deps.cwd);
  const root = top ?? deps.cwd;
  const inGit = top !== undefined;
  let me: Me;
  let createdIdentity: string | undefined;
  try {
    me = await whoAmI(deps);
  } catch (e) {
    if (!(e instanceof VaultError && e.code === "NO_IDENTITY") || deps.identityFile !== undefined) throw e;
    createdIdentity = (await makeIdentity(deps, {})).path;
    me = await whoAmI(deps);
  }
  const member = o.member ?? defaultMemberName(deps.processEnv);
  // An existing vault is refused by initVault; do not offer to adopt anything first.
  const plan = o.adopt && !existsSync(join(root, VAULT_FILE)) ? await planAdoption(root, o.envs[0] ?? "development") : undefined;
  const adoption = plan?.files.some((f) => f.role.role !== "skipped") === true ? plan : undefined;
  const setup = { root, inGit, envs: o.envs, member, me, hooks: o.hooks };
  return {
    root,
    inGit,
    ...(createdIdentity === undefined ? {} : { createdIdentity }),
    ...(adoption === undefined ? {} : { adoption }),
    create: (c) => createVault(deps, { ...setup, ...(c.adopt && adoption !== undefined ? { adoption } : {}) }),
  };
}

async function createVault(deps: Deps, o: { root: string; inGit: boolean; envs: string[]; member: string; me: Me; hooks: boolean; adoption?: Adoption }): Promise<Initialized> {
  const { root, adoption } = o;
  const result = await initVault({ root, envs: o.envs, member: o.member, recipients: o.me.recipients, identities: o.me.identities, ...(adoption === undefined ? {} : { adoption }), now: nowSeconds(deps.processEnv) });
  const tracked = adoption === undefined || !o.inGit ? [] : await trackedFiles(root, adoption.targets.map((t) => t.path));
  const warnings = adoption === undefined ? [] : await refreshAfterWrite(root, deps, adoption.values);
  let hooks: Initialized["hooks"];
  if (o.hooks && o.inGit) {
    try {
      hooks = { where: (await installHooks(root)).where };
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      hooks = { error: e };
    }
  }
  return { ...result, recipient: o.me.recipients[0], ...(adoption === undefined ? {} : { adopted: adoption }), tracked, ...(hooks === undefined ? {} : { hooks }), warnings };
}

/** Which of `paths` git tracks (none when git cannot tell). */
async function trackedFiles(root: string, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const out = await gitText(["ls-files", "-z", "--", ...paths], { cwd: root, allowFail: true }).catch(() => "");
  return out.split("\0").filter((p) => p !== "");
}

/** A YAML scalar: plain when that reads back as the same string, else JSON (valid YAML) quoting. */
const scalar = (s: string) => (/^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/.test(s) && /[A-Za-z_]/.test(s) && !/^\.(inf|nan)$/i.test(s) ? s : JSON.stringify(s));

/**
 * The modeline editors with a YAML language server read to validate and complete a file: the
 * schema shipped in the package, where `npm install --save-dev envvault` puts it (relative to
 * `.envvault/`, so the line names no path of one machine).
 */
export const schemaLine = (name: "vault" | "roster") => `# yaml-language-server: $schema=../node_modules/envvault/schema/${name}.schema.json`;

function vaultYaml(envs: string[], targetList: TargetDef[], adopted?: Adoption): string {
  const lines = [
    schemaLine("vault"),
    "# envvault: environments, variable definitions and targets (schema/vault.schema.json)",
    "version: 1",
    `default_env: ${envs[0]}`,
    "environments:",
    ...envs.map((e) => `  ${e}: {}`),
  ];
  if (adopted !== undefined && adopted.required.length > 0) {
    lines.push("# from .env.example (and the like): every environment must set these", "variables:", ...adopted.required.map((k) => `  ${k}: { required: true }`));
  }
  if (adopted !== undefined && adopted.layers.length > 0) lines.push("env_file:", ...adopted.layers.map((p) => `  - ${scalar(p)}`));
  lines.push("targets:");
  for (const t of targetList) {
    lines.push(`  - path: ${scalar(t.path)}`);
    if (t.env !== undefined) lines.push(`    env: ${t.env}`);
    if (t.keys !== undefined) lines.push(`    keys: [${t.keys.join(", ")}]`);
  }
  return lines.join("\n") + "\n";
}

function rosterYaml(member: string, recipients: string[], signingKeys: string[], envs: string[]): string {
  return [
    schemaLine("roster"),
    "# envvault: members, their age recipients and signing keys, admins, and who may read and write which scope (schema/roster.schema.json)",
    "version: 1",
    `admins: [${member}]`,
    "members:",
    `  ${member}:`,
    "    recipients:",
    ...recipients.map((r) => `      - ${r}`),
    "    signing_keys:",
    ...signingKeys.map((k) => `      - ${k}`),
    "access:",
    ...envs.flatMap((e) => [`  ${e}:`, `    members: [${member}]`]),
    "",
  ].join("\n");
}
