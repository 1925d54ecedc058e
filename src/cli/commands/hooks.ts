import { install, refresh, uninstall } from "../../app/hooks.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  action: "install" | "uninstall" | "refresh";
}

/** `vault hooks install|uninstall|refresh`: says what changed, and what to commit. */
export async function hooks(ctx: Context, args: Args): Promise<void> {
  if (args.action === "install") {
    const r = await install(depsOf(ctx));
    ctx.out.note(`hooks in ${r.where}${r.husky ? " (husky)" : ""}: ${r.changed.length === 0 ? "already installed" : r.changed.join(", ")}`);
    for (const c of r.chained) ctx.out.note(`kept your existing hook as ${c}; it runs after envvault's`);
    ctx.out.note(`merge driver and diff converter: set in ${r.config} (merge.envvault, diff.envvault)`);
    if (r.attributes) ctx.out.note("added `.envvault/envs/*.env merge=envvault diff=envvault` to .gitattributes: commit it");
    if (r.husky) ctx.out.note("husky: commit the changed .husky/ files; every clone needs `vault hooks install` once for the merge driver");
    ctx.out.result(r);
    return;
  }
  if (args.action === "uninstall") {
    const r = await uninstall(depsOf(ctx));
    const touched = [...r.changed, ...r.removed, ...r.restored];
    ctx.out.note(touched.length === 0 ? "no envvault hook was installed" : `removed envvault from ${touched.join(", ")}`);
    for (const p of r.restored) ctx.out.note(`restored your hook ${p}`);
    ctx.out.note(`merge driver and diff converter removed from ${r.config}; .gitattributes is committed and was left as it is`);
    ctx.out.result(r);
    return;
  }
  const r = await refresh(depsOf(ctx));
  const earlier = r.history > 0 ? ` and ${r.earlier} earlier value(s) of the last ${r.history} commits` : "";
  ctx.out.note(`fingerprint cache: ${r.values} value(s)${earlier}${r.unreadable.length > 0 ? `; scopes you cannot read (not checked): ${r.unreadable.join(", ")}` : ""}`);
  if (r.incomplete.length > 0) ctx.out.warn(`${r.incomplete.join(", ")}: some values could not be read (no identity, or a damaged file), so commits are not checked for them`);
  ctx.out.result(r);
}
