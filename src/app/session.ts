/**
 * What every use case starts from: where it runs and for whom ({@link Deps}), the vault found
 * by the one rule of store/root.ts, the reader's identity and keyring, and which environment
 * is meant — decided here only.
 */
import { VaultError } from "../errors.js";
import { identityToRecipient } from "../crypto/age.js";
import { defaultEnv, requireEnv, type VaultConfig } from "../model/config.js";
import { memberFor } from "../model/roster.js";
import { resolveIdentity } from "../store/identity.js";
import { Keyring } from "../store/keyring.js";
import { findVaultRoot } from "../store/root.js";
import { type LocalState, loadState } from "../store/state.js";
import type { Signing } from "../store/transaction.js";
import { trustVault } from "../store/verified.js";
import { Vault } from "../store/vault.js";
import { nowSeconds } from "../io/seams.js";

/** Where a use case runs, for whom, and what was asked for on every command. */
export interface Deps {
  /** The working directory; the vault is found from it. */
  cwd: string;
  /** The process environment: ENVVAULT_* settings, the identity, the top layer of `run`. */
  processEnv: NodeJS.ProcessEnv;
  /** `--identity FILE`, before every other place an identity is looked up in. */
  identityFile?: string;
  /** `--env`: the environment asked for. */
  env?: string;
  /** `--allow-unverified`: read a vault that fails verification, with a warning (recovery). */
  allowUnverified?: boolean;
}

export interface Me {
  source: string;
  identities: string[];
  recipients: string[];
}

/** The reader's identity, looked up in the documented order (README, "Identities"). */
export async function whoAmI(deps: Deps): Promise<Me> {
  const found = await resolveIdentity({ flag: deps.identityFile, env: deps.processEnv });
  const recipients = await Promise.all(found.identities.map((id) => identityToRecipient(id)));
  return { source: found.source, identities: found.identities, recipients };
}

/** The vault of the working directory (store/root.ts decides where that is). */
export async function openVault(deps: Deps): Promise<Vault> {
  const root = findVaultRoot(deps.cwd);
  let identity: string | undefined;
  try {
    identity = (await resolveIdentity({ flag: deps.identityFile, env: deps.processEnv })).identities[0];
  } catch (e) {
    // No identity (or an unusable one): the YAML files are parsed; a reader reports it later.
    if (!(e instanceof VaultError)) throw e;
  }
  return Vault.load(root, undefined, identity === undefined ? {} : { identity });
}

/** The trust root CI pins (`ENVVAULT_TRUST_ROOT`), when set. */
export function pinnedRoot(deps: Deps): string | undefined {
  const pin = deps.processEnv.ENVVAULT_TRUST_ROOT?.trim();
  return pin === undefined || pin === "" ? undefined : pin;
}

/** Who signs a write, and when (store/transaction.ts). */
export async function signingFor(deps: Deps): Promise<Signing> {
  const me = await whoAmI(deps);
  const pin = pinnedRoot(deps);
  return { identities: me.identities, recipients: me.recipients, now: nowSeconds(deps.processEnv), ...(pin === undefined ? {} : { pin }) };
}

export function keyringFor(vault: Vault, me: Me): Keyring {
  return new Keyring(vault, me.identities, me.recipients, memberFor(vault.roster.data, me.recipients));
}

/** A keyring when an identity exists; writers without one can still seal values (write-only). */
export async function optionalKeyring(vault: Vault, deps: Deps): Promise<Keyring | undefined> {
  try {
    return keyringFor(vault, await whoAmI(deps));
  } catch (e) {
    if (e instanceof VaultError && e.code === "NO_IDENTITY") return undefined;
    throw e;
  }
}

/** The environment a command works on, and why a `vault use` choice was passed over. */
export interface EnvChoice {
  env: string;
  /** Set when this clone's `vault use` choice names an environment vault.yaml no longer has. */
  stale?: string;
}

/**
 * The one rule for which environment is meant: the one asked for (`--env`, `ENVVAULT_ENV` for
 * the library), else this clone's `vault use` choice, else vault.yaml's default. A choice
 * of `vault use` that vault.yaml no longer defines (removed on another branch) is passed over
 * with a warning, never an error: the clone must stay usable. An unknown environment asked
 * for is a usage error listing the known ones.
 */
export function chooseEnv(cfg: VaultConfig, asked: string | undefined, state: LocalState): EnvChoice {
  if (asked !== undefined) return { env: requireEnv(cfg, asked) };
  const chosen = state.env;
  const fallback = requireEnv(cfg, defaultEnv(cfg));
  if (chosen === undefined || chosen === fallback) return { env: fallback };
  if (Object.hasOwn(cfg.environments, chosen)) return { env: chosen };
  return { env: fallback, stale: `this clone's \`vault use ${chosen}\` names an environment vault.yaml no longer has; using ${fallback} (\`vault use ENV\` chooses another)` };
}

/** A vault opened for reading by one member: their keyring, this clone's state, the environment meant. */
export interface Reading {
  vault: Vault;
  me: Me;
  keyring: Keyring;
  /** `.envvault.local/state.json`, read once for the whole use case. */
  state: LocalState;
  env: string;
  /** Things to tell the reader (a stale `vault use` choice). */
  warnings: string[];
}

/** Opens the vault (or the one given, e.g. as of a commit), the identity, the state and the environment. */
export async function openReading(deps: Deps, vault?: Vault): Promise<Reading> {
  if (vault !== undefined) return readingOf(deps, vault, await whoAmI(deps));
  // The identity is looked up once, for the YAML cache and the reader both; a vault that
  // does not load is still reported before a missing or broken identity, as always.
  const root = findVaultRoot(deps.cwd);
  let me: Me | undefined;
  let problem: VaultError | undefined;
  try {
    me = await whoAmI(deps);
  } catch (e) {
    if (!(e instanceof VaultError)) throw e;
    problem = e;
  }
  const v = await Vault.load(root, undefined, me?.identities[0] === undefined ? {} : { identity: me.identities[0] });
  if (me === undefined) throw problem;
  return readingOf(deps, v, me);
}

async function readingOf(deps: Deps, v: Vault, me: Me): Promise<Reading> {
  const state = await loadState(v.root);
  const choice = chooseEnv(v.config.data, deps.env, state);
  const warnings = choice.stale === undefined ? [] : [choice.stale];
  const pin = pinnedRoot(deps);
  await trustVault(v, { identities: me.identities, ...(pin === undefined ? {} : { pin }), allowUnverified: deps.allowUnverified === true, warn: (w) => warnings.push(w) });
  return { vault: v, me, keyring: keyringFor(v, me), state, env: choice.env, warnings };
}
