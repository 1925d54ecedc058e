import { UsageError } from "../../errors.js";
import { parseScope } from "../../model/names.js";
import { readersOf, resolveWho, ROSTER_FILE } from "../../model/roster.js";
import { findVaultRoot } from "../../store/root.js";
import { removeFromAccess } from "../../model/roster-edit.js";
import { updateExposures } from "../../store/exposures.js";
import { exposures, requireScope, rotateScopes } from "../../app/rotation.js";
import { keyringFor, whoAmI } from "../../app/session.js";
import { transaction } from "../../store/transaction.js";
import { nowSeconds } from "../../app/write.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { renderExposures } from "./rotate.js";

/** Takes a member's or team's access to a scope away; the scope is rotated at once. */
export async function revoke(ctx: Context, args: { who: string; scope: string }): Promise<void> {
  parseScope(args.scope);
  const me = await whoAmI(depsOf(ctx));
  const since = new Date(nowSeconds(ctx.processEnv) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const result = await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    await requireScope(vault, args.scope);
    const who = resolveWho(vault.roster.data, args.who);
    const direct = vault.roster.data.access?.[args.scope];
    const listed = who.kind === "team" ? (direct?.teams ?? []).includes(who.name) : (direct?.members ?? []).includes(who.name);
    const holders = await vault.keyHolders(args.scope);
    if (!listed && !(who.kind === "member" && holders.includes(who.name))) {
      throw new UsageError(`${args.who} has no access of its own to ${args.scope}`, {
        hints: ["`vault access` shows who can read what, and through which team"],
      });
    }
    const roster = removeFromAccess(vault.roster, args.scope, who);
    const losing = [...new Set([...readersOf(vault.roster.data, args.scope), ...holders])].filter((m) => !readersOf(roster.data, args.scope).includes(m));
    if (who.kind === "member" && !losing.includes(who.name)) {
      throw new UsageError(`${who.name} would still read ${args.scope} through a team`, {
        hints: ["revoke the team's access, or remove the member from the team in roster.yaml"],
      });
    }
    const rotation = await rotateScopes(vault, await keyringFor(vault, me), roster.data, [args.scope]);
    const exposed = (await Promise.all(losing.map((m) => exposures(vault, m, [args.scope], since)))).flat();
    await updateExposures(vault, rotation.changes, exposed);
    rotation.changes.set(ROSTER_FILE, String(roster.doc));
    return { changes: rotation.changes, result: { scope: args.scope, removed: losing, exposed } };
  });
  ctx.out.note(`revoked ${args.who} from ${result.scope}; rotated ${result.scope} (${result.removed.join(", ") || "nobody"} lost access)`);
  renderExposures(ctx, result.exposed);
  ctx.out.result(result);
}
