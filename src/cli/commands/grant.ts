import { parseScope } from "../../model/names.js";
import { resolveWho } from "../../model/roster.js";
import { ROSTER_FILE } from "../../model/roster.js";
import { UsageError } from "../../errors.js";
import { findVaultRoot } from "../../store/root.js";
import { addToAccess } from "../../model/roster-edit.js";
import { requireScope, wrapForReaders } from "../../app/rotation.js";
import { keyringFor, whoAmI } from "../../app/session.js";
import { transaction } from "../../store/transaction.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** Gives a member or a team read access to a scope: roster entry plus a key file for each new reader. */
export async function grant(ctx: Context, args: { who: string; scope: string }): Promise<void> {
  parseScope(args.scope);
  const me = await whoAmI(depsOf(ctx));
  const result = await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    await requireScope(vault, args.scope);
    const who = resolveWho(vault.roster.data, args.who);
    const direct = vault.roster.data.access?.[args.scope];
    const listed = who.kind === "team" ? (direct?.teams ?? []).includes(who.name) : (direct?.members ?? []).includes(who.name);
    const roster = addToAccess(vault.roster, args.scope, who);
    // Granting again is how missing key files get made (say, after `member add` by someone who could not read the scope).
    const { changes, added } = await wrapForReaders(vault, await keyringFor(vault, me), roster.data, args.scope);
    if (listed && added.length === 0) throw new UsageError(`${args.who} can already read ${args.scope}`, { hints: ["`vault access` shows who can read what"] });
    changes.set(ROSTER_FILE, String(roster.doc));
    return { changes, result: { scope: args.scope, who: `${who.kind === "team" ? "team " : ""}${who.name}`, readers: added } };
  });
  ctx.out.note(`granted ${result.who} read access to ${result.scope}${result.readers.length > 0 ? `: new key files for ${result.readers.join(", ")}` : ""}`);
  ctx.out.result(result);
}
