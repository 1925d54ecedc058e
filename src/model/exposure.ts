/** The text of `.envvault/exposed.json`: what removed members could read, kept until those values change. */
import { InvalidFile } from "../errors.js";
import type { Exposure } from "./config.js";
import { isKey, isName } from "./names.js";
import { EXPOSED_FILE } from "./layout.js";

export { EXPOSED_FILE } from "./layout.js";

/** One line of `exposed.json`: what one removed member could read of one environment. */
interface Record {
  to: string;
  since: string;
  env: string;
  /** Key → the change time `t` of the value that was exposed, or the times of several versions (from history). */
  keys: { [key: string]: number | number[] };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reads `exposed.json`: `{"version":1,"records":[{"to","since","env","keys":{KEY:t}}…]}`.
 * Kept apart from vault.yaml so that the everyday commands never read it.
 */
export function parseExposures(text: string, file = EXPOSED_FILE): Exposure[] {
  const bad = (why: string) =>
    new InvalidFile(`${file}: ${why}`, { data: { file }, hints: [`restore it with git checkout -- ${file}`] });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad("is not valid JSON");
  }
  const d = data as { version?: unknown; records?: unknown };
  if (d === null || typeof d !== "object" || d.version !== 1 || !Array.isArray(d.records)) throw bad('expected {"version": 1, "records": [...]}');
  const out: Exposure[] = [];
  d.records.forEach((r: Partial<Record>, i: number) => {
    const ok =
      r !== null && typeof r === "object" && typeof r.to === "string" && isName(r.to) && typeof r.env === "string" && isName(r.env) &&
      typeof r.since === "string" && r.keys !== null && typeof r.keys === "object" &&
      Object.entries(r.keys).every(([k, t]) => isKey(k) && (Array.isArray(t) ? t.length > 0 && t.every(isTime) : isTime(t)));
    if (!ok) throw bad(`record ${i + 1} is malformed`);
    for (const [key, ts] of Object.entries(r.keys as { [key: string]: number | number[] })) {
      for (const t of Array.isArray(ts) ? ts : [ts]) out.push({ env: r.env!, key, to: r.to!, since: r.since!, t });
    }
  });
  return out;
}

const isTime = (t: unknown): boolean => Number.isSafeInteger(t) && (t as number) >= 0;

/**
 * Canonical text: records grouped by member, time and environment, sorted; a key seen in
 * several versions lists their times, newest first. Same content, same bytes.
 */
export function printExposures(list: readonly Exposure[]): string {
  const groups = new Map<string, { to: string; since: string; env: string; keys: Map<string, Set<number>> }>();
  for (const e of list) {
    const id = `${e.to}\u0000${e.since}\u0000${e.env}`;
    const g = groups.get(id) ?? { to: e.to, since: e.since, env: e.env, keys: new Map<string, Set<number>>() };
    g.keys.set(e.key, (g.keys.get(e.key) ?? new Set<number>()).add(e.t));
    groups.set(id, g);
  }
  const records: Record[] = [...groups.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([, g]) => ({
      to: g.to,
      since: g.since,
      env: g.env,
      keys: Object.fromEntries(
        [...g.keys].sort(([a], [b]) => byText(a, b)).map(([k, ts]) => {
          const sorted = [...ts].sort((a, b) => b - a);
          return [k, sorted.length === 1 ? sorted[0]! : sorted];
        }),
      ),
    }));
  return `{"version":1,"records":[\n${records.map((r) => JSON.stringify(r)).join(",\n")}\n]}\n`;
}
