/**
 * `vault hook pre-commit`: the rules of the pre-commit hook (README, "Commits are checked for
 * leaks"), applied to staged blobs, never to the work tree: plaintext env files, this clone's
 * local state, known secret values — current and earlier ones, as they are or encoded —
 * through the fingerprint cache, and well-known token shapes. A finding names the file, the
 * line and the rule or key, never the value.
 *
 * This runs on every commit, so it imports only light modules: the vault is loaded (YAML,
 * age) only when the fingerprint cache must be rebuilt.
 */
import { VaultError } from "../errors.js";
import { DEFAULT_TARGET } from "../model/config.js";
import { LOCAL_DIR, VAULT_DIR } from "../model/layout.js";
import { CatFile } from "../git/exec.js";
import { type StagedFile, stagedFiles } from "../git/staged.js";
import { ENCODING_NAMES } from "../model/encodings.js";
import { type CachedValue, freshness, loadCache, tableOf } from "../store/fingerprints.js";
import { FingerprintTable, type SecretHit, SecretMatcher } from "../store/matcher.js";
import { missingHistory } from "../store/window.js";
import { storedGenerated } from "../store/generated.js";
import { findGitRoot, vaultRootOrNone } from "../store/root.js";
import { localKey } from "../store/state.js";
import type { Deps } from "./session.js";

export interface Finding {
  path: string;
  line?: number;
  rule: string;
  /** What was found, without the value: `API_KEY (development)`, `private key block`. */
  what: string;
  /** What to do about this finding, when the general advice does not say it. */
  hint?: string;
}

/** Token shapes that are secrets wherever they appear (in the spirit of gitleaks' rules). */
export const TOKEN_RULES: readonly { rule: string; what: string; re: RegExp }[] = [
  { rule: "private-key", what: "private key block", re: /-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----/g },
  { rule: "age-identity", what: "age identity (AGE-SECRET-KEY-1…)", re: /AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}/g },
  { rule: "aws-access-key", what: "AWS access key id", re: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b/g },
  { rule: "aws-secret-key", what: "AWS secret access key", re: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi },
  { rule: "github-token", what: "GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82})\b/g },
  { rule: "gitlab-token", what: "GitLab token", re: /\b(?:glpat|gloas|gldt|glrt|glptt|glft)-[A-Za-z0-9_-]{20,}/g },
  { rule: "slack-token", what: "Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { rule: "slack-webhook", what: "Slack webhook URL", re: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{20,}/g },
  { rule: "stripe-key", what: "Stripe secret key", re: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,}\b/g },
  { rule: "google-api-key", what: "Google API key", re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
];

/** A line holding this marker is not checked for token shapes (known secret values still are). */
export const ALLOW_MARKER = "envvault:allow";

const ALLOWED_SUFFIX = /\.(?:example|sample|template|dist)$/;

/** A staged path that must not be committed, by its name: a plaintext env file, a target, local state. */
export function pathRule(path: string, allow: ReadonlySet<string>, targets: ReadonlySet<string>): Finding | undefined {
  if (path === LOCAL_DIR || path.startsWith(`${LOCAL_DIR}/`)) {
    return { path, rule: "local-state", what: "envvault's local state (.envvault.local/ holds this clone's key)" };
  }
  if (path.startsWith(`${VAULT_DIR}/`)) return undefined;
  if (targets.has(path)) return { path, rule: "plaintext-env-file", what: "a target vault unlock writes (plaintext)" };
  if (allow.has(path)) return undefined;
  const name = path.slice(path.lastIndexOf("/") + 1);
  const envLike = name === ".env" || name.startsWith(".env.") || (name.endsWith(".env") && name.length > 4);
  if (!envLike || ALLOWED_SUFFIX.test(name)) return undefined;
  return { path, rule: "plaintext-env-file", what: "plaintext env file" };
}

/** Git's own test for binary content: a NUL byte in the first 8,000 bytes. */
export function isBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8000);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** Line numbers (1-based) of byte offsets, computed once per file with findings. */
function lineOf(bytes: Uint8Array): (offset: number) => number {
  let starts: number[] | undefined;
  return (offset) => {
    if (starts === undefined) {
      starts = [0];
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** A value the matcher found, as a finding names it. */
export interface FoundValue {
  env: string;
  key: string;
  /** A value of history, no longer current. */
  earlier: boolean;
}

/** The known secrets the hook looks for: the matcher, and what each of its rows stands for. */
export interface SecretRules {
  matcher: SecretMatcher;
  /** The value of row `value` of table `table`; undefined for a value not to report (a key whose kind is not secret). */
  found(table: number, value: number): FoundValue | undefined;
}

/**
 * What one hit of the matcher holds, without the value: `the value of API_KEY (development)`,
 * `an earlier value of API_KEY (development), base64-encoded`. A current value hides an
 * earlier value of the same key found at the same place (a value set again after a rotation).
 */
export function describeHit(hit: SecretHit, found: SecretRules["found"]): string[] {
  const groups = new Map<string, { earlier: boolean; encoding: string; names: Set<string> }>();
  const current = new Set<string>();
  const named = hit.matches.flatMap((m) => {
    const v = found(m.table, m.value);
    if (v === undefined) return [];
    const name = `${v.key} (${v.env})`;
    if (!v.earlier) current.add(name);
    return [{ name, earlier: v.earlier, encoding: ENCODING_NAMES[m.encoding] }];
  });
  for (const { name, earlier, encoding } of named) {
    if (earlier && current.has(name)) continue;
    const id = `${earlier ? 1 : 0}\0${encoding}`;
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { earlier, encoding, names: new Set() }));
    g.names.add(name);
  }
  return [...groups.values()].map((g) => `${g.earlier ? "an earlier value of" : "the value of"} ${[...g.names].join(", ")}${g.encoding === "" ? "" : `, ${g.encoding}`}`);
}

/** Known secrets and token shapes in one text blob. */
export function scanBlob(path: string, bytes: Uint8Array, secrets: SecretRules | undefined): Finding[] {
  const findings: Finding[] = [];
  const line = lineOf(bytes);
  const seen = new Set<string>();
  const add = (f: Finding) => {
    const id = `${f.line}\0${f.rule}\0${f.what}`;
    if (!seen.has(id)) {
      seen.add(id);
      findings.push(f);
    }
  };
  for (const hit of secrets?.matcher.find(bytes) ?? []) {
    for (const what of describeHit(hit, secrets!.found)) add({ path, line: line(hit.offset), rule: "known-secret", what });
  }
  // latin1 maps each byte to one UTF-16 unit, so string offsets are byte offsets.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
  for (const { rule, what, re } of TOKEN_RULES) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      if (rule === "aws-access-key" && m[0].endsWith("EXAMPLE")) continue; // AWS's documentation key
      const start = text.lastIndexOf("\n", m.index) + 1;
      const end = text.indexOf("\n", m.index);
      if (text.slice(start, end < 0 ? undefined : end).includes(ALLOW_MARKER)) continue;
      add({ path, line: line(m.index), rule, what });
    }
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Paths whose content is ciphertext written by envvault: not scanned. */
const isVaultCiphertext = (path: string) => /^\.envvault\/(?:envs\/[^/]+\.env|keys\/.*)$/.test(path);
const ENV_FILE = /^\.envvault\/envs\/([^/]+)\.env$/;
const CONFLICT_LINE = /^(?:<<<<<<<|>>>>>>>|=======\r?$|\|\|\|\|\|\|\|)/m;

/**
 * A staged vault file that vault commands could not read (an unresolved merge, a line twice,
 * a hand edit): committed, it would stop every teammate's unlock. Environment files are
 * parsed; the other vault files are looked at for conflict markers.
 */
async function vaultFileRule(path: string, bytes: Uint8Array): Promise<Finding | undefined> {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
  const env = ENV_FILE.exec(path)?.[1];
  if (env !== undefined) {
    const { parseEnvFile } = await import("../model/envfile.js");
    try {
      parseEnvFile(text, path, env);
      return undefined;
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
      const line = typeof e.data.line === "number" ? e.data.line : undefined;
      const what = e.message.replace(/^[^:]*(?::\d+)?: /, "");
      return { path, ...(line === undefined ? {} : { line }), rule: "invalid-vault-file", what: `${what}: vault commands cannot read this file`, ...(e.hints[0] === undefined ? {} : { hint: e.hints[0] }) };
    }
  }
  const m = CONFLICT_LINE.exec(text);
  if (m === null) return undefined;
  const line = text.slice(0, m.index).split("\n").length;
  return { path, line, rule: "invalid-vault-file", what: "unresolved merge conflict: vault commands cannot read this file", hint: `settle the conflict in ${path} (keep what both sides meant), then \`git add ${path}\`` };
}

export interface PrecommitResult {
  findings: Finding[];
  files: number;
  scanned: number;
  binary: number;
}

/** The staged files and their content, read by two git processes started at once. */
export interface StagedReader {
  files: Promise<StagedFile[]>;
  catFile: CatFile;
}

/** Starts reading what is staged; the hook does its own work while git runs. */
export function startStagedReader(top: string): StagedReader {
  const files = stagedFiles(top);
  files.catch(() => undefined); // awaited (and reported) by checkStaged
  return { files, catFile: new CatFile(top) };
}

/** Applies every rule to the staged content of the commit being made. */
export async function checkStaged(
  top: string,
  o: { secrets?: SecretRules; allow: ReadonlySet<string>; targets: ReadonlySet<string>; reader?: StagedReader },
): Promise<PrecommitResult> {
  const reader = o.reader ?? startStagedReader(top);
  let files: StagedFile[];
  try {
    files = await reader.files;
  } catch (e) {
    await reader.catFile.read([]);
    throw e;
  }
  const result: PrecommitResult = { findings: [], files: files.length, scanned: 0, binary: 0 };
  const toRead: StagedFile[] = [];
  const vaultFiles: StagedFile[] = [];
  for (const f of files) {
    const byName = pathRule(f.path, o.allow, o.targets);
    if (byName !== undefined) result.findings.push(byName);
    if (f.mode === "160000") continue;
    if (f.path.startsWith(`${VAULT_DIR}/`)) vaultFiles.push(f);
    if (!isVaultCiphertext(f.path)) toRead.push(f);
  }
  const blobs = await reader.catFile.read([...toRead, ...vaultFiles].map((f) => f.oid));
  for (const f of vaultFiles) {
    const bytes = blobs.get(f.oid);
    const bad = bytes === undefined ? undefined : await vaultFileRule(f.path, bytes);
    if (bad !== undefined) result.findings.push(bad);
  }
  for (const f of toRead) {
    const bytes = blobs.get(f.oid);
    if (bytes === undefined) continue;
    if (isBinary(bytes)) {
      result.binary++;
      continue;
    }
    result.scanned++;
    result.findings.push(...scanBlob(f.path, bytes, o.secrets));
  }
  return result;
}

/** What the pre-commit hook found: any finding blocks the commit. */
export interface PrecommitOutcome {
  findings: Finding[];
  /** What was not looked for (values the cache does not cover, generated values), and why. */
  warnings: string[];
}

/** This clone's generated values (they never enter the vault, so the cache does not hold them). */
async function generatedToFind(root: string, warnings: string[]): Promise<Map<string, string>> {
  try {
    return await storedGenerated(root);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    warnings.push(`generated values were not looked for: ${e.message}`, ...e.hints.map((h) => `hint: ${h}`));
    return new Map();
  }
}

/** What the hook looks for, from the fingerprint cache. */
interface VaultRules {
  secrets?: SecretRules;
  allow: Set<string>;
  targets: Set<string>;
  /** Env-file versions of the history the cache has not read; settled while the staged files are scanned. */
  unread: Promise<number>;
  /** The `pre_commit.history` setting, for the warning about them. */
  depth: number;
}

async function rebuildCache(deps: Deps, root: string, warnings: string[]): Promise<void> {
  try {
    const { refreshFingerprints } = await import("./fingerprints.js");
    await refreshFingerprints(root, deps);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    warnings.push(`cannot rebuild the fingerprint cache: ${e.message}`);
  }
}

/**
 * The known secrets to look for and the paths vault.yaml names, from the fingerprint cache;
 * the cache is rebuilt first (loading the vault and age, with the reader's identity) when
 * vault.yaml or an environment file changed since it was made. Whether a moved ref brought
 * history the cache has not read is found out while the staged files are scanned (`unread`).
 */
async function vaultRules(deps: Deps, top: string, root: string, warnings: string[]): Promise<VaultRules> {
  let cache = await loadCache(root);
  let fresh = await freshness(root, cache);
  const current = () => cache !== undefined && !fresh.configChanged && fresh.unchecked.size === 0;
  if (!current()) {
    await rebuildCache(deps, root, warnings);
    cache = await loadCache(root);
    fresh = await freshness(root, cache);
  }
  const unread = current() ? missingHistory(top, cache!, fresh.envTexts) : Promise.resolve(0);
  unread.catch(() => undefined); // awaited (and reported) by preCommit
  for (const [env, n] of fresh.unchecked) {
    warnings.push(`${env}: ${n} value(s) changed since the fingerprint cache was built and were not looked for; \`vault hooks refresh\` (with your identity) updates it`);
  }
  const generated = await generatedToFind(root, warnings);
  const config = cache?.data.config;
  const rules = { allow: new Set(config?.allow ?? []), targets: new Set(config?.targets ?? [DEFAULT_TARGET]), unread, depth: config?.history ?? 0 };
  if ((cache === undefined || cache.table.size === 0) && generated.size === 0) return rules;
  const key = await localKey(root);
  const own = tableOf("generated in this clone", generated, key);
  const values: readonly CachedValue[][] = [cache?.data.values ?? [], own.values];
  const publicKeys = new Set(config?.public ?? []);
  const found = (table: number, value: number): FoundValue | undefined => {
    const v = values[table]?.[value];
    if (v === undefined || (table === 0 && publicKeys.has(v[1]))) return undefined;
    return { env: v[0], key: v[1], earlier: v[3] === 1 || (table === 0 && fresh.stale.has(value)) };
  };
  // Table 0 is the cache's (empty without one), table 1 this clone's generated values: `found` names them so.
  return { ...rules, secrets: { matcher: new SecretMatcher(key, [cache?.table ?? FingerprintTable.build([]), own.table]), found } };
}

/** Checks what is staged in the repository around `deps.cwd`; without a vault, by name and token shape only. */
export async function preCommit(deps: Deps): Promise<PrecommitOutcome> {
  const top = findGitRoot(deps.cwd);
  if (top === undefined) {
    throw new VaultError("NOT_FOUND", `${deps.cwd} is not in a git repository, so there is nothing staged to check`, {
      hints: ["git runs this hook inside the repository; to check by hand, cd into the repository first"],
    });
  }
  // git reads the index and starts cat-file while the cache is loaded below.
  let reader = startStagedReader(top);
  try {
    const warnings: string[] = [];
    const root = vaultRootOrNone(top);
    if (root === undefined) return { findings: (await checkStaged(top, { allow: new Set(), targets: new Set([DEFAULT_TARGET]), reader })).findings, warnings };
    let rules = await vaultRules(deps, top, root, warnings);
    let result = await checkStaged(top, { ...rules, reader });
    let unread = await rules.unread;
    if (unread > 0) {
      // A moved ref brought env-file versions the cache has not read (a fetch, another
      // branch): read them with the identity, and look again with what they held.
      await rebuildCache(deps, root, warnings);
      await reader.catFile.read([]).catch(() => undefined);
      reader = startStagedReader(top);
      rules = await vaultRules(deps, top, root, warnings);
      result = await checkStaged(top, { ...rules, reader });
      unread = await rules.unread;
    }
    if (unread > 0) {
      warnings.push(`${unread} version(s) of environment files in the last ${rules.depth} commits were not read, so their earlier values were not looked for; \`vault hooks refresh\` (with your identity) reads them`);
    }
    return { findings: result.findings, warnings: [...new Set(warnings)] };
  } finally {
    await reader.catFile.read([]).catch(() => undefined);
  }
}
