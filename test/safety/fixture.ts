/**
 * The team vault the safety suites attack: made once per suite with the built CLI in a
 * {@link Sandbox} — two environments, a named scope `production:payments`, several values
 * in several batches, and two members (alice reads everything, bob reads development).
 */
import { expect } from "@jest/globals";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, Sandbox } from "../e2e/harness.js";

export const DEV = { API_TOKEN: "safety-dev-token-3b9f2e", DATABASE_URL: "postgres://dev:safety-devpw-81c4@db/dev", LOG_LEVEL: "debug-safety-lvl" };
export const PROD = { API_TOKEN: "safety-prod-token-d71a05", DATABASE_URL: "postgres://prod:safety-prodpw-6e2b@db/prod", SENTRY_DSN: "https://safety-sentry-4f0c@o1.ingest/2" };
export const PAYMENTS = { STRIPE_SECRET: "safety-stripe-secret-a8e31c", STRIPE_WEBHOOK: "safety-stripe-hook-19d7b0" };
/** Set one at a time after the imports, so each environment holds several batches. */
export const LATE = { development: { SESSION_SECRET: "safety-dev-session-77aa01" }, production: { SESSION_SECRET: "safety-prod-session-0c3e9d" } };

export const EXPECTED: Record<string, Record<string, string>> = {
  development: { ...DEV, ...LATE.development },
  production: { ...PROD, ...PAYMENTS, ...LATE.production },
};
export const ALL_SECRETS = Object.values(EXPECTED).flatMap((e) => Object.values(e));

export function ok(sb: Sandbox, user: string, args: string[], input?: string): string {
  const r = sb.vault(user, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`vault ${args.join(" ")} as ${user}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

const dotenv = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k}=${v}\n`).join("");

/** Builds the team vault and commits it. */
export function makeTeamVault(sb: Sandbox): void {
  requireBuild();
  sb.secret(...ALL_SECRETS);
  ok(sb, "alice", ["init", "--yes", "--env", "development,production", "--name", "alice"]);
  const bob = ok(sb, "bob", ["keygen"]).trim();
  ok(sb, "alice", ["member", "add", "bob", "--recipient", bob, "--team", "dev"]);
  ok(sb, "alice", ["import", "-"], dotenv(DEV));
  ok(sb, "alice", ["import", "-", "--env", "production"], dotenv(PROD));
  ok(sb, "alice", ["grant", "team:dev", "development"]);
  ok(sb, "alice", ["scope", "add", "production:payments"]);
  for (const [k, v] of Object.entries(PAYMENTS)) ok(sb, "alice", ["set", k, "--stdin", "--env", "production", "--scope", "payments"], v);
  for (const [env, values] of Object.entries(LATE)) {
    for (const [k, v] of Object.entries(values)) ok(sb, "alice", ["set", k, "--stdin", "--env", env], v);
  }
  sb.commitAll("the team vault");
  for (const [env, values] of Object.entries(EXPECTED)) {
    const r = sb.vault("alice", ["export", "--format", "json", "--env", env], { reveals: Object.values(values) });
    expect({ code: r.code, values: r.code === 0 ? JSON.parse(r.stdout) : r.stderr }).toEqual({ code: 0, values });
  }
}

/** Every file under `dir` of the repository, by path relative to the repository. */
export function snapshot(repo: string, dir = ".envvault"): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(repo, rel)).sort()) {
      const p = `${rel}/${name}`;
      if (statSync(join(repo, p)).isDirectory()) walk(p);
      else out.set(p, readFileSync(join(repo, p), "utf8"));
    }
  };
  walk(dir);
  return out;
}

/** alice's identity (the AGE-SECRET-KEY-1 line `vault init` wrote for her). */
export function identityOf(sb: Sandbox, user: string): string {
  const text = readFileSync(join(sb.user(user).home, ".config", "envvault", "identity.txt"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  if (line === undefined) throw new Error(`no identity for ${user}`);
  return line.trim();
}

/** A stack trace line, which must never reach a user's terminal. */
export const STACK = /^\s+at .+[:(]\d+/m;
