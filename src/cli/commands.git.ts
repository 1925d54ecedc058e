import type { CommandSpec } from "./commands.js";

/** Commands of git integration (hooks, merge driver, textconv, history, sync). */
export const gitCommands: CommandSpec[] = [];
