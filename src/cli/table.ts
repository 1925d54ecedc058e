/**
 * The command table: every command of `vault`, its positionals, options, help text and
 * examples, as plain data. The yargs definitions (fullparse.ts), the fast parser of the hot
 * commands (fastparse.ts), the split of `vault run`'s command line (argv.ts), shell
 * completion (completion.ts) and the build's hot list (dist/cli/hot-names.json, read by
 * bin/vault.js) are all derived from it, so that a command line means one thing everywhere.
 */
import type { ConflictPolicy } from "../model/patch.js";
import { EXPORT_FORMATS, IMPORT_FORMATS } from "../model/formats.js";

/** What a shell completes a value with: a file name, or a directory name. */
export type ValueHint = "file" | "directory";

export interface OptionDef {
  /** A string option with `choices` takes exactly one of them. */
  readonly type: "string" | "boolean";
  /** A one-letter short form (`-f`). */
  readonly alias?: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** May be given more than once; the values are collected in a list. */
  readonly array?: boolean;
  /** A string option that may also stand alone (`--generate` means its default). */
  readonly optionalValue?: boolean;
  readonly describe: string;
  readonly complete?: ValueHint;
}

export interface PositionalDef {
  readonly name: string;
  /** `<name>` must be given; `[name]` may be left out. */
  readonly required: boolean;
  /** Takes this and every further word (`name..`); only the last positional may. */
  readonly variadic?: boolean;
  readonly choices?: readonly string[];
  readonly describe?: string;
  readonly complete?: ValueHint;
}

export interface CommandDef {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly describe: string;
  readonly positionals: readonly PositionalDef[];
  readonly options: Readonly<Record<string, OptionDef>>;
  /** The usage line of the command's help, when the generated one would not say enough. */
  readonly usage?: string;
  readonly examples?: readonly (readonly [command: string, meaning: string])[];
  /**
   * Runs many times a day (a developer's loop, git hooks, CI): started by bin/vault.js from
   * the hot bundle and parsed by fastparse.ts, without yargs.
   */
  readonly hot?: boolean;
  /**
   * The first word after the command's own options starts another command line, handed
   * over untouched (`vault run [options] [--] CMD…`, see argv.ts).
   */
  readonly passthrough?: boolean;
}

/** How `vault unlock` settles a value changed locally: the policies of model/patch.ts, or ask. */
export const CONFLICT_CHOICES = ["keep", "overwrite", "prompt"] as const satisfies readonly (ConflictPolicy | "prompt")[];
export type ConflictChoice = (typeof CONFLICT_CHOICES)[number];

/** The shells `vault completion` writes a script for (cli/completion.ts). */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The program itself: its name in help and the text above the command list. */
export const PROGRAM = {
  name: "vault",
  usage: "$0 <command> [options]\n\nTeam environment variables, encrypted in the git repository.",
  noCommand: "name a command; `vault --help` lists them",
} as const;

/** The options every command takes, before or after its name. */
export const GLOBAL_OPTIONS = {
  env: { alias: "e", type: "string", describe: "Environment to work on" },
  identity: { type: "string", describe: "age identity file to decrypt with", complete: "file" },
  json: { type: "boolean", default: false, describe: "Machine-readable output on stdout" },
  quiet: { alias: "q", type: "boolean", default: false, describe: "Print only results and errors" },
  cwd: { type: "string", describe: "Run as if started in DIR", complete: "directory" },
  color: { type: "boolean", default: true, describe: "Colored output (--no-color, or NO_COLOR, turns it off)" },
  debug: { type: "boolean", default: false, describe: "Explain more of what happens" },
  "allow-unverified": { type: "boolean", default: false, describe: "Read a vault that fails verification, with a warning (recovery only)" },
} as const satisfies Record<string, OptionDef>;

const context = (what: string) => ({ type: "string", describe: `Context (vault.yaml \`contexts\`) ${what}` }) as const;

/** Every command, in the order `vault --help` lists them. */
export const COMMANDS = [
  {
    name: "init",
    describe: "Create .envvault/ here, an identity if you have none, and make yourself a member",
    positionals: [],
    options: {
      env: { alias: "e", type: "string", array: true, describe: "Environments to create (default: development)" },
      name: { type: "string", describe: "Your member name (default: your user name)" },
      yes: { alias: "y", type: "boolean", default: false, describe: "Do not ask" },
      import: { type: "boolean", describe: "Adopt the .env files found here (--no-import leaves them alone; default: ask on a terminal, else only with --yes)" },
      hooks: { type: "boolean", default: true, describe: "Install the git hooks, merge driver and diff converter (--no-hooks skips)" },
    },
    examples: [
      ["vault init", "a vault in this repository, you its first member and admin"],
      ["vault init --yes --env development --env production", "two environments, no questions"],
    ],
  },
  {
    name: "keygen",
    describe: "Make an age identity (in age-keygen's format)",
    positionals: [],
    options: { out: { alias: "o", type: "string", describe: "Where to write it (default: ~/.config/envvault/identity.txt)", complete: "file" } },
    examples: [
      ["vault keygen", "an identity at ~/.config/envvault/identity.txt"],
      ["vault keygen -o ci-identity.txt", "one for a CI job, to store as its secret"],
    ],
  },
  {
    name: "whoami",
    describe: "Show your recipient, where your identity comes from, and your member name",
    positionals: [],
    options: {},
    examples: [
      ["vault whoami", "your recipient and signing key, to give an admin for `member add`"],
    ],
  },
  {
    name: "env",
    describe: "Environments: `env add NAME [--extends BASE]`, `env list`",
    positionals: [
      { name: "action", required: true, choices: ["add", "list"], describe: "add or list" },
      { name: "name", required: false, describe: "Name of the environment to add" },
    ],
    options: { extends: { type: "string", describe: "Inherit the values of this environment" } },
    examples: [
      ["vault env add staging --extends production", "staging starts with production's values and overrides some"],
      ["vault env list", "every environment with its base and scopes"],
    ],
  },
  {
    name: "set",
    describe: "Add or change variables: KEY=VALUE, or KEY alone for a hidden prompt or --stdin",
    positionals: [{ name: "assignments", required: true, variadic: true, describe: "KEY or KEY=VALUE" }],
    options: {
      stdin: { type: "boolean", default: false, describe: "Read the value of the one KEY from standard input" },
      kind: { type: "string", choices: ["secret", "config"], describe: "Record the variable's kind in vault.yaml" },
      scope: { type: "string", describe: "Store the variables in this scope of the environment" },
    },
    examples: [
      ["vault set STRIPE_KEY", "asks for the value without echoing it"],
      ["printf %s \"$TOKEN\" | vault set API_TOKEN --stdin -e production", "from a pipe, into production"],
      ["vault set LOG_LEVEL=debug --kind config", "a value that is not a secret (shown by `vault list`)"],
    ],
  },
  {
    name: "get",
    describe: "Print one value",
    positionals: [{ name: "key", required: true }],
    options: {},
    hot: true,
    examples: [
      ["vault get DATABASE_URL -e production", "print one value"],
    ],
  },
  {
    name: "list",
    describe: "List variables (values masked) with kind, scope and last change",
    positionals: [],
    options: { reveal: { type: "boolean", default: false, describe: "Show values" } },
    hot: true,
    examples: [
      ["vault list", "every variable, values masked, with kind, scope and last change"],
      ["vault list --reveal --json", "values too, for a script"],
    ],
  },
  {
    name: "edit",
    describe: "Edit the environment in $EDITOR; only what changed is re-encrypted",
    positionals: [],
    options: {},
    examples: [
      ["vault edit -e staging", "the environment in $EDITOR; only changed values are sealed again"],
    ],
  },
  {
    name: "remove",
    describe: "Delete variables from the environment",
    positionals: [{ name: "keys", required: true, variadic: true }],
    options: {},
    examples: [
      ["vault remove OLD_KEY LEGACY_URL", "delete two variables from the environment"],
    ],
  },
  {
    name: "unlock",
    describe: "Write the environment into its target files (.env), changing only its own lines",
    positionals: [],
    options: {
      "dry-run": { type: "boolean", default: false, describe: "Show the change (values masked, config values shown as `vault list` shows them); write nothing" },
      at: { type: "string", describe: "Read the vault as of this commit, branch or tag (REV)" },
      "on-conflict": { type: "string", choices: CONFLICT_CHOICES, describe: "When a target's value was changed locally (default: prompt on a terminal, else keep)" },
      context: context("of targets that name none"),
      explain: { type: "string", describe: "Print every layer that sets KEY for each target, and which one wins; write nothing" },
    },
    hot: true,
    examples: [
      ["vault unlock", "write the environment in use into .env"],
      ["vault unlock --dry-run", "show what would change, values masked"],
      ["vault unlock --at v1.4.0", "the values of a tag, without checking it out"],
    ],
  },
  {
    name: "lock",
    describe: "Remove the values envvault wrote from the targets (other lines kept)",
    positionals: [],
    options: {},
    hot: true,
    examples: [
      ["vault lock", "take the values envvault wrote out of .env again"],
    ],
  },
  {
    name: "use",
    describe: "Choose the environment that unlock, run, get and export use in this clone",
    positionals: [{ name: "env", required: true }],
    options: {},
    examples: [
      ["vault use staging", "unlock, run, get and export use staging in this clone"],
    ],
  },
  {
    name: "run",
    describe: "Run a command with the environment injected; nothing is written to disk",
    positionals: [],
    options: {
      context: context("whose values override the environment's"),
      explain: { type: "string", describe: "Print every layer that sets KEY and which one wins; run nothing" },
    },
    usage: "vault run [options] [--] CMD [ARGS…]",
    hot: true,
    passthrough: true,
    examples: [
      ["vault run -- npm start", "start the app with the environment in its process only"],
      ["vault run -e production --explain DATABASE_URL", "which layer sets DATABASE_URL"],
    ],
  },
  {
    name: "export",
    describe: "Print the environment in a format",
    positionals: [],
    options: {
      format: {
        alias: "f",
        type: "string",
        choices: EXPORT_FORMATS,
        default: "dotenv",
        describe: "k8s: a Secret manifest; docker: --env-file; github: masks on stdout, values to $GITHUB_ENV",
      },
      name: { type: "string", describe: "k8s: the Secret's name (default envvault)" },
      namespace: { type: "string", describe: "k8s: the Secret's namespace" },
      context: context("whose values override the environment's"),
    },
    hot: true,
    examples: [
      ["vault export --format json", "the environment as JSON on stdout"],
      ["vault export -f k8s --name app-env --namespace web | kubectl apply -f -", "a Kubernetes Secret"],
    ],
  },
  {
    name: "import",
    describe: "Set variables from a file (dotenv, json or yaml; - reads stdin)",
    positionals: [{ name: "file", required: true, complete: "file" }],
    options: { format: { alias: "f", type: "string", choices: IMPORT_FORMATS, describe: "Format of the file (default: from its name)" } },
    examples: [
      ["vault import .env", "every variable of .env into the environment in use"],
      ["vault import config.json -e production", "from a JSON object"],
    ],
  },
  {
    name: "member",
    describe: "Members: `member add NAME --recipient R… --signing-key K… [--team T…]`, `member keys NAME --signing-key K…`, `member teams NAME --team T…` (`--team=`: no team), `member list`, `member remove NAME` (= rotate --remove)",
    positionals: [
      { name: "action", required: true, choices: ["add", "list", "remove", "keys", "teams"] },
      { name: "name", required: false, describe: "The member's name" },
    ],
    options: {
      recipient: { alias: "r", type: "string", array: true, describe: "An age recipient (age1…) of the member" },
      team: { alias: "t", type: "string", array: true, describe: "A team the member belongs to" },
      kind: { type: "string", choices: ["person", "machine"], describe: "A person, or a machine (CI, a deploy target)" },
      "signing-key": { alias: "s", type: "string", array: true, describe: "The member's signing key (ed25519:…, from their `vault whoami`): what verifies their writes" },
    },
    examples: [
      ["vault member add bob --recipient age1… --signing-key ed25519:… --team backend", "a new member, with what their `vault whoami` printed"],
      ["vault member teams bob --team backend --team oncall", "set bob's teams"],
      ["vault member list", "members, teams and key types"],
    ],
  },
  {
    name: "grant",
    describe: "Give a member or team (team:NAME) access to a scope: read and write, or --read-only, or --write-only",
    positionals: [
      { name: "who", required: true },
      { name: "scope", required: true },
    ],
    options: {
      "read-only": { type: "boolean", describe: "Read without writing" },
      "write-only": { type: "boolean", describe: "Write without reading (no key file): a CI job that sets a token" },
    },
    examples: [
      ["vault grant bob production:payments", "bob reads and writes that scope"],
      ["vault grant team:ci production --read-only", "the ci team reads production"],
    ],
  },
  {
    name: "revoke",
    describe: "Take a member's or team's read access to a scope away (the scope is rotated), or with --write only their right to write",
    positionals: [
      { name: "who", required: true },
      { name: "scope", required: true },
    ],
    options: {
      write: { type: "boolean", default: false, describe: "Take only the right to write (no rotation)" },
    },
    examples: [
      ["vault revoke bob production:payments", "bob no longer reads that scope (it gets a new key)"],
      ["vault revoke bob production --write", "bob still reads production but no longer writes it"],
    ],
  },
  {
    name: "admin",
    describe: "Admins, who alone change the roster, access, roles and vault.yaml: `admin add NAME`, `admin remove NAME`",
    positionals: [
      { name: "action", required: true, choices: ["add", "remove"] },
      { name: "member", required: true },
    ],
    options: {},
    examples: [
      ["vault admin add carol", "carol may change the roster, access and vault.yaml"],
    ],
  },
  {
    name: "verify",
    describe: "Check that every change of the vault's history was signed by a member allowed to make it",
    positionals: [{ name: "target", required: false, describe: "A commit (its whole history), or a range A..B (a pull request); default: HEAD and the work tree" }],
    options: {
      range: { type: "string", describe: "The same as a target A..B" },
      adopt: { type: "boolean", default: false, describe: "Sign a vault from before signatures as its first admin (a new trust root)" },
    },
    examples: [["vault verify --range origin/main..HEAD", "the pull request's check in CI, with ENVVAULT_TRUST_ROOT set"]],
  },
  {
    name: "sign",
    describe: "Sign, as an admin, what the work tree changed outside vault commands (a revert, a hand edit, merged chain heads)",
    positionals: [],
    options: {},
    examples: [
      ["git revert --no-commit HEAD && vault sign && git commit", "an admin signs a revert of a vault change"],
    ],
  },
  {
    name: "scope",
    describe: "Scopes: `scope add ENV:NAME` makes a scope readable by fewer people",
    positionals: [
      { name: "action", required: true, choices: ["add"] },
      { name: "scope", required: true },
    ],
    options: {},
    examples: [
      ["vault scope add production:payments", "a part of production that fewer people read"],
    ],
  },
  {
    name: "access",
    describe: "Who can read which scope, from the key files themselves",
    positionals: [],
    options: {},
    examples: [
      ["vault access", "who reads which scope, from the key files"],
    ],
  },
  {
    name: "rotate",
    describe: "New keys: `--remove MEMBER` (offboarding), `--scope S`, `--all`; or new values for KEYs",
    positionals: [{ name: "keys", required: false, variadic: true, describe: "Variables to give a new value" }],
    options: {
      remove: { type: "string", describe: "Remove this member and re-key every scope they could read" },
      scope: { type: "string", array: true, describe: "Re-key this scope" },
      all: { type: "boolean", default: false, describe: "Re-key every scope" },
      stdin: { type: "boolean", default: false, describe: "Read the new value of the one KEY from standard input" },
      generate: { type: "string", optionalValue: true, describe: "Generate the new value: LENGTH, hex:LENGTH, base64:BYTES or uuid (default 32)" },
    },
    examples: [
      ["vault rotate --remove alice", "offboard alice: new keys for what she could read, and the values she saw"],
      ["vault rotate SESSION_SECRET --generate base64:32", "a new random value"],
      ["vault rotate --scope production", "a new key for production"],
    ],
  },
  {
    name: "check",
    describe: "Report integrity failures (exit 4), drift, overdue rotations, exposed and burned values (exit 5)",
    positionals: [],
    options: {},
    examples: [
      ["vault check", "integrity, drift, overdue rotations, exposed and burned values"],
    ],
  },
  {
    name: "validate",
    describe: "Check required variables and value rules (type, enum, pattern) per environment (exit 5 when broken)",
    positionals: [],
    options: {},
    examples: [
      ["vault validate -e production", "required variables and value rules of production"],
    ],
  },
  {
    name: "burn",
    describe: "Mark a variable do-not-use: kept for history, removed from targets, refused by run",
    positionals: [{ name: "key", required: true }],
    options: { reason: { type: "string", describe: "Why, for the record" } },
    examples: [
      ["vault burn OLD_STRIPE_KEY --reason \"leaked in a log\"", "never used again, kept in history"],
    ],
  },
  {
    name: "hooks",
    describe: "Git hooks, merge driver and diff converter: `hooks install`, `hooks uninstall`, `hooks refresh` (the fingerprint cache)",
    positionals: [{ name: "action", required: true, choices: ["install", "uninstall", "refresh"] }],
    options: {},
    examples: [
      ["vault hooks install", "the git hooks, merge driver and diff converter of this clone"],
      ["vault hooks refresh", "rebuild the pre-commit hook's cache of known values"],
    ],
  },
  {
    name: "hook",
    describe: "Run one git hook (the installed hooks call this): pre-commit, post-checkout, post-merge, post-rewrite, post-commit, reference-transaction",
    positionals: [
      { name: "name", required: true, choices: ["pre-commit", "post-checkout", "post-merge", "post-rewrite", "post-commit", "reference-transaction"] },
      { name: "args", required: false, variadic: true, describe: "The hook's arguments from git" },
    ],
    options: {},
    // Git runs it on every commit and checkout.
    hot: true,
    examples: [
      ["vault hook pre-commit", "what git runs before a commit: look for leaks in what is staged"],
    ],
  },
  {
    name: "merge-driver",
    describe: "Git merge driver for .envvault/envs/*.env: three-way, key by key (git runs it: %O %A %B %P)",
    positionals: [
      { name: "base", required: true, complete: "file" },
      { name: "ours", required: true, complete: "file" },
      { name: "theirs", required: true, complete: "file" },
      { name: "path", required: false, describe: "The file's path in the repository", complete: "file" },
    ],
    options: {},
    examples: [
      ["git config merge.envvault.driver \"vault merge-driver %O %A %B %P\"", "what `vault hooks install` configures; git runs it"],
    ],
  },
  {
    name: "textconv",
    describe: "Git diff converter for vault files: key-level lines, values masked but config values you can read (ENVVAULT_DIFF_REVEAL=1 shows every value you can read)",
    positionals: [{ name: "file", required: true, complete: "file" }],
    options: {},
    examples: [
      ["git diff HEAD~1 -- .envvault", "git runs it through diff.envvault.textconv: keys, not ciphertext"],
    ],
  },
  {
    name: "log",
    describe: "History of the vault from git, side branches and merges included: commit, branches and tags, author, date, environment, keys added/changed/removed",
    positionals: [{ name: "key", required: false, describe: "Only commits that changed this variable" }],
    options: { "max-count": { alias: "n", type: "string", describe: "At most this many commits" } },
    examples: [
      ["vault log STRIPE_KEY", "every commit that changed STRIPE_KEY, on every branch"],
      ["vault log -n 20", "the last 20 vault changes"],
    ],
  },
  {
    name: "diff",
    describe: "Key-level changes of the vault: `diff` (HEAD → work tree), `diff REV`, `diff A B` or `diff A..B`; values never shown",
    positionals: [
      { name: "from", required: false, describe: "A revision (compared with the work tree, or with TO), or a range A..B" },
      { name: "to", required: false, describe: "The revision to compare FROM with" },
    ],
    options: {},
    examples: [
      ["vault diff v1 v3", "the keys added, changed and removed between tags v1 and v3 (the same as v1..v3)"],
      ["vault diff main", "what the work tree's vault changed since main"],
    ],
  },
  {
    name: "status",
    describe: "Environment in use, whether targets match HEAD's vault, uncommitted vault changes, merge conflicts",
    positionals: [],
    options: {},
    examples: [
      ["vault status", "environment in use, targets against HEAD, conflicts, stale key files"],
    ],
  },
  {
    name: "resolve",
    describe: "Settle merge conflicts of the vault: `resolve KEY… --ours|--theirs` (no KEY: every conflict)",
    positionals: [{ name: "names", required: false, variadic: true, describe: "Variables or scopes in conflict" }],
    options: {
      ours: { type: "boolean", default: false, describe: "Keep this branch's side" },
      theirs: { type: "boolean", default: false, describe: "Take the merged branch's side" },
    },
    examples: [
      ["vault resolve DATABASE_URL --theirs", "take the merged branch's value"],
      ["vault resolve --ours", "keep this branch's side of every conflict"],
    ],
  },
  {
    name: "sync",
    describe: "Pull (with the vault's merge driver), unlock, report what changed, push when ahead",
    positionals: [],
    options: { push: { type: "boolean", default: true, describe: "Push local commits when ahead (--no-push skips)" } },
    examples: [
      ["vault sync", "pull, unlock, report what changed, push"],
      ["vault sync --no-push", "pull and unlock only"],
    ],
  },
  {
    name: "completion",
    describe: "Print a shell completion script for bash, zsh or fish (default: the shell in $SHELL)",
    positionals: [{ name: "shell", required: false, choices: COMPLETION_SHELLS }],
    options: {},
    examples: [
      ["source <(vault completion bash)", "complete vault in this bash (add the line to ~/.bashrc)"],
      ["vault completion zsh > ~/.zfunc/_vault", "install it for zsh (a directory in $fpath)"],
      ["vault completion fish > ~/.config/fish/completions/vault.fish", "install it for fish"],
    ],
  },
] as const satisfies readonly CommandDef[];

export type CommandName = (typeof COMMANDS)[number]["name"];
/** The commands marked hot: the fast parser and the hot bundle serve them. */
export type HotName = Extract<(typeof COMMANDS)[number], { hot: true }>["name"];
