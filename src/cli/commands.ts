import type { Argv } from "yargs";
import type { CommandRun } from "./context.js";
import { hotCommands } from "./fast.js";
import { gitCommands } from "./commands.git.js";
import { teamCommands } from "./commands.team.js";

/**
 * The command table. Builders are light; each command's module (and the heavy libraries it
 * needs) is imported only when that command runs.
 */
export interface CommandSpec {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv;
  load: () => Promise<CommandRun<never>>;
}

const conflictChoices = ["keep", "overwrite", "prompt"] as const;
const formats = ["dotenv", "json", "yaml", "shell", "k8s", "docker", "github"] as const;

const core: CommandSpec[] = [
  {
    command: "init",
    describe: "Create .envvault/ here, an identity if you have none, and make yourself a member",
    builder: (y) =>
      y
        .option("env", { alias: "e", type: "string", array: true, describe: "Environments to create (default: development)" })
        .option("name", { type: "string", describe: "Your member name (default: your user name)" })
        .option("yes", { alias: "y", type: "boolean", default: false, describe: "Do not ask" })
        .option("import", { type: "boolean", describe: "Adopt the .env files found here (--no-import leaves them alone; default: ask on a terminal, else only with --yes)" })
        .option("hooks", { type: "boolean", default: true, describe: "Install the git hooks, merge driver and diff converter (--no-hooks skips)" }),
    load: async () => (await import("./commands/init.js")).init,
  },
  {
    command: "keygen",
    describe: "Make an age identity (in age-keygen's format)",
    builder: (y) => y.option("out", { alias: "o", type: "string", describe: "Where to write it (default: ~/.config/envvault/identity.txt)" }),
    load: async () => (await import("./commands/keygen.js")).keygen,
  },
  {
    command: "whoami",
    describe: "Show your recipient, where your identity comes from, and your member name",
    builder: (y) => y,
    load: async () => (await import("./commands/whoami.js")).whoami,
  },
  {
    command: "env <action> [name]",
    describe: "Environments: `env add NAME [--extends BASE]`, `env list`",
    builder: (y) =>
      y
        .positional("action", { choices: ["add", "list"] as const, describe: "add or list" })
        .positional("name", { type: "string", describe: "Name of the environment to add" })
        .option("extends", { type: "string", describe: "Inherit the values of this environment" }),
    load: async () => (await import("./commands/env.js")).env,
  },
  {
    command: "set <assignments..>",
    describe: "Add or change variables: KEY=VALUE, or KEY alone for a hidden prompt or --stdin",
    builder: (y) =>
      y
        .positional("assignments", { type: "string", array: true, describe: "KEY or KEY=VALUE" })
        .option("stdin", { type: "boolean", default: false, describe: "Read the value of the one KEY from standard input" })
        .option("kind", { choices: ["secret", "config"] as const, describe: "Record the variable's kind in vault.yaml" })
        .option("scope", { type: "string", describe: "Store the variables in this scope of the environment" }),
    load: async () => (await import("./commands/set.js")).set,
  },
  {
    command: "get <key>",
    describe: "Print one value",
    builder: (y) => y.positional("key", { type: "string" }),
    load: hotCommands.get,
  },
  {
    command: "list",
    describe: "List variables (values masked) with kind, scope and last change",
    builder: (y) => y.option("reveal", { type: "boolean", default: false, describe: "Show values" }),
    load: hotCommands.list,
  },
  {
    command: "edit",
    describe: "Edit the environment in $EDITOR; only what changed is re-encrypted",
    builder: (y) => y,
    load: async () => (await import("./commands/edit.js")).edit,
  },
  {
    command: "remove <keys..>",
    describe: "Delete variables from the environment",
    builder: (y) => y.positional("keys", { type: "string", array: true }),
    load: async () => (await import("./commands/remove.js")).remove,
  },
  {
    command: "unlock",
    describe: "Write the environment into its target files (.env), changing only its own lines",
    builder: (y) =>
      y
        .option("dry-run", { type: "boolean", default: false, describe: "Show the change (values masked); write nothing" })
        .option("at", { type: "string", describe: "Read the vault as of this commit, branch or tag (REV)" })
        .option("on-conflict", { choices: conflictChoices, describe: "When a target's value was changed locally (default: prompt on a terminal, else keep)" })
        .option("context", { type: "string", describe: "Context (vault.yaml `contexts`) of targets that name none" })
        .option("explain", { type: "string", describe: "Print every layer that sets KEY for each target, and which one wins; write nothing" }),
    load: hotCommands.unlock,
  },
  {
    command: "lock",
    describe: "Remove the values envvault wrote from the targets (other lines kept)",
    builder: (y) => y,
    load: hotCommands.lock,
  },
  {
    command: "use <env>",
    describe: "Choose the environment that unlock, run, get and export use in this clone",
    builder: (y) => y.positional("env", { type: "string" }),
    load: async () => (await import("./commands/use.js")).use,
  },
  {
    command: "run",
    describe: "Run a command with the environment injected; nothing is written to disk",
    builder: (y) =>
      y
        .usage("vault run [options] [--] CMD [ARGS…]")
        .option("context", { type: "string", describe: "Context (vault.yaml `contexts`) whose values override the environment's" })
        .option("explain", { type: "string", describe: "Print every layer that sets KEY and which one wins; run nothing" }),
    load: hotCommands.run,
  },
  {
    command: "export",
    describe: "Print the environment in a format",
    builder: (y) =>
      y
        .option("format", { alias: "f", choices: formats, default: "dotenv" as const, describe: "k8s: a Secret manifest; docker: --env-file; github: masks on stdout, values to $GITHUB_ENV" })
        .option("name", { type: "string", describe: "k8s: the Secret's name (default envvault)" })
        .option("namespace", { type: "string", describe: "k8s: the Secret's namespace" })
        .option("context", { type: "string", describe: "Context (vault.yaml `contexts`) whose values override the environment's" }),
    load: hotCommands.export,
  },
  {
    command: "import <file>",
    describe: "Set variables from a file (dotenv, json or yaml; - reads stdin)",
    builder: (y) =>
      y
        .positional("file", { type: "string" })
        .option("format", { alias: "f", choices: ["dotenv", "json", "yaml"] as const, describe: "Format of the file (default: from its name)" }),
    load: async () => (await import("./commands/import.js")).importEnv,
  },
  {
    command: "verify [target]",
    describe: "Check that every change of the vault's history was signed by a member allowed to make it",
    builder: (y) =>
      y
        .positional("target", { type: "string", describe: "A commit (its whole history), or a range A..B (a pull request); default: HEAD and the work tree" })
        .option("range", { type: "string", describe: "The same as a target A..B" })
        .option("adopt", { type: "boolean", default: false, describe: "Sign a vault from before signatures as its first admin (a new trust root)" }),
    load: async () => (await import("./commands/verify.js")).verify,
  },
  {
    command: "sign",
    describe: "Sign, as an admin, what the work tree changed outside vault commands (a revert, a hand edit, merged chain heads)",
    builder: (y) => y,
    load: async () => (await import("./commands/verify.js")).sign,
  },
];

/** Every command: the everyday ones, team access, and git integration. */
export const commands: CommandSpec[] = [...core, ...teamCommands, ...gitCommands];
