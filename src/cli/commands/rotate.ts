import { UsageError } from "../../errors.js";
import { generateValue } from "../../crypto/generate.js";
import { promptHidden } from "../../io/terminal.js";
import { type Exposure, generatedSpecs, kindOf, VAULT_FILE } from "../../model/config.js";
import { printEnvFile } from "../../model/envfile.js";
import { assertKey, parseScope } from "../../model/names.js";
import { requireMember, ROSTER_FILE } from "../../model/roster.js";
import { findVaultRoot } from "../../store/root.js";
import { Vault } from "../../store/vault.js";
import { dropMember } from "../../model/roster-edit.js";
import { stillExposed, updateExposures } from "../../store/exposures.js";
import { allScopes, exposures, readableBy, rotateScopes } from "../../app/rotation.js";
import { GENERATED_FILE, regenerate } from "../../store/generated.js";
import { keyringFor, type Me, openVault, whoAmI } from "../../app/session.js";
import { transaction } from "../../store/transaction.js";
import { applyUpdates, nowSeconds } from "../../app/write.js";
import { chooseEnv, readStdin, depsOf } from "../common.js";
import type { Context } from "../context.js";
import { withSpinner } from "../spinner.js";

interface Args {
  keys?: string[];
  scope?: string[];
  remove?: string;
  all: boolean;
  stdin: boolean;
  generate?: string;
}

/** Prints what a removed member could read: each value must be changed at its provider. */
export function renderExposures(ctx: Context, exposed: readonly Exposure[]): void {
  if (exposed.length === 0) return;
  const who = [...new Set(exposed.map((e) => e.to))].join(", ");
  const width = Math.max(...exposed.map((e) => e.env.length));
  ctx.out.data(
    [`${who} could read these values; change each at its provider, then \`vault rotate KEY --env ENV\`:`, ...exposed.map((e) => `  ${e.env.padEnd(width)}  ${e.key}`)].join("\n"),
  );
}

export async function rotate(ctx: Context, args: Args): Promise<void> {
  const keys = (args.keys ?? []).map(assertKey);
  const scopes = args.scope ?? [];
  const modes = [keys.length > 0, scopes.length > 0, args.remove !== undefined, args.all].filter(Boolean).length;
  if (modes !== 1) {
    throw new UsageError("say what to rotate: KEY…, --scope SCOPE, --remove MEMBER or --all (one of them)", {
      hints: ["`vault rotate --remove alice` offboards alice", "`vault rotate API_KEY --stdin` sets a new value"],
    });
  }
  for (const s of scopes) parseScope(s);
  const me = await whoAmI(depsOf(ctx));
  const root = findVaultRoot(ctx.cwd);
  if (keys.length > 0) return rotateValues(ctx, root, me, keys, args);
  const since = new Date(nowSeconds(ctx.processEnv) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const result = await withSpinner(ctx, "rotating keys", () =>
    transaction<{ removed: string | null; scopes: string[]; exposed: Exposure[] }>(root, async (vault) => {
      const keyring = await keyringFor(vault, me);
      if (args.remove !== undefined) {
        const name = args.remove;
        requireMember(vault.roster.data, name);
        const readable = await readableBy(vault, name);
        const roster = dropMember(vault.roster, name);
        const rotation = await rotateScopes(vault, keyring, roster.data, readable);
        const exposed = await exposures(vault, name, readable, since);
        await updateExposures(vault, rotation.changes, exposed);
        rotation.changes.set(ROSTER_FILE, String(roster.doc));
        return { changes: rotation.changes, result: { removed: name, scopes: readable, exposed } };
      }
      const chosen = args.all ? await allScopes(vault) : scopes;
      const rotation = await rotateScopes(vault, keyring, vault.roster.data, chosen);
      return { changes: rotation.changes, result: { removed: null, scopes: chosen, exposed: [] as Exposure[] } };
    }),
  );
  if (result.removed !== null) ctx.out.note(`removed ${result.removed}; new keys for ${result.scopes.join(", ") || "no scope"}`);
  else ctx.out.note(`new keys for ${result.scopes.join(", ")}`);
  renderExposures(ctx, result.exposed);
  ctx.out.result(result);
}

/**
 * New values for variables. A `kind: generated` variable the environment does not store
 * (the usual case) lives in this clone's local state only: it gets a new value there from
 * its vault.yaml spec, and the next unlock writes it into the targets.
 */
async function rotateValues(ctx: Context, root: string, me: Me, keys: string[], args: Args): Promise<void> {
  const before = await openVault(depsOf(ctx));
  const cfg = before.config.data;
  const stored = (await before.envFile(await chooseEnv(before, ctx))).values;
  const local = keys.filter((k) => kindOf(cfg, k) === "generated" && !stored.has(k));
  const sealed = keys.filter((k) => !local.includes(k));
  const specs = generatedSpecs(cfg);
  for (const key of local) {
    if (args.stdin) throw new UsageError(`${key} is generated on each machine; it takes no value from --stdin`, { data: { key }, hints: [`\`vault rotate ${key}\` makes a new one`] });
    if (args.generate !== undefined && args.generate !== "" && args.generate !== specs.get(key)) {
      throw new UsageError(`${key} is generated from its spec in ${VAULT_FILE} (${specs.get(key) ?? "32"}), not from --generate ${args.generate}`, {
        data: { key },
        hints: [`change \`generate:\` of ${key} in ${VAULT_FILE} to make values another way`],
      });
    }
  }
  if (args.stdin && sealed.length !== 1) throw new UsageError("--stdin gives the new value of exactly one KEY");
  const values = new Map<string, string>();
  for (const key of sealed) {
    if (args.generate !== undefined) values.set(key, generateValue(args.generate === "" ? undefined : args.generate));
    else if (args.stdin) values.set(key, (await readStdin(ctx.stdin)).replace(/\r?\n$/, ""));
    else if (ctx.interactive) values.set(key, await promptHidden(`new value for ${key}: `));
    else throw new UsageError(`no new value for ${key}`, { hints: ["pipe it with --stdin, use --generate, or run in a terminal to be asked"] });
  }
  const result =
    sealed.length === 0
      ? { env: await chooseEnv(before, ctx), rotated: [] as string[], unchanged: [] as string[] }
      : await transaction(root, async (vault) => {
          const env = await chooseEnv(vault, ctx);
          const file = await vault.envFile(env);
          for (const key of sealed) {
            if (!file.values.has(key)) throw new UsageError(`${env} has no variable ${key} to rotate`, { data: { key, env }, hints: ["`vault set KEY` adds one"] });
          }
          const written = await applyUpdates(await keyringFor(vault, me), file, sealed.map((key) => ({ key, value: values.get(key) ?? "" })), [], nowSeconds(ctx.processEnv));
          const changes = new Map<string, string | null>([[Vault.envPath(env), printEnvFile(written.file)]]);
          await updateExposures(vault, changes, [], stillExposed(written.file.values, env));
          return { changes, result: { env, rotated: [...written.changed], unchanged: written.unchanged } };
        });
  if (local.length > 0) {
    await regenerate(root, cfg, local);
    ctx.out.note(`new value for ${local.join(", ")} on this clone (generated, kept in ${GENERATED_FILE}); \`vault unlock\` writes it into the targets`);
  }
  if (sealed.length > 0) {
    ctx.out.note(`${result.env}: new value for ${result.rotated.join(", ") || "nothing"}${result.unchanged.length > 0 ? ` (${result.unchanged.join(", ")} unchanged)` : ""}`);
  }
  ctx.out.result({ ...result, generated: local });
}
