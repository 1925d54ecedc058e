/**
 * The figures docs/SECURITY.md quotes (mutations tried / detected, vectors, fuzz inputs, kill
 * trials, concurrent runs, leak hits). A suite records its own; with ENVVAULT_FIGURES=DIR each
 * lands in DIR/<name>.json, otherwise they are dropped.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function record(name: string, figures: Record<string, unknown>): void {
  const dir = process.env.ENVVAULT_FIGURES;
  if (dir === undefined || dir === "") return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(figures, null, 2) + "\n");
}

/** Long mode (`npm run test:long`): ENVVAULT_LONG=1. */
export const LONG = process.env.ENVVAULT_LONG === "1";
