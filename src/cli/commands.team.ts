import type { CommandSpec } from "./commands.js";

/** Commands of team access: members, scopes, grants, rotation, policies. */
export const teamCommands: CommandSpec[] = [
  {
    command: "member <action> [name]",
    describe: "Members: `member add NAME --recipient R… --signing-key K… [--team T…]`, `member keys NAME --signing-key K…`, `member list`, `member remove NAME` (= rotate --remove)",
    builder: (y) =>
      y
        .positional("action", { choices: ["add", "list", "remove", "keys"] as const })
        .positional("name", { type: "string", describe: "The member's name" })
        .option("recipient", { alias: "r", type: "string", array: true, describe: "An age recipient (age1…) of the member" })
        .option("team", { alias: "t", type: "string", array: true, describe: "A team the member belongs to" })
        .option("kind", { choices: ["person", "machine"] as const, describe: "A person, or a machine (CI, a deploy target)" })
        .option("signing-key", { alias: "s", type: "string", array: true, describe: "The member's signing key (ed25519:…, from their `vault whoami`): what verifies their writes" }),
    load: async () => (await import("./commands/member.js")).member,
  },
  {
    command: "grant <who> <scope>",
    describe: "Give a member or team (team:NAME) access to a scope: read and write, or --read-only, or --write-only",
    builder: (y) =>
      y
        .positional("who", { type: "string" })
        .positional("scope", { type: "string" })
        .option("read-only", { type: "boolean", describe: "Read without writing" })
        .option("write-only", { type: "boolean", describe: "Write without reading (no key file): a CI job that sets a token" })
        .conflicts("read-only", "write-only"),
    load: async () => (await import("./commands/grant.js")).grant,
  },
  {
    command: "revoke <who> <scope>",
    describe: "Take a member's or team's read access to a scope away (the scope is rotated), or with --write only their right to write",
    builder: (y) => y.positional("who", { type: "string" }).positional("scope", { type: "string" }).option("write", { type: "boolean", default: false, describe: "Take only the right to write (no rotation)" }),
    load: async () => (await import("./commands/revoke.js")).revoke,
  },
  {
    command: "admin <action> <member>",
    describe: "Admins, who alone change the roster, access, roles and vault.yaml: `admin add NAME`, `admin remove NAME`",
    builder: (y) => y.positional("action", { choices: ["add", "remove"] as const }).positional("member", { type: "string" }),
    load: async () => (await import("./commands/grant.js")).admin,
  },
  {
    command: "scope <action> <scope>",
    describe: "Scopes: `scope add ENV:NAME` makes a scope readable by fewer people",
    builder: (y) => y.positional("action", { choices: ["add"] as const }).positional("scope", { type: "string" }),
    load: async () => (await import("./commands/scope.js")).scope,
  },
  {
    command: "access",
    describe: "Who can read which scope, from the key files themselves",
    builder: (y) => y,
    load: async () => (await import("./commands/access.js")).access,
  },
  {
    command: "rotate [keys..]",
    describe: "New keys: `--remove MEMBER` (offboarding), `--scope S`, `--all`; or new values for KEYs",
    builder: (y) =>
      y
        .positional("keys", { type: "string", array: true, describe: "Variables to give a new value" })
        .option("remove", { type: "string", describe: "Remove this member and re-key every scope they could read" })
        .option("scope", { type: "string", array: true, describe: "Re-key this scope" })
        .option("all", { type: "boolean", default: false, describe: "Re-key every scope" })
        .option("stdin", { type: "boolean", default: false, describe: "Read the new value of the one KEY from standard input" })
        .option("generate", { type: "string", describe: "Generate the new value: LENGTH, hex:LENGTH, base64:BYTES or uuid (default 32)" }),
    load: async () => (await import("./commands/rotate.js")).rotate,
  },
  {
    command: "check",
    describe: "Report drift, overdue rotations, exposed and burned values (exit 5 when any)",
    builder: (y) => y,
    load: async () => (await import("./commands/check.js")).check,
  },
  {
    command: "validate",
    describe: "Check required variables and value rules (type, enum, pattern) per environment (exit 5 when broken)",
    builder: (y) => y,
    load: async () => (await import("./commands/validate.js")).validate,
  },
  {
    command: "burn <key>",
    describe: "Mark a variable do-not-use: kept for history, removed from targets, refused by run",
    builder: (y) => y.positional("key", { type: "string" }).option("reason", { type: "string", describe: "Why, for the record" }),
    load: async () => (await import("./commands/burn.js")).burn,
  },
];
