import { entries, readEnv } from "../../app/read.js";
import { keyringFor, openVault, whoAmI } from "../../app/session.js";
import { burnedOf, kindOf } from "../../model/config.js";
import { chooseEnv, depsOf } from "../common.js";
import type { Context } from "../context.js";

const MASK = "••••••";

export async function list(ctx: Context, args: { reveal: boolean }): Promise<void> {
  const vault = await openVault(depsOf(ctx));
  const env = await chooseEnv(vault, ctx);
  const all = await entries(vault, env);
  const cfg = vault.config.data;
  const showConfig = [...all.keys()].some((k) => kindOf(cfg, k) === "config");
  let values = new Map<string, string>();
  if (args.reveal || showConfig) {
    const keyring = await keyringFor(vault, await whoAmI(depsOf(ctx)));
    const keys = args.reveal ? undefined : [...all.keys()].filter((k) => kindOf(cfg, k) === "config");
    try {
      values = new Map([...(await readEnv(keyring, env, keys))].map(([k, r]) => [k, r.value]));
    } catch (e) {
      // Without read access, config values stay masked like the rest; --reveal must fail.
      if (args.reveal) throw e;
    }
  }
  const rows = [...all.values()]
    .map(({ entry }) => ({
      key: entry.key,
      kind: kindOf(cfg, entry.key),
      burned: burnedOf(cfg, entry.key) !== undefined,
      scope: entry.scope,
      from: entry.env,
      changed: new Date(entry.t * 1000).toISOString().replace(/\.000Z$/, "Z"),
      value: values.get(entry.key),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  if (ctx.json) {
    ctx.out.result({ env, variables: rows });
    return;
  }
  if (rows.length === 0) {
    ctx.out.note(`${env} has no variables yet; add one with \`vault set KEY\``);
    return;
  }
  const table = [["KEY", "KIND", "SCOPE", "CHANGED", "VALUE"], ...rows.map((r) => [r.key, r.kind + (r.burned ? " (burned)" : ""), r.scope + (r.from !== env ? ` (from ${r.from})` : ""), r.changed, r.value === undefined ? MASK : JSON.stringify(r.value)])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  ctx.out.data(table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n"));
}
