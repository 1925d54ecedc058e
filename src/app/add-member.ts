/** `vault member add`: a new member in roster.yaml, with a key file for each scope the roster already lets them read. */
import { UsageError } from "../errors.js";
import { isRecipient } from "../crypto/age.js";
import { isSigningKey } from "../crypto/sign.js";
import { assertName } from "../model/names.js";
import { memberFor, ROSTER_FILE, scopesOf } from "../model/roster.js";
import { addMember as addToRoster } from "../model/roster-edit.js";
import { findVaultRoot } from "../store/root.js";
import { type Changes, transaction } from "../store/transaction.js";
import { wrapForReaders } from "./rotation.js";
import { type Deps, keyringFor, whoAmI, signingFor } from "./session.js";

/** Who joins: what `vault member add` was given. */
export interface NewMember {
  name: string;
  /** Their age recipients (`age1…`); repeats are dropped. */
  recipients: readonly string[];
  /** Teams they belong to (their access through those teams starts at once). */
  teams?: readonly string[];
  kind?: "person" | "machine";
  /** Their signing keys (`ed25519:…`, from their `vault whoami`): without one they cannot write. */
  signingKeys?: readonly string[];
}

/** The member added and what they can read now. */
export interface AddedMember {
  member: string;
  teams: string[];
  /** Scopes they got a key file for. */
  scopes: string[];
  /** Scopes the roster lets them read that the one adding them cannot read, so holds no key for yet. */
  pending: string[];
}

/**
 * Adds a member. The name, each recipient and the teams are checked before anything is read
 * (the recipient check is crypto's, so it is done here rather than by the command line).
 */
export async function addMember(deps: Deps, o: NewMember): Promise<AddedMember> {
  const name = assertName("member", o.name);
  const recipients = [...new Set(o.recipients)];
  const hint = [`${name} gets theirs from \`vault whoami\` or \`age-keygen -y identity.txt\``];
  if (recipients.length === 0) throw new UsageError(`a member needs at least one recipient: --recipient age1…`, { hints: hint });
  recipients.forEach((r, i) => {
    if (!isRecipient(r)) throw new UsageError(`recipient ${i + 1} of ${name} is not an age X25519 recipient (age1… of 62 characters)`, { hints: hint });
  });
  const teams = [...new Set(o.teams ?? [])].map((t) => assertName("team", t));
  const signingKeys = [...new Set(o.signingKeys ?? [])];
  for (const k of signingKeys) if (!isSigningKey(k)) throw new UsageError(`the signing key of ${name} is not one: it is \`ed25519:\` and 43 base64url characters, as \`vault whoami\` prints it`, { hints: hint });
  const me = await whoAmI(deps);
  return transaction(findVaultRoot(deps.cwd), await signingFor(deps), async (vault) => {
    if (Object.hasOwn(vault.roster.data.members, name)) {
      throw new UsageError(`member ${name} already exists`, { hints: [`choose another name; or \`vault member teams ${name} --team T…\` changes their teams, \`vault member keys ${name}\` their signing keys, and \`vault member remove ${name}\` first starts over`] });
    }
    const taken = memberFor(vault.roster.data, recipients);
    if (taken !== undefined) throw new UsageError(`a recipient of ${name} already belongs to member ${taken}`, { hints: ["a recipient identifies one member"] });
    const roster = addToRoster(vault.roster, name, { recipients, ...(signingKeys.length > 0 ? { signing_keys: signingKeys } : {}), ...(teams.length > 0 ? { teams } : {}), ...(o.kind === undefined ? {} : { kind: o.kind }) });
    const keyring = keyringFor(vault, me);
    const changes: Changes = new Map([[ROSTER_FILE, String(roster.doc)]]);
    const granted: string[] = [];
    const pending: string[] = [];
    for (const scope of scopesOf(roster.data, name)) {
      const file = await vault.envFile(scope.split(":")[0] ?? scope);
      if (!(await keyring.canRead(file, scope))) {
        pending.push(scope);
        continue;
      }
      for (const [p, t] of (await wrapForReaders(vault, keyring, roster.data, scope)).changes) changes.set(p, t);
      granted.push(scope);
    }
    return { changes, result: { member: name, teams, scopes: granted, pending } };
  });
}
