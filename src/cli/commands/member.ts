import { UsageError } from "../../errors.js";
import { isRecipient } from "../../crypto/age.js";
import { assertName } from "../../model/names.js";
import { memberFor, memberNames, ROSTER_FILE, scopesOf } from "../../model/roster.js";
import { findVaultRoot } from "../../store/root.js";
import { addMember } from "../../model/roster-edit.js";
import { allScopes, wrapForReaders } from "../../app/rotation.js";
import { keyringFor, openVault, whoAmI } from "../../app/session.js";
import { transaction } from "../../store/transaction.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";
import { rotate } from "./rotate.js";

interface Args {
  action: "add" | "list" | "remove";
  name?: string;
  recipient?: string[];
  team?: string[];
  kind?: "person" | "machine";
}

export async function member(ctx: Context, args: Args): Promise<void> {
  if (args.action === "list") return list(ctx);
  if (args.name === undefined) throw new UsageError(`\`vault member ${args.action}\` needs the member's name`);
  if (args.action === "remove") return rotate(ctx, { remove: args.name, all: false, stdin: false });
  return add(ctx, args.name, args);
}

async function add(ctx: Context, name: string, args: Args): Promise<void> {
  assertName("member", name);
  const recipients = [...new Set(args.recipient ?? [])];
  if (recipients.length === 0) {
    throw new UsageError(`a member needs at least one recipient: --recipient age1…`, { hints: [`${name} gets theirs from \`vault whoami\` or \`age-keygen -y identity.txt\``] });
  }
  recipients.forEach((r, i) => {
    if (!isRecipient(r)) {
      throw new UsageError(`recipient ${i + 1} of ${name} is not an age X25519 recipient (age1… of 62 characters)`, {
        hints: [`${name} gets theirs from \`vault whoami\` or \`age-keygen -y identity.txt\``],
      });
    }
  });
  const teams = [...new Set(args.team ?? [])].map((t) => assertName("team", t));
  const me = await whoAmI(depsOf(ctx));
  const result = await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    const taken = memberFor(vault.roster.data, recipients);
    if (taken !== undefined) throw new UsageError(`a recipient of ${name} already belongs to member ${taken}`, { hints: ["a recipient identifies one member"] });
    const roster = addMember(vault.roster, name, { recipients, ...(teams.length > 0 ? { teams } : {}), ...(args.kind === undefined ? {} : { kind: args.kind }) });
    const keyring = await keyringFor(vault, me);
    const changes = new Map<string, string | null>([[ROSTER_FILE, String(roster.doc)]]);
    const granted: string[] = [];
    const pending: string[] = [];
    for (const scope of scopesOf(roster.data, name)) {
      const file = await vault.envFile(scope.split(":")[0] ?? scope);
      if (!(await keyring.canRead(file, scope))) {
        pending.push(scope);
        continue;
      }
      const wrapped = await wrapForReaders(vault, keyring, roster.data, scope);
      for (const [p, t] of wrapped.changes) changes.set(p, t);
      granted.push(scope);
    }
    return { changes, result: { member: name, teams, scopes: granted, pending } };
  });
  ctx.out.note(`added member ${name}${teams.length > 0 ? ` (teams: ${teams.join(", ")})` : ""}; can read: ${result.scopes.join(", ") || "nothing yet (`vault grant " + name + " SCOPE`)"}`);
  if (result.pending.length > 0) {
    ctx.out.warn(`you cannot read ${result.pending.join(", ")}, so ${name} has no key for it yet: a member who can read it runs \`vault grant ${name} SCOPE\``);
  }
  ctx.out.result(result);
}

async function list(ctx: Context): Promise<void> {
  const vault = await openVault(depsOf(ctx));
  const roster = vault.roster.data;
  const scopes = await allScopes(vault);
  const holders = new Map(await Promise.all(scopes.map(async (s) => [s, await vault.keyHolders(s)] as const)));
  const rows = memberNames(roster).map((m) => ({
    member: m,
    kind: roster.members[m]?.kind ?? "person",
    teams: roster.members[m]?.teams ?? [],
    recipients: roster.members[m]?.recipients ?? [],
    reads: scopes.filter((s) => holders.get(s)?.includes(m)),
  }));
  if (ctx.json) return ctx.out.result({ members: rows });
  ctx.out.data(rows.map((r) => `${r.member}  ${r.kind}${r.teams.length ? `  teams: ${r.teams.join(",")}` : ""}  reads: ${r.reads.join(", ") || "-"}`).join("\n"));
}
