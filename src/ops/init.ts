import { existsSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import { UsageError } from "../errors.js";
import { DEFAULT_TARGET, VAULT_FILE } from "../vault/config.js";
import { emptyEnvFile, printEnvFile } from "../vault/envfile.js";
import { assertName, isName } from "../vault/names.js";
import { ROSTER_FILE } from "../vault/roster.js";
import { LOCAL_DIR } from "../store/root.js";
import { Vault } from "../store/vault.js";
import { ignorePattern, withIgnored } from "./gitignore.js";
import { tempPattern } from "../io/atomic.js";
import { createScopeKey } from "./scopes.js";
import { applyChanges, type Changes } from "./transaction.js";

export interface InitOptions {
  root: string;
  envs: string[];
  member: string;
  recipients: string[];
}

export interface InitResult {
  root: string;
  envs: string[];
  member: string;
  files: string[];
}

/** A member name from the login name: lower-cased, other characters folded to '-'. */
export function defaultMemberName(env: NodeJS.ProcessEnv): string {
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

export async function initVault(o: InitOptions): Promise<InitResult> {
  if (existsSync(join(o.root, VAULT_FILE))) {
    throw new UsageError(`${o.root} already has a vault (${VAULT_FILE})`, {
      hints: ["`vault env add NAME` adds an environment; `vault member add` adds a member"],
    });
  }
  const envs = [...new Set(o.envs)].map((e) => assertName("environment", e));
  assertName("member", o.member);
  const changes: Changes = new Map();
  for (const env of envs) {
    const { recipient, files } = await createScopeKey(env, new Map([[o.member, o.recipients]]));
    const file = emptyEnvFile(env);
    file.scopes.set(env, recipient);
    changes.set(Vault.envPath(env), printEnvFile(file));
    for (const [path, text] of files) changes.set(path, text);
  }
  changes.set(VAULT_FILE, vaultYaml(envs));
  changes.set(ROSTER_FILE, rosterYaml(o.member, o.recipients, envs));
  const ignore = await withIgnored(o.root, [ignorePattern(DEFAULT_TARGET), tempPattern(DEFAULT_TARGET), `/${LOCAL_DIR}/`, "/.envvault/**/.*.tmp"]);
  if (ignore !== undefined) changes.set(".gitignore", ignore);
  const files = await applyChanges(o.root, changes);
  return { root: o.root, envs, member: o.member, files };
}

function vaultYaml(envs: string[]): string {
  return [
    "# envvault: environments, variable definitions and targets (schema/vault.schema.json)",
    "version: 1",
    `default_env: ${envs[0]}`,
    "environments:",
    ...envs.map((e) => `  ${e}: {}`),
    "targets:",
    `  - path: ${DEFAULT_TARGET}`,
    "",
  ].join("\n");
}

function rosterYaml(member: string, recipients: string[], envs: string[]): string {
  return [
    "# envvault: members, their age recipients, and who may read which scope (schema/roster.schema.json)",
    "version: 1",
    "members:",
    `  ${member}:`,
    "    recipients:",
    ...recipients.map((r) => `      - ${r}`),
    "access:",
    ...envs.flatMap((e) => [`  ${e}:`, `    members: [${member}]`]),
    "",
  ].join("\n");
}
