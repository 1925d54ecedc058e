import { existsSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import { UsageError } from "../errors.js";
import { DEFAULT_TARGET, type TargetDef, VAULT_FILE } from "../model/config.js";
import { emptyEnvFile, printEnvFile } from "../model/envfile.js";
import { assertName, isName } from "../model/names.js";
import { ROSTER_FILE } from "../model/roster.js";
import { LOCAL_DIR } from "../store/root.js";
import { Vault } from "../store/vault.js";
import { ignorePattern, withIgnored } from "../store/gitignore.js";
import { tempPattern } from "../io/atomic.js";
import { createScopeKey } from "./scopes.js";
import type { Adoption } from "./adopt.js";
import { applyChanges, type Changes } from "../store/transaction.js";
import { applyUpdates } from "./write.js";

export interface InitOptions {
  root: string;
  envs: string[];
  member: string;
  recipients: string[];
  /** Existing env files to adopt (ops/adopt.ts): their environments, values, targets and definitions. */
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
  const adopted = o.adoption;
  const envs = [...new Set([...o.envs, ...(adopted?.values.keys() ?? [])])].map((e) => assertName("environment", e));
  assertName("member", o.member);
  const changes: Changes = new Map();
  for (const env of envs) {
    const { recipient, files } = await createScopeKey(env, new Map([[o.member, o.recipients]]));
    let file = emptyEnvFile(env);
    file.scopes.set(env, recipient);
    const values = adopted?.values.get(env);
    // Sealed to the new scope's recipient, as any writer seals (ops/write.ts).
    if (values !== undefined) file = (await applyUpdates(undefined, file, [...values].map(([key, value]) => ({ key, value })), [], o.now ?? Math.floor(Date.now() / 1000))).file;
    changes.set(Vault.envPath(env), printEnvFile(file));
    for (const [path, text] of files) changes.set(path, text);
  }
  const targetList = adopted !== undefined && adopted.targets.length > 0 ? adopted.targets : [{ path: DEFAULT_TARGET }];
  changes.set(VAULT_FILE, vaultYaml(envs, targetList, adopted));
  changes.set(ROSTER_FILE, rosterYaml(o.member, o.recipients, envs));
  const ignore = await withIgnored(o.root, [...targetList.flatMap((t) => [ignorePattern(t.path), tempPattern(t.path)]), `/${LOCAL_DIR}/`, "/.envvault/**/.*.tmp"]);
  if (ignore !== undefined) changes.set(".gitignore", ignore);
  const files = await applyChanges(o.root, changes);
  return { root: o.root, envs, member: o.member, files };
}

/** A YAML scalar: plain when that reads back as the same string, else JSON (valid YAML) quoting. */
const scalar = (s: string) => (/^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/.test(s) && /[A-Za-z_]/.test(s) && !/^\.(inf|nan)$/i.test(s) ? s : JSON.stringify(s));

function vaultYaml(envs: string[], targetList: TargetDef[], adopted?: Adoption): string {
  const lines = [
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
