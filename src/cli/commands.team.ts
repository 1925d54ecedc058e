import type { CommandSpec } from "./commands.js";

/** Commands of team access (members, scopes, grants, rotation, policies). */
export const teamCommands: CommandSpec[] = [];
