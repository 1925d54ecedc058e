/** What members who lost access could read, as `vault rotate --remove`, `member remove` and `revoke` print it. */
import type { Exposure } from "../model/config.js";
import type { RemovedMember } from "../app/remove-member.js";
import type { EarlierValue } from "../app/rotation.js";
import { valueTime } from "../model/envfile.js";
import type { Context } from "./context.js";

/**
 * Prints what removed members could read: the current values, then what history gave them
 * (git keeps every commit, and their identity still opens the key files there). Each value
 * still in use must be changed at its provider.
 */
export function renderExposures(ctx: Context, exposed: readonly Exposure[], earlier: readonly EarlierValue[] = []): void {
  if (exposed.length > 0) {
    const who = [...new Set(exposed.map((e) => e.to))].join(", ");
    const width = Math.max(...exposed.map((e) => e.env.length));
    ctx.out.data(
      [`${who} could read these values; change each at its provider, then \`vault rotate KEY --env ENV\`:`, ...exposed.map((e) => `  ${e.env.padEnd(width)}  ${e.key}`)].join("\n"),
    );
  }
  if (earlier.length === 0) return;
  const who = [...new Set(earlier.map((e) => e.to))].join(", ");
  const width = Math.max(...earlier.map((e) => e.env.length));
  const keyWidth = Math.max(...earlier.map((e) => e.key.length));
  ctx.out.data(
    [
      `${who} could also read these versions at earlier commits or on other branches (git keeps them, and the key files there still open); change each that is still in use at its provider:`,
      ...earlier.map((e) => `  ${e.env.padEnd(width)}  ${e.key.padEnd(keyWidth)}  set ${valueTime(e.t)}, readable at ${e.commits.length} commit(s), the latest ${e.commits[0]!.slice(0, 12)}`),
    ].join("\n"),
  );
}

/** The report of an offboarding: who went, which scopes got new keys, what they could read. */
export function renderRemoval(ctx: Context, r: RemovedMember): void {
  ctx.out.note(`removed ${r.removed}; new keys for ${r.scopes.join(", ") || "no scope"}`);
  renderExposures(ctx, r.exposed, r.earlier);
  ctx.out.result({ removed: r.removed, scopes: r.scopes, exposed: r.exposed, earlier: r.earlier });
}
