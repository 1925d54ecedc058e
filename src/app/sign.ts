/**
 * An admin's signature over what the work tree changed by other means than a vault command
 * (`vault sign`: a `git revert`, a hand edit of vault.yaml, two branches' chain heads met in a
 * merge), and the adoption of a vault from before signatures (`vault verify --adopt`,
 * docs/FORMAT.md §14).
 */
import { NotAllowed, UsageError } from "../errors.js";
import { signerFor } from "../crypto/sign.js";
import { findRepo, headCommit, mergeHead } from "../git/repo.js";
import { RevisionReader } from "../git/revision.js";
import { parseChain } from "../model/chain.js";
import { checkConfig } from "../model/config.js";
import { parseEnvFile, printEnvFile } from "../model/envfile.js";
import { CHAIN_FILE, envPath, EXPOSED_FILE, ROSTER_FILE, VAULT_FILE } from "../model/layout.js";
import { adminsOf, isAdmin, memberFor, requireMember, signingKeysOf } from "../model/roster.js";
import { setAdmins, setSigningKeys } from "../model/roster-edit.js";
import { revisionSource } from "../store/at.js";
import { withRepoLock } from "../store/local.js";
import { recover } from "../store/journal.js";
import { findVaultRoot } from "../store/root.js";
import { rosterOf, signChanges, writerFor, type Changes } from "../store/signing.js";
import { envTexts, workTree } from "../store/source.js";
import { applyChanges } from "../store/transaction.js";
import { cacheWrittenYaml, Vault } from "../store/vault.js";
import { refreshAfterWrite } from "./fingerprints.js";
import { TrustCache } from "../store/trust.js";
import { type Deps, signingFor } from "./session.js";

export interface Signed {
  /** Files whose signatures changed. */
  files: string[];
  warnings: string[];
}

/**
 * Signs, as the admin running it, every vault file of the work tree that differs from HEAD's,
 * as if a vault command had written it: so `git revert --no-commit BAD && vault sign && git
 * commit` undoes a change with a history that verifies. During a merge it signs the trusted
 * files and joins the chain's heads; the environment files keep their sides' signatures.
 */
export async function signWorkTree(deps: Deps): Promise<Signed> {
  const root = findVaultRoot(deps.cwd);
  const signing = await signingFor(deps);
  return withRepoLock(root, async () => {
    await recover(root);
    const head = await headCommit(root);
    const here = workTree(root);
    // Before the first commit there is nothing to compare lines with: only the trusted files
    // (a hand edit of vault.yaml) are signed, against the chain's head.
    const before = head === undefined ? here : revisionSource(new RevisionReader(await findRepo(root)), head, "HEAD");
    const headRosterText = await before.read(ROSTER_FILE);
    if (headRosterText === undefined) throw new UsageError(`there is no ${ROSTER_FILE} to sign against`);
    const headRoster = await rosterOf(headRosterText);
    const writer = writerFor(headRoster, signing.identities, signing.recipients);
    if (!isAdmin(headRoster, writer.member)) throw new NotAllowed(`${writer.member} is not an admin: only an admin signs changes made outside vault commands`, { data: { member: writer.member } });
    // An admin's signature vouches for the files as they are: never for a vault.yaml or
    // roster.yaml that a vault command would refuse to read.
    checkConfig((await Vault.load(root, here)).config.data);
    const changes: Changes = new Map();
    for (const path of [ROSTER_FILE, VAULT_FILE, EXPOSED_FILE, CHAIN_FILE]) {
      const now = await here.read(path);
      if (now !== (await before.read(path))) changes.set(path, now ?? null);
    }
    // In a merge, the environment files hold lines of both parents, each following its side
    // (a choice between sides signed when it was settled): signed again against HEAD alone,
    // a line of the other side would seem to roll back that side's history.
    if ((await mergeHead(root)) === undefined) {
      const [mine, theirs] = await Promise.all([envTexts(here), envTexts(before)]);
      for (const [env, text] of mine) if (theirs.get(env) !== text) changes.set(envPath(env), text);
      for (const env of theirs.keys()) if (!mine.has(env)) changes.set(envPath(env), null);
    }
    const signed = await signChanges({ source: before, roster: headRoster, committed: head === undefined ? [] : [before] }, changes, writer, signing.now);
    const files = await applyChanges(root, signed);
    return { files };
  }).then(async (r) => ({ ...r, warnings: await refreshAfterWrite(root, deps) }));
}

/**
 * Adopts a vault of an older envvault (docs/FORMAT.md §14): the caller becomes its first
 * admin, every environment file is rewritten in version 2 with one record of theirs covering
 * every line (values are not re-encrypted), and the chain's root signs the rest.
 */
export async function adoptUnsigned(deps: Deps): Promise<{ root: string; envs: string[]; trustRoot: string; warnings: string[] }> {
  const root = findVaultRoot(deps.cwd);
  const signing = await signingFor(deps);
  const adopted = await withRepoLock(root, async () => {
    await recover(root);
    const vault = await Vault.load(root, workTree(root), { docs: true });
    if ((await vault.source.read(CHAIN_FILE)) !== undefined) throw new UsageError("the vault is signed already (it has a chain of trust): `vault verify` checks it", { data: { file: CHAIN_FILE } });
    const r0 = vault.roster.data;
    const member = memberFor(r0, signing.recipients);
    if (member === undefined) throw new NotAllowed("your identity is not a member in .envvault/roster.yaml: a member adopts the vault", { hints: ["`vault whoami` shows your identity"] });
    const own = signing.identities.filter((_, i) => requireMember(r0, member).recipients.includes(signing.recipients[i] ?? ""));
    let roster = setAdmins(vault.roster, [...adminsOf(r0), member]);
    roster = setSigningKeys(roster, member, [...signingKeysOf(r0, member), ...own.map((id) => signerFor(id).publicKey)]);
    const me = writerFor(roster.data, signing.identities, signing.recipients);
    const rosterText = String(roster.doc);
    const changes: Changes = new Map([[ROSTER_FILE, rosterText]]);
    const envs = [...(await envTexts(vault.source)).keys()];
    for (const env of envs) {
      const path = envPath(env);
      const f = parseEnvFile((await vault.source.read(path)) ?? "", path, env);
      changes.set(path, printEnvFile({ ...f, version: 2 }));
    }
    // Every line is new to the chain of trust: signed as written from nothing.
    const nothing = { read: async (p: string) => (p === ROSTER_FILE || p === VAULT_FILE || p === EXPOSED_FILE ? vault.source.read(p) : undefined), list: async () => [], describe: (p: string) => p };
    const signed = await signChanges({ source: nothing, roster: roster.data }, changes, me, signing.now);
    await applyChanges(root, signed);
    await cacheWrittenYaml(root, { roster: rosterText }, signing.identities[0]);
    const trustRoot = parseChain(signed.get(CHAIN_FILE) ?? "").find((l) => l.prev.length === 0)?.hash ?? "";
    // The adopter trusts what they just signed: their clone pins the new root at once.
    const cache = await TrustCache.open(root, signing.identities[0]!);
    cache.pin(trustRoot);
    await cache.save();
    return { root, envs, trustRoot };
  });
  // Every line was rewritten: the pre-commit hook's fingerprints follow, as after any write.
  return { ...adopted, warnings: await refreshAfterWrite(root, deps) };
}
