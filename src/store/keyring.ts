/** One reader's access to values: the scope and batch keys their identity opens. */
import { NotARecipient, Tampered } from "../errors.js";
import { deriveValueKey } from "../crypto/seal.js";
import { unwrapBatchKey, unwrapScopeKey } from "../crypto/scopekey.js";
import type { EnvFile } from "../model/envfile.js";
import { parseScope } from "../model/names.js";
import { Vault } from "./vault.js";

/**
 * Opens scope keys and batch keys once each, for one reader. Reading needs the scope's
 * private key, which only the scope's key files hold: that is the whole access check.
 */
export class Keyring {
  private readonly scopeKeys = new Map<string, Promise<string>>();
  private readonly valueKeys = new Map<string, Promise<Uint8Array>>();

  constructor(
    readonly vault: Vault,
    readonly identities: readonly string[],
    readonly recipients: readonly string[],
    readonly member: string | undefined,
  ) {}

  /** The scope's private key; NotARecipient when this reader holds no key file for it. */
  scopeIdentity(envFile: EnvFile, scope: string): Promise<string> {
    let p = this.scopeKeys.get(scope);
    if (p === undefined) {
      p = this.openScope(envFile, scope);
      this.scopeKeys.set(scope, p);
    }
    return p;
  }

  /**
   * Whether this reader can read a scope: false when they hold no key file for it (or are
   * no member). A key file of theirs that does not open is not a quiet "no": it was changed,
   * or made for another identity, and hiding the scope's values would hide that; it throws.
   */
  async canRead(envFile: EnvFile, scope: string): Promise<boolean> {
    try {
      await this.scopeIdentity(envFile, scope);
      return true;
    } catch (e) {
      if (e instanceof NotARecipient && e.data.keyFile !== "unopened") return false;
      throw e;
    }
  }

  private async openScope(envFile: EnvFile, scope: string): Promise<string> {
    const recipient = envFile.scopes.get(scope);
    const file = Vault.envPath(envFile.env);
    if (recipient === undefined) {
      throw new Tampered(`${file} has no #@scope line for scope ${scope}`, {
        data: { file, scope, env: envFile.env },
        hints: [`restore ${file} from git`],
      });
    }
    const denied = (why: string) =>
      new NotARecipient(`you cannot read scope ${scope}: ${why}`, {
        data: { scope, env: parseScope(scope).env },
        hints: [
          "ask a member who can read it to run `vault grant <you> " + scope + "`",
          "`vault whoami` shows which identity and member you are",
        ],
      });
    if (this.member === undefined) throw denied("your identity is not a member in .envvault/roster.yaml");
    const path = Vault.keyPath(scope, this.member);
    const armored = await this.vault.keyFile(scope, this.member);
    if (armored === undefined) throw denied(`there is no key file ${path} for member ${this.member}`);
    try {
      return await unwrapScopeKey(armored, this.identities, { scope, expectedRecipient: recipient, file: path });
    } catch (e) {
      if (!(e instanceof NotARecipient)) throw e;
      // age cannot tell a changed stanza from one for another identity (docs/FORMAT.md §2).
      throw new NotARecipient(`you cannot read scope ${scope}: your key file ${path} does not open with your identity (it was changed, or made for another identity)`, {
        data: { ...e.data, scope, file: path, keyFile: "unopened" },
        hints: ["`vault whoami` shows which identity you use; pass the right one with --identity", `if it is yours, restore ${path} from git, or ask a member who can read ${scope} to \`vault grant\` you again`],
        cause: e,
      });
    }
  }

  /** The value key of a batch, opened with the batch's scope key. */
  valueKey(envFile: EnvFile, batchId: string, key: string): Promise<Uint8Array> {
    const cacheKey = `${envFile.env}/${batchId}`;
    let p = this.valueKeys.get(cacheKey);
    if (p === undefined) {
      p = this.openBatch(envFile, batchId, key);
      this.valueKeys.set(cacheKey, p);
    }
    return p;
  }

  private async openBatch(envFile: EnvFile, batchId: string, key: string): Promise<Uint8Array> {
    const batch = envFile.batches.get(batchId);
    const file = Vault.envPath(envFile.env);
    if (batch === undefined) {
      throw new Tampered(`${file}: ${key} refers to batch ${batchId}, which the file does not hold`, {
        data: { file, key, env: envFile.env },
        hints: [`restore ${file} from git; if a merge produced it, run \`vault status\``],
      });
    }
    const scopeKey = await this.scopeIdentity(envFile, batch.scope);
    try {
      return deriveValueKey(await unwrapBatchKey(batch.age, batchId, scopeKey, { env: envFile.env, scope: batch.scope }));
    } catch (e) {
      if (!(e instanceof Tampered)) throw e;
      throw new Tampered(`${file}: ${key} cannot be opened: ${e.message}`, {
        data: { ...e.data, file, key, env: envFile.env },
        hints: [`restore ${file} from git (git checkout -- ${file}); if a merge produced it, re-run the merge`],
        cause: e,
      });
    }
  }
}
