import type { CommandSpec } from "./commands.js";

/** Commands of team access: members, scopes, grants, rotation, policies. */
export const teamCommands: CommandSpec[] = [
  {
    command: "member <action> [name]",
    describe: "Members: `member add NAME --recipient R… [--team T…]`, `member list`, `member remove NAME` (= rotate --remove)",
    builder: (y) =>
      y
        .positional("action", { choices: ["add", "list", "remove"] as const })
        .positional("name", { type: "string", describe: "The member's name" })
        .option("recipient", { alias: "r", type: "string", array: true, describe: "An age recipient (age1…) of the member" })
        .option("team", { alias: "t", type: "string", array: true, describe: "A team the member belongs to" })
        .option("kind", { choices: ["person", "machine"] as const, describe: "A person, or a machine (CI, a deploy target)" }),
    load: async () => (await import("./commands/member.js")).member,
  },
  {
    command: "grant <who> <scope>",
    describe: "Give a member or team (team:NAME) read access to a scope",
    builder: (y) => y.positional("who", { type: "string" }).positional("scope", { type: "string" }),
    load: async () => (await import("./commands/grant.js")).grant,
  },
  {
    command: "revoke <who> <scope>",
    describe: "Take a member's or team's read access to a scope away (the scope is rotated)",
    builder: (y) => y.positional("who", { type: "string" }).positional("scope", { type: "string" }),
    load: async () => (await import("./commands/revoke.js")).revoke,
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
