/**
 * Where each command of cli/table.ts is implemented: its module under cli/commands/,
 * imported only when the command runs, so that a command pays for no other's code (nor
 * the heavy libraries it needs).
 */
import type { CommandRun } from "./context.js";
import { hotModules } from "./hot.js";
import type { CommandName } from "./table.js";

export const commandModules = {
  ...hotModules,
  init: async () => (await import("./commands/init.js")).init,
  keygen: async () => (await import("./commands/keygen.js")).keygen,
  whoami: async () => (await import("./commands/whoami.js")).whoami,
  env: async () => (await import("./commands/env.js")).env,
  set: async () => (await import("./commands/set.js")).set,
  edit: async () => (await import("./commands/edit.js")).edit,
  remove: async () => (await import("./commands/remove.js")).remove,
  use: async () => (await import("./commands/use.js")).use,
  import: async () => (await import("./commands/import.js")).importEnv,
  member: async () => (await import("./commands/member.js")).member,
  grant: async () => (await import("./commands/grant.js")).grant,
  revoke: async () => (await import("./commands/revoke.js")).revoke,
  scope: async () => (await import("./commands/scope.js")).scope,
  access: async () => (await import("./commands/access.js")).access,
  rotate: async () => (await import("./commands/rotate.js")).rotate,
  check: async () => (await import("./commands/check.js")).check,
  validate: async () => (await import("./commands/validate.js")).validate,
  burn: async () => (await import("./commands/burn.js")).burn,
  hooks: async () => (await import("./commands/hooks.js")).hooks,
  "merge-driver": async () => (await import("./commands/merge-driver.js")).mergeDriver,
  textconv: async () => (await import("./commands/textconv.js")).textconv,
  log: async () => (await import("./commands/log.js")).log,
  diff: async () => (await import("./commands/diff.js")).diff,
  status: async () => (await import("./commands/status.js")).status,
  resolve: async () => (await import("./commands/resolve.js")).resolve,
  sync: async () => (await import("./commands/sync.js")).sync,
  completion: async () => (await import("./commands/completion.js")).completion,
  admin: async () => (await import("./commands/grant.js")).admin,
  verify: async () => (await import("./commands/verify.js")).verify,
  sign: async () => (await import("./commands/verify.js")).sign,
} satisfies Record<CommandName, () => Promise<CommandRun<never>>>;
