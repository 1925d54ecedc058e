/** `vault grant` and `vault admin`: access and roles given, as the roster records them. */
import { grant as grantAccess } from "../../app/grant.js";
import { grantWrite, setAdmin } from "../../app/roles.js";
import { UsageError } from "../../errors.js";
import { parseScope } from "../../model/names.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

/** `vault grant WHO SCOPE [--read-only | --write-only]`: access for a member or a team, with a key file for each new reader. */
export async function grant(ctx: Context, args: { who: string; scope: string; "read-only"?: boolean; "write-only"?: boolean }): Promise<void> {
  parseScope(args.scope);
  if (args["write-only"] === true && args["read-only"] === true) throw new UsageError("--read-only and --write-only exclude each other: a plain grant reads and writes");
  if (args["write-only"] === true) {
    const r = await grantWrite(depsOf(ctx), { who: args.who, scope: args.scope });
    ctx.out.note(`granted ${r.who} write access to ${r.scope} (without reading it)`);
    return ctx.out.result(r);
  }
  const r = await grantAccess(depsOf(ctx), { who: args.who, scope: args.scope, readOnly: args["read-only"] === true });
  ctx.out.note(`granted ${r.who} ${args["read-only"] === true ? "read-only" : "read"} access to ${r.scope}${r.readers.length > 0 ? `: new key files for ${r.readers.join(", ")}` : ""}`);
  ctx.out.result(r);
}

/** `vault admin add|remove NAME`. */
export async function admin(ctx: Context, args: { action: "add" | "remove"; member: string }): Promise<void> {
  const r = await setAdmin(depsOf(ctx), { member: args.member, admin: args.action === "add" });
  ctx.out.note(`admins: ${r.admins.join(", ")}; commit .envvault/roster.yaml and .envvault/chain`);
  ctx.out.result(r);
}
