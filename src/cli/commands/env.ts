import { UsageError } from "../../errors.js";
import { envNames, requireEnv, VAULT_FILE } from "../../model/config.js";
import { printEnvFile } from "../../model/envfile.js";
import { assertName } from "../../model/names.js";
import { memberFor, ROSTER_FILE } from "../../model/roster.js";
import { findVaultRoot } from "../../store/root.js";
import { loadState } from "../../store/state.js";
import { Vault } from "../../store/vault.js";
import { createScopeKey } from "../../app/scopes.js";
import { openVault, optionalKeyring, whoAmI } from "../../app/session.js";
import { transaction, type Changes } from "../../store/transaction.js";
import { depsOf } from "../common.js";
import type { Context } from "../context.js";

interface Args {
  action: "add" | "list";
  name?: string;
  extends?: string;
}

export async function env(ctx: Context, args: Args): Promise<void> {
  if (args.action === "add") return add(ctx, args);
  return list(ctx);
}

async function add(ctx: Context, args: Args): Promise<void> {
  if (args.name === undefined) throw new UsageError("`vault env add` needs the name of the environment", { hints: ["e.g. `vault env add staging --extends production`"] });
  const name = assertName("environment", args.name);
  const me = await whoAmI(depsOf(ctx));
  await transaction(findVaultRoot(ctx.cwd), async (vault) => {
    const cfg = vault.config.data;
    if (name in cfg.environments) throw new UsageError(`environment ${name} already exists`, { data: { env: name } });
    if (args.extends !== undefined) requireEnv(cfg, args.extends);
    const member = memberFor(vault.roster.data, me.recipients);
    if (member === undefined) {
      throw new UsageError("only a member can add an environment: your identity is not in .envvault/roster.yaml", {
        hints: ["ask a member to add you: `vault member add NAME --recipient <your recipient from vault whoami>`"],
      });
    }
    const { recipient, files } = await createScopeKey(name, new Map([[member, me.recipients]]));
    const file = vault.newEnvFile(name);
    file.scopes.set(name, recipient);
    const changes: Changes = new Map([[Vault.envPath(name), printEnvFile(file)], ...files]);
    const vdoc = vault.config.doc;
    vdoc.setIn(["environments", name], vdoc.createNode(args.extends === undefined ? {} : { extends: args.extends }, { flow: args.extends === undefined }));
    changes.set(VAULT_FILE, String(vdoc));
    const rdoc = vault.roster.doc;
    if (!rdoc.hasIn(["access"]) || rdoc.getIn(["access"]) == null) rdoc.setIn(["access"], rdoc.createNode({}));
    rdoc.setIn(["access", name], rdoc.createNode({ members: [member] }));
    changes.set(ROSTER_FILE, String(rdoc));
    return { changes, result: undefined };
  });
  ctx.out.note(`added environment ${name}${args.extends === undefined ? "" : ` (extends ${args.extends})`}; you can read it, others need \`vault grant\``);
  ctx.out.result({ env: name, extends: args.extends ?? null });
}

async function list(ctx: Context): Promise<void> {
  const vault = await openVault(depsOf(ctx));
  const cfg = vault.config.data;
  const state = await loadState(vault.root);
  const keyring = await optionalKeyring(vault, depsOf(ctx));
  const rows = [];
  for (const name of envNames(cfg)) {
    const file = await vault.envFile(name);
    rows.push({
      env: name,
      extends: cfg.environments[name]?.extends ?? null,
      variables: file.values.size,
      readable: keyring === undefined ? false : await keyring.canRead(file, name),
      inUse: (ctx.env ?? state.env ?? cfg.default_env) === name,
    });
  }
  if (ctx.json) return ctx.out.result({ environments: rows });
  ctx.out.data(
    rows
      .map((r) => `${r.inUse ? "*" : " "} ${r.env}${r.extends ? ` (extends ${r.extends})` : ""}  ${r.variables} variable${r.variables === 1 ? "" : "s"}${r.readable ? "" : "  [write-only]"}`)
      .join("\n"),
  );
}
