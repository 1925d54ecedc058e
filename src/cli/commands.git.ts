import type { CommandSpec } from "./commands.js";
import { hotCommands } from "./fast.js";

/** Commands of git integration (hooks, merge driver, textconv, history, sync). */
export const gitCommands: CommandSpec[] = [
  {
    command: "hooks <action>",
    describe: "Git hooks, merge driver and diff converter: `hooks install`, `hooks uninstall`, `hooks refresh` (the fingerprint cache)",
    builder: (y) => y.positional("action", { choices: ["install", "uninstall", "refresh"] as const }),
    load: async () => (await import("./commands/hooks.js")).hooks,
  },
  {
    command: "hook <name> [args..]",
    describe: "Run one git hook (the installed hooks call this): pre-commit, post-checkout, post-merge, post-rewrite",
    builder: (y) =>
      y
        .positional("name", { choices: ["pre-commit", "post-checkout", "post-merge", "post-rewrite"] as const })
        .positional("args", { type: "string", array: true, describe: "The hook's arguments from git" }),
    load: hotCommands.hook,
  },
  {
    command: "merge-driver <base> <ours> <theirs> [path]",
    describe: "Git merge driver for .envvault/envs/*.env: three-way, key by key (git runs it: %O %A %B %P)",
    builder: (y) =>
      y
        .positional("base", { type: "string" })
        .positional("ours", { type: "string" })
        .positional("theirs", { type: "string" })
        .positional("path", { type: "string", describe: "The file's path in the repository" }),
    load: async () => (await import("./commands/merge-driver.js")).mergeDriver,
  },
  {
    command: "textconv <file>",
    describe: "Git diff converter for vault files: key-level lines, values masked (ENVVAULT_DIFF_REVEAL=1 shows them if you can read them)",
    builder: (y) => y.positional("file", { type: "string" }),
    load: async () => (await import("./commands/textconv.js")).textconv,
  },
  {
    command: "log [key]",
    describe: "History of the vault from git: commit, author, date, environment, keys added/changed/removed",
    builder: (y) =>
      y
        .positional("key", { type: "string", describe: "Only commits that changed this variable" })
        .option("max-count", { alias: "n", type: "string", describe: "At most this many commits" }),
    load: async () => (await import("./commands/log.js")).log,
  },
  {
    command: "diff [range]",
    describe: "Key-level changes of the vault: `diff` (HEAD → work tree), `diff REV`, `diff REV..REV`; values masked",
    builder: (y) => y.positional("range", { type: "string" }),
    load: async () => (await import("./commands/diff.js")).diff,
  },
  {
    command: "status",
    describe: "Environment in use, whether targets match HEAD's vault, uncommitted vault changes, merge conflicts",
    builder: (y) => y,
    load: async () => (await import("./commands/status.js")).status,
  },
  {
    command: "resolve [names..]",
    describe: "Settle merge conflicts of the vault: `resolve KEY… --ours|--theirs` (no KEY: every conflict)",
    builder: (y) =>
      y
        .positional("names", { type: "string", array: true, describe: "Variables or scopes in conflict" })
        .option("ours", { type: "boolean", default: false, describe: "Keep this branch's side" })
        .option("theirs", { type: "boolean", default: false, describe: "Take the merged branch's side" }),
    load: async () => (await import("./commands/resolve.js")).resolve,
  },
  {
    command: "sync",
    describe: "Pull (with the vault's merge driver), unlock, report what changed, push when ahead",
    builder: (y) => y.option("push", { type: "boolean", default: true, describe: "Push local commits when ahead (--no-push skips)" }),
    load: async () => (await import("./commands/sync.js")).sync,
  },
];
