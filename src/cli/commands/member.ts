import { UsageError } from "../../errors.js";
import { addMember } from "../../app/add-member.js";
import { listMembers } from "../../app/list-members.js";
import { setMemberTeams } from "../../app/member-teams.js";
import { removeMember } from "../../app/remove-member.js";
import { setMemberSigningKeys } from "../../app/roles.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { renderExposures, renderRemoval } from "../exposures.js";
import { withSpinner } from "../spinner.js";

interface Args {
  action: "add" | "list" | "remove" | "keys" | "teams";
  name?: string;
  recipient?: string[];
  team?: string[];
  kind?: "person" | "machine";
  "signing-key"?: string[];
}

/** `vault member add NAME --recipient R… [--team T…]`, `member teams NAME --team T…`, `member list`, `member remove NAME` (the offboarding of `rotate --remove`). */
export async function member(ctx: Context, args: Args): Promise<void> {
  if (args.action === "list") return list(ctx);
  const name = args.name;
  if (name === undefined) throw new UsageError(`\`vault member ${args.action}\` needs the member's name`);
  if (args.action === "keys") {
    const r = await setMemberSigningKeys(depsOf(ctx), { member: name, keys: args["signing-key"] ?? [] });
    ctx.out.note(`${r.member}'s signing keys: ${r.keys.join(", ")}; commit .envvault/roster.yaml and .envvault/chain`);
    return ctx.out.result(r);
  }
  if (args.action === "teams") {
    // The whole list, so that a forgotten option never takes every team away.
    if (args.team === undefined) throw new UsageError(`\`vault member teams ${name}\` needs the member's teams: --team T (once per team), or --team= for none`);
    const teams = args.team.filter((t) => t !== "");
    const r = await withSpinner(ctx, "changing access", () => setMemberTeams(depsOf(ctx), { member: name, teams }));
    const reads = [r.gained.length > 0 ? `now reads ${r.gained.join(", ")}` : "", r.lost.length > 0 ? `no longer reads ${r.lost.join(", ")} (new keys)` : ""].filter((p) => p !== "");
    ctx.out.note(`${r.member}'s teams: ${r.teams.join(", ") || "none"}${reads.length > 0 ? `; ${reads.join("; ")}` : "; what they read is unchanged"}`);
    if (r.pending.length > 0) ctx.out.warn(`you cannot read ${r.pending.join(", ")}, so ${r.member} has no key for it yet: a member who can read it runs \`vault grant ${r.member} SCOPE\``);
    renderExposures(ctx, r.exposed, r.earlier);
    return ctx.out.result(r);
  }
  if (args.action === "remove") return renderRemoval(ctx, await withSpinner(ctx, "rotating keys", () => removeMember(depsOf(ctx), { name })));
  const r = await addMember(depsOf(ctx), { name, recipients: args.recipient ?? [], signingKeys: args["signing-key"] ?? [], teams: args.team ?? [], ...(args.kind === undefined ? {} : { kind: args.kind }) });
  ctx.out.note(`added member ${r.member}${r.teams.length > 0 ? ` (teams: ${r.teams.join(", ")})` : ""}; can read: ${r.scopes.join(", ") || "nothing yet (`vault grant " + r.member + " SCOPE`)"}`);
  if (r.pending.length > 0) {
    ctx.out.warn(`you cannot read ${r.pending.join(", ")}, so ${r.member} has no key for it yet: a member who can read it runs \`vault grant ${r.member} SCOPE\``);
  }
  ctx.out.result(r);
}

async function list(ctx: Context): Promise<void> {
  const rows = await listMembers(depsOf(ctx));
  if (ctx.json) return ctx.out.result({ members: rows });
  ctx.out.data(rows.map((r) => `${r.member}  ${r.kind}${r.teams.length ? `  teams: ${r.teams.join(",")}` : ""}  reads: ${r.reads.join(", ") || "-"}`).join("\n"));
}
