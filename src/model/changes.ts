/**
 * Key-level changes between two versions of the vault's environment files (`vault log`,
 * `diff`, `status`, `sync`). Two versions of a file are compared key by key: a key whose
 * sealed value (batch, time, ciphertext) changed was set again (or re-sealed by a rotation,
 * which the changed `#@scope` line tells). Nothing is decrypted: values never appear. Pure.
 */
import { hasConflictMarkers, parseConflicted } from "./conflicts.js";
import { type EnvFile, parseEnvFile, type SealedValue } from "./envfile.js";
import { envPath } from "./layout.js";

/** What changed in one environment: keys by name, and the scopes given a new key. */
export interface EnvChange {
  env: string;
  added: string[];
  changed: string[];
  removed: string[];
  /** Scopes whose key was replaced (rotations). */
  rekeyed: string[];
}

/**
 * Whether two value lines hold the same sealed value: a line signed again (a merge's choice
 * of one side names that side's line as its `prev`) changes no value.
 */
export const sameSealed = (a: SealedValue, b: SealedValue) => a.batch === b.batch && a.t === b.t && a.payload === b.payload;

/** The key-level difference between two versions of an environment file (either may be missing). */
export function envDiff(env: string, before: EnvFile | undefined, after: EnvFile | undefined): EnvChange {
  const change: EnvChange = { env, added: [], changed: [], removed: [], rekeyed: [] };
  const a = before?.values ?? new Map();
  const b = after?.values ?? new Map();
  for (const [key, v] of b) {
    const old = a.get(key);
    if (old === undefined) change.added.push(key);
    else if (!sameSealed(old, v)) change.changed.push(key);
  }
  for (const key of a.keys()) if (!b.has(key)) change.removed.push(key);
  for (const [s, recipient] of after?.scopes ?? []) {
    const old = before?.scopes.get(s);
    if (old !== undefined && old !== recipient) change.rekeyed.push(s);
  }
  for (const l of [change.added, change.changed, change.removed, change.rekeyed]) l.sort();
  return change;
}

/** Whether a change changes nothing. */
export const isEmptyChange = (c: EnvChange): boolean => c.added.length + c.changed.length + c.removed.length + c.rekeyed.length === 0;

/** The changes between two sets of environment files (environment → text), environments sorted. */
export function diffEnvTexts(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): EnvChange[] {
  const out: EnvChange[] = [];
  for (const env of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const path = envPath(env);
    const read = (text: string | undefined) => (text === undefined ? undefined : readEnvText(text, path, env));
    const c = envDiff(env, read(before.get(env)), read(after.get(env)));
    if (!isEmptyChange(c)) out.push(c);
  }
  return out;
}

/** Reads an environment file's text leniently: a committed conflict is read as its merged part, damage as nothing. */
export function readEnvText(text: string, path: string, env: string): EnvFile | undefined {
  try {
    return hasConflictMarkers(text) ? parseConflicted(text, path, env).file : parseEnvFile(text, path, env);
  } catch {
    return undefined;
  }
}
