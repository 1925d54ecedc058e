/** What members who lost access could read, as `vault rotate --remove`, `member remove` and `revoke` print it. */
import type { Exposure } from "../model/config.js";
import type { RemovedMember } from "../app/remove-member.js";
import type { Context } from "./context.js";

/** Prints what removed members could read: each value must be changed at its provider. */
export function renderExposures(ctx: Context, exposed: readonly Exposure[]): void {
  if (exposed.length === 0) return;
  const who = [...new Set(exposed.map((e) => e.to))].join(", ");
  const width = Math.max(...exposed.map((e) => e.env.length));
  ctx.out.data(
    [`${who} could read these values; change each at its provider, then \`vault rotate KEY --env ENV\`:`, ...exposed.map((e) => `  ${e.env.padEnd(width)}  ${e.key}`)].join("\n"),
  );
}

/** The report of an offboarding: who went, which scopes got new keys, what they could read. */
export function renderRemoval(ctx: Context, r: RemovedMember): void {
  ctx.out.note(`removed ${r.removed}; new keys for ${r.scopes.join(", ") || "no scope"}`);
  renderExposures(ctx, r.exposed);
  ctx.out.result({ removed: r.removed, scopes: r.scopes, exposed: r.exposed });
}
