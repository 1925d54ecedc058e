import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { withLock } from "../../io/lock.js";
import { LOCAL_DIR } from "../../store/root.js";
import { openVault } from "../../ops/session.js";
import { lockAll } from "../../ops/unlock.js";
import { summary, where } from "../common.js";
import type { Context } from "../context.js";

export async function lock(ctx: Context): Promise<void> {
  const vault = await openVault(where(ctx));
  await mkdir(join(vault.root, LOCAL_DIR), { recursive: true, mode: 0o700 });
  const results = await withLock(join(vault.root, LOCAL_DIR), () => lockAll(vault));
  if (results.length === 0) ctx.out.note("nothing to lock: no target was unlocked in this clone");
  for (const r of results) {
    ctx.out.note(`locked ${r.target}: ${summary([], [], r.removed)}`);
    if (r.kept.length > 0) ctx.out.warn(`${r.target}: kept ${r.kept.join(", ")}: changed locally since unlock; \`vault set\` saves it, or delete the line yourself`);
  }
  ctx.out.result({ targets: results });
}
