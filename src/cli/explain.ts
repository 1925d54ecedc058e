import type { Reading } from "../app/session.js";
import { kindOf, type VaultConfig } from "../model/config.js";
import type { Entry } from "../model/envfile.js";
import { type Explanation, type FileReport, layerLabel, type Resolved } from "../model/layers.js";
import type { Context } from "./context.js";

/** A value as `--explain` may show it: config values as they are, anything else masked. */
function shown(cfg: VaultConfig, key: string, value: string | undefined): string {
  if (value === undefined) return "(cannot read)";
  return kindOf(cfg, key) === "config" ? JSON.stringify(value) : "********";
}

/**
 * Prints every layer that sets the key, lowest priority first, and which one won. Values
 * are masked unless the variable's kind is config.
 */
export function renderExplain(ctx: Context, cfg: VaultConfig, x: Explanation, label = ""): void {
  if (ctx.json) return;
  const where = `${x.env}${x.context === undefined ? "" : ` --context ${x.context}`}${label}`;
  const lines = [`${x.key} in ${where} (priority: ${x.priority}; lowest first):`];
  if (x.rows.length === 0) lines.push("  no layer sets it");
  const width = Math.max(0, ...x.rows.map((r) => layerLabel(r).length));
  for (const r of x.rows) {
    lines.push(`${r.won ? "* " : "  "}${layerLabel(r).padEnd(width)}  ${shown(cfg, x.key, r.value)}${r.note === undefined ? "" : `  (${r.note})`}`);
  }
  const winner = x.rows.find((r) => r.won);
  if (x.burned) lines.push(`${x.key} is burned: it is left out`);
  else if (winner !== undefined) {
    lines.push(`${x.key} comes from ${layerLabel(winner)}${x.interpolated ? `, interpolated to ${shown(cfg, x.key, x.value)}` : ""}`);
  }
  ctx.out.data(lines.join("\n"));
}

/** The machine-readable explanation (values only for config variables). */
export function explainJson(cfg: VaultConfig, x: Explanation): unknown {
  const reveal = kindOf(cfg, x.key) === "config";
  return {
    ...x,
    value: reveal ? x.value : undefined,
    rows: x.rows.map((r) => ({ ...r, layer: layerLabel(r), value: reveal ? r.value : undefined })),
  };
}

/** `--debug`: which env_file layers were read and which skipped; parser warnings always. */
export function reportFiles(ctx: Context, r: Resolved, target?: string): void {
  const prefix = `${r.env}${target === undefined ? "" : ` (target ${target})`}`;
  for (const f of r.files) {
    for (const w of f.warnings) ctx.out.warn(w);
    if (!ctx.debug) continue;
    ctx.out.note(`vault: debug: ${prefix}: ${describeFile(f)}`);
  }
  if (ctx.debug && r.files.length === 0) ctx.out.note(`vault: debug: ${prefix}: no env_file layers`);
}

function describeFile(f: FileReport): string {
  if (f.loaded) return `loaded ${f.path} (${f.keys} variable${f.keys === 1 ? "" : "s"})`;
  return `skipped ${f.path}: ${f.skipped ?? "not read"}`;
}

/** Says which variables were left out because this reader cannot open their scope. */
export function warnHidden(ctx: Context, env: string, hidden: readonly Pick<Entry, "key" | "scope">[]): void {
  if (hidden.length === 0) return;
  ctx.out.warn(`${env}: left out ${hidden.map((h) => `${h.key} (${h.scope})`).join(", ")}: you cannot read ${hidden.length === 1 ? "its scope" : "their scopes"}`);
}

/** What reading an environment has to tell: a stale `vault use` choice, hidden scopes, env_file reports. */
export function reportReading(ctx: Context, reading: Pick<Reading, "warnings">, resolved: Resolved & { hidden: readonly Pick<Entry, "key" | "scope">[] }, target?: string): void {
  for (const w of reading.warnings) ctx.out.warn(w);
  warnHidden(ctx, resolved.env, resolved.hidden);
  reportFiles(ctx, resolved, target);
}
