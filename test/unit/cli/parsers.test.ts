/**
 * The fast parser and yargs agree: every hot command line generated from the command table
 * (each option in each spelling, each choice, flags, positionals, `--` passthrough, globals,
 * and the tricky cases) goes through both; wherever the fast parser takes a line, yargs must
 * recognise the same command with the same argument values, and wherever they would differ
 * the fast parser must decline.
 */
import { describe, expect, test } from "@jest/globals";
import yargs from "yargs";
import { splitPassthrough } from "../../../src/cli/argv.js";
import { type FastCommand, parseFast } from "../../../src/cli/fastparse.js";
import { fullParser } from "../../../src/cli/fullparse.js";
import { type CommandDef, COMMANDS, GLOBAL_OPTIONS, type OptionDef, type PositionalDef } from "../../../src/cli/table.js";

const table = COMMANDS as readonly CommandDef[];
const hot = table.filter((c) => c.hot === true);
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What yargs makes of a command line: the command it runs and its arguments, or its usage error. */
async function viaYargs(argv: string[]): Promise<{ name: string; args: Record<string, unknown> } | { error: string }> {
  // A new parser for each line: one yargs instance does not parse a second line as it parsed the first.
  let seen: { name: string; args: Record<string, unknown> } | undefined;
  try {
    await fullParser(yargs(argv), argv, async (c, args) => {
      seen = { name: c.name, args };
    }).parseAsync();
  } catch (e) {
    return { error: (e as Error).message };
  }
  return seen ?? { error: "no command ran" };
}

/** The argument names a command reads: its options and positionals, and the globals. */
function argumentNames(c: CommandDef): string[] {
  return [...Object.keys(c.options), ...c.positionals.map((p) => p.name), ...Object.keys(GLOBAL_OPTIONS)].map(camel);
}

/** Why the fast parser's answer for `line` is not what yargs gives; undefined when they agree (or it declined). */
async function disagreement(line: string[], fast: FastCommand | undefined = parseFast(splitPassthrough(line).argv)): Promise<string | undefined> {
  if (fast === undefined) return undefined;
  const { argv } = splitPassthrough(line);
  const full = await viaYargs(argv);
  const shown = JSON.stringify(line);
  if ("error" in full) return `${shown}: the fast parser takes it, yargs says: ${full.error}`;
  if (full.name !== fast.name) return `${shown}: fast runs ${fast.name}, yargs ${full.name}`;
  const def = table.find((c) => c.name === fast.name) as CommandDef;
  const ours: Record<string, unknown> = { ...fast.globals, ...fast.args };
  for (const key of argumentNames(def)) {
    if (JSON.stringify(ours[key]) !== JSON.stringify(full.args[key])) return `${shown}: ${key} is ${JSON.stringify(ours[key])} (fast), ${JSON.stringify(full.args[key])} (yargs)`;
  }
  return undefined;
}

/** Sample words for a positional: its choices, or names and values of every kind. */
const positionalSamples = (p: PositionalDef): string[] => (p.choices === undefined ? ["API_KEY", "1.50", "constructor", "__proto__", "-x", "true"] : [...p.choices, "bogus"]);

/** A plain line: the command and the first sample of each required positional. */
function plain(c: CommandDef): string[] {
  return [c.name, ...c.positionals.filter((p) => p.required && p.variadic !== true).map((p) => positionalSamples(p)[0] as string)];
}

/** Every spelling of an option with a value: `--opt v`, `--opt=v`, `-o v`, `-o=v`, `-ov`. */
function spelled(name: string, o: OptionDef, value: string): string[][] {
  const lines = [[`--${name}`, value], [`--${name}=${value}`]];
  if (o.alias !== undefined) lines.push([`-${o.alias}`, value], [`-${o.alias}=${value}`], [`-${o.alias}${value}`]);
  return lines;
}

/** The ways of writing an option: each value or choice in each spelling, flags and their negations, broken forms. */
function optionForms(name: string, o: OptionDef): string[][] {
  if (o.type === "boolean") {
    const short = o.alias === undefined ? [] : [[`-${o.alias}`]];
    return [[`--${name}`], [`--no-${name}`], ...short, [`--${name}=true`], [`--${name}=false`], [`--${name}`, "true"], [`--${name}`, "false"], [`--${camel(name)}`], [`--${name}`, `--${name}`]];
  }
  const values = o.choices === undefined ? ["value", "1.50", "007", "", "a=b", "list", "--", "-x"] : [...o.choices, "bogus", ""];
  return [...values.flatMap((v) => spelled(name, o, v)), [`--${name}`], [`--${name}`, "a", `--${name}`, "b"], [`--no-${name}`], [`--${camel(name)}`, values[0] as string]];
}

/** Lines for one hot command, built from its row of the table. */
function linesOf(c: CommandDef): string[][] {
  const base = plain(c);
  const lines: string[][] = [base, [...base, "extra"], [...base, "--help"], [...base, "-h"], ["--help", c.name], [c.name, "--version"]];
  // Positionals: each sample in each place, and a variadic one with none, one and more words.
  c.positionals.forEach((p, i) => {
    for (const s of positionalSamples(p)) {
      const words = c.positionals.slice(0, i).map((q) => positionalSamples(q)[0] as string);
      lines.push([c.name, ...words, s], ...(p.variadic === true ? [[c.name, ...words, s, s], [c.name, ...words, s, "0000", "1"]] : []));
    }
  });
  if (c.positionals.length > 0) lines.push([c.name], [c.name, "--", ...base.slice(1)], [c.name, "-", ...base.slice(1)]);
  // Options, alone, before the command name, after the positionals and all together.
  for (const [name, o] of Object.entries(c.options)) {
    for (const form of optionForms(name, o)) lines.push([...base, ...form], [base[0] as string, ...form, ...base.slice(1)], [...form, ...base]);
  }
  const firstOfEach = Object.entries(c.options).map(([name, o]) => optionForms(name, o)[0] as string[]);
  lines.push([...base, ...firstOfEach.flat()], [...base, ...firstOfEach.reverse().flat()]);
  // Globals before and after the command, in each spelling, and all of them at once.
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) {
    for (const form of optionForms(name, o)) lines.push([...form, ...base], [...base, ...form]);
  }
  lines.push(["--env", "prod", "--identity", "id.txt", "--cwd", "/tmp", "--json", "-q", "--no-color", "--debug", ...base], [...base, "-e", "prod", "--quiet", "--color", "--json"]);
  lines.push([...base, "-qe", "prod"], [...base, "-eq"], ["-e", ...base], ["--env", c.name], [...base, "-e"]);
  // Unknown and prototype names.
  for (const bad of ["--bogus", "-z", "--constructor", "--__proto__", "--toString", "--hasOwnProperty=1", "--no-constructor", "--e", "--f=json", "-format"]) lines.push([...base, bad], [...base, bad, "x"]);
  lines.push(["constructor", ...base.slice(1)], ["toString"], ["__proto__"], [c.name.slice(0, -1)], [c.name.toUpperCase()]);
  for (const alias of c.aliases ?? []) lines.push([alias, ...base.slice(1)], ["--json", alias, ...base.slice(1)]);
  // `--` and what follows it.
  lines.push([...base, "--"], [...base, "--", "cmd"], ["--", ...base], [...base, "--", "node", "-e", "0"], [...base, "node", "--flag"]);
  for (const [name, o] of Object.entries(c.options)) {
    if (o.type === "string") lines.push([c.name, `--${name}`, (o.choices?.[0] as string | undefined) ?? "v", "--", "cmd", "-x"], [c.name, `--${name}`, "--", "cmd"]);
  }
  const unique = new Map(lines.map((l) => [JSON.stringify(l), l]));
  return [...unique.values()];
}

describe("the fast parser and yargs agree on every hot command line of the table", () => {
  test("every hot command is taken by the fast parser in its plain form", () => {
    expect(hot.map((c) => c.name).filter((name) => parseFast(plain(table.find((c) => c.name === name) as CommandDef)) === undefined)).toEqual([]);
  });

  test.each(hot.map((c) => [c.name, c] as const))("vault %s", async (_name, c) => {
    const lines = linesOf(c);
    const problems: string[] = [];
    let taken = 0;
    for (const line of lines) {
      if (parseFast(splitPassthrough(line).argv) !== undefined) taken++;
      const problem = await disagreement(line);
      if (problem !== undefined) problems.push(problem);
    }
    expect(problems).toEqual([]);
    // The lines exercise the fast path, not only its refusals.
    expect(taken).toBeGreaterThan(lines.length / 5);
  });

  test.each([
    [["export", "--format=json"], { format: "json" }],
    [["export", "--format", "json"], { format: "json" }],
    [["export", "-f", "json"], { format: "json" }],
    [["export", "-f=yaml"], { format: "yaml" }],
    [["unlock", "--no-dry-run", "--on-conflict=keep"], { dryRun: false, onConflict: "keep" }],
    [["hook", "post-checkout", "0000", "ffff", "1"], { name: "post-checkout", args: ["0000", "ffff", "1"] }],
    [["hook", "pre-commit"], { name: "pre-commit", args: [] }],
    [["get", "constructor"], { key: "constructor" }],
    [["run", "--context", "docker", "--", "npm", "start"], { context: "docker" }],
  ])("takes %j like yargs", async (line, args) => {
    const fast = parseFast(splitPassthrough(line).argv);
    expect(fast?.args).toMatchObject(args);
    expect(await disagreement(line)).toBeUndefined();
  });

  test.each([
    [["export", "--format", "json", "--format", "yaml"]],
    [["list", "--json", "--json"]],
    [["list", "--color", "--no-color"]],
    [["list", "--bogus"]],
    [["export", "--help"]],
    [["export", "-fjson"]],
    [["list", "--constructor"]],
    [["get", "--json", "false"]],
    [["hook", "pre-commit", "--debug", "true"]],
    [["hook", "bogus"]],
    [["--env=", "list"]],
  ])("declines %j", (line) => {
    expect(parseFast(splitPassthrough(line).argv)).toBeUndefined();
  });

  test("a disagreement is reported (the comparison itself can fail)", async () => {
    const fast = parseFast(["export", "--format", "json"]) as FastCommand;
    expect(await disagreement(["export", "--format", "json"], { ...fast, args: { ...fast.args, format: "yaml" } })).toContain("format");
    expect(await disagreement(["export", "--bogus"], { ...fast })).toContain("yargs says");
    expect(await disagreement(["list"], { ...fast })).toContain("fast runs export, yargs list");
  });
});
