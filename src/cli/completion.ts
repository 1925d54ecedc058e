/**
 * Shell completion scripts for bash, zsh and fish, generated from cli/table.ts: the scripts hold
 * the commands, options, choices and help texts themselves, so that pressing TAB never
 * starts vault (a Node process per key press would be felt).
 */
import { type CommandDef, COMMANDS, type CompletionShell, GLOBAL_OPTIONS, type OptionDef } from "./table.js";

const table = COMMANDS as readonly CommandDef[];
/** The names the completion is registered for: the package's two commands. */
const PROGRAMS = ["vault", "envvault"];

/** `--name` and `-a` for an option. */
const spellings = (name: string, o: OptionDef) => [`--${name}`, ...(o.alias === undefined ? [] : [`-${o.alias}`])];
/** yargs reads `--no-X` for every boolean X; offered where it means something (X on by default, or unset). */
const negation = (name: string, o: OptionDef) => (o.type === "boolean" && o.default !== false ? [`--no-${name}`] : []);
const optionWords = (options: Readonly<Record<string, OptionDef>>) => Object.entries(options).flatMap(([n, o]) => [...spellings(n, o), ...negation(n, o)]);
const valueOptions = (options: Readonly<Record<string, OptionDef>>) => Object.entries(options).filter(([, o]) => o.type === "string");
const commandNames = (c: CommandDef) => [c.name, ...(c.aliases ?? [])];

/** A word list for bash's `compgen -W`, in double quotes (no word of the table holds `"`, `$`, `` ` `` or `\`). */
const words = (list: readonly string[]) => `"${list.join(" ")}"`;

/** A bash `case` pattern matching "COMMAND OPTION" for these commands (or any, for the globals) and spellings. */
function casePattern(commands: readonly CommandDef[] | "any", options: readonly string[]): string {
  const heads = commands === "any" ? ["*"] : commands.flatMap(commandNames).map((n) => JSON.stringify(n));
  return heads.flatMap((h) => options.map((o) => `${h}" ${o}"`)).join("|");
}

/** How bash completes a value: its choices, a file or directory name, or nothing we could guess. */
function bashValue(v: { choices?: readonly string[]; complete?: string }): string {
  if (v.choices !== undefined) return `_vault_reply -W ${words(v.choices)}`;
  if (v.complete === "file") return "_vault_reply -o filenames -f";
  if (v.complete === "directory") return "_vault_reply -o filenames -d";
  return "return 0";
}

function bash(): string {
  const valueCases: string[] = [];
  const takesValue: string[] = [];
  for (const c of table) {
    for (const [n, o] of valueOptions(c.options)) {
      valueCases.push(`      ${casePattern([c], spellings(n, o))}) ${bashValue(o)} ;;`);
      takesValue.push(casePattern([c], spellings(n, o)));
    }
  }
  // The globals after the commands' own options: `init --env` is init's own.
  for (const [n, o] of valueOptions(GLOBAL_OPTIONS)) {
    valueCases.push(`      ${casePattern("any", spellings(n, o))}) ${bashValue(o)} ;;`);
    takesValue.push(casePattern("any", spellings(n, o)));
  }
  const optionCases = table.map((c) => `      ${commandNames(c).map((n) => JSON.stringify(n)).join("|")}) opts=${words(optionWords(c.options))} ;;`);
  const positionalCases = table
    .filter((c) => c.positionals.length > 0)
    .map((c) => {
      // Only the last positional may be variadic: it takes every later word.
      const arms = c.positionals.map((p, i) => `          ${p.variadic === true ? "*" : i}) ${bashValue(p)} ;;`);
      return [`      ${commandNames(c).map((n) => JSON.stringify(n)).join("|")})`, `        case $pos in`, ...arms, `        esac ;;`].join("\n");
    });
  const passthrough = table.filter((c) => c.passthrough === true).flatMap(commandNames);
  return `# bash completion for vault: \`source <(vault completion bash)\`, e.g. in ~/.bashrc.

# compgen's answers for the word being completed, one per line (a file name may hold spaces).
_vault_reply() {
  while [[ $1 == -o ]]; do compopt "$1" "$2" 2>/dev/null; shift 2; done
  mapfile -t COMPREPLY < <(compgen "$@" -- "$cur")
}

# Whether the word "$2" is an option that takes a value, after the command "$1".
_vault_takes_value() {
  case "$1 $2" in
${takesValue.map((p) => `    ${p}) return 0 ;;`).join("\n")}
  esac
  return 1
}

_vault() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmd= pos=0 skip= dash= i w
  # bash splits \`--format=json\` at the "=": the value of an option ends up a word of its own.
  if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]]; then prev=\${COMP_WORDS[COMP_CWORD-2]}; fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == = ]]; then skip=1; continue; fi
    if [[ -n $skip ]]; then skip=; continue; fi
    case $w in
      --) if [[ -n $cmd ]]; then dash=$i; break; fi ;;
      -*) _vault_takes_value "$cmd" "$w" && skip=1 ;;
      *) if [[ -z $cmd ]]; then cmd=$w; else pos=$((pos + 1)); fi ;;
    esac
  done
  # The command line that vault runs: a command name first, then whatever that command takes.
  case " ${passthrough.join(" ")} " in
    *" $cmd "*)
      if [[ -n $dash && $COMP_CWORD -eq $((dash + 1)) || -z $dash && $pos -eq 0 && -n $cur && $cur != -* ]]; then _vault_reply -c; return 0; fi
      if [[ -n $dash || $pos -gt 0 ]]; then compopt -o bashdefault -o default 2>/dev/null; COMPREPLY=(); return 0; fi ;;
  esac
  if _vault_takes_value "$cmd" "$prev"; then
    case "$cmd $prev" in
${valueCases.join("\n")}
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    local opts=
    case $cmd in
${optionCases.join("\n")}
      "") opts="--help --version" ;;
    esac
    _vault_reply -W "$opts ${optionWords(GLOBAL_OPTIONS).join(" ")}"
    return 0
  fi
  if [[ -z $cmd ]]; then
    _vault_reply -W ${words(table.flatMap(commandNames))}
    return 0
  fi
  case $cmd in
${positionalCases.join("\n")}
  esac
}

complete -F _vault ${PROGRAMS.join(" ")}
`;
}

/** Text inside zsh's single quotes. */
const zq = (s: string) => s.replace(/'/g, "'\\''");
/** A description inside `_arguments`' brackets. */
const zdescribe = (s: string) => zq(s.replace(/([[\]\\])/g, "\\$1"));

function zshValue(v: { choices?: readonly string[]; complete?: string }): string {
  if (v.choices !== undefined) return `(${v.choices.join(" ")})`;
  if (v.complete === "file") return "_files";
  if (v.complete === "directory") return "_files -/";
  return " ";
}

/** `_arguments` specs of options, each a shell word. */
function zshOptions(options: Readonly<Record<string, OptionDef>>): string[] {
  return Object.entries(options).flatMap(([n, o]) => {
    const names = spellings(n, o);
    const value = o.type === "string" ? `:${n}:${zshValue(o)}` : "";
    const description = `[${zdescribe(o.describe)}]`;
    // A repeatable option may come again; any other, once (in either spelling).
    const head = o.array === true ? "'*'" : names.length > 1 ? `'(${names.join(" ")})'` : "";
    const spelled = names.length > 1 ? `{${names.join(",")}}` : names[0];
    return [`${head}${spelled}'${description}${zq(value)}'`, ...negation(n, o).map((no) => `'${no}[${zdescribe(o.describe)}]'`)];
  });
}

function zshPositionals(c: CommandDef): string[] {
  // As zsh's own completion of `env` and `nice`: a command name, then that command's completion.
  if (c.passthrough === true) return ["'(-)1:command: _command_names -e'", "'*::arguments: _normal'"];
  return c.positionals.map((p, i) => {
    const position = p.variadic === true ? "*" : String(i + 1);
    const optional = !p.required && p.variadic !== true ? ":" : "";
    return `'${position}:${optional}${p.name}:${zq(zshValue(p))}'`;
  });
}

function zsh(): string {
  const describeCommands = table.flatMap((c) => commandNames(c).map((n) => `    '${zq(n.replace(/:/g, "\\:"))}:${zq(c.describe)}'`));
  const perCommand = table.map((c) => {
    const specs = [...zshOptions(c.options), ...zshPositionals(c)];
    return `    (${commandNames(c).join("|")})\n      _arguments -s -S $globals ${specs.join(" \\\n        ")} && ret=0 ;;`;
  });
  return `#compdef ${PROGRAMS.join(" ")}
# zsh completion for vault: save it as _vault in a directory of $fpath, or
# \`source <(vault completion zsh)\` after compinit, e.g. in ~/.zshrc.

_vault() {
  local curcontext=$curcontext state line ret=1
  local -a globals subcommands
  globals=(
    ${zshOptions(GLOBAL_OPTIONS).join("\n    ")}
  )
  subcommands=(
${describeCommands.join("\n")}
  )
  _arguments -C -s $globals '(- *)'{-h,--help}'[Show help]' '(- *)--version[Show version number]' \\
    '1:command:->command' '*::argument:->argument' && ret=0
  case $state in
    (command)
      _describe -t commands 'vault command' subcommands && ret=0 ;;
    (argument)
      curcontext=\${curcontext%:*:*}:vault-$words[1]:
      case $words[1] in
${perCommand.join("\n")}
      esac ;;
  esac
  return ret
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _vault "$@"
else
  compdef _vault ${PROGRAMS.join(" ")}
fi
`;
}

/** A fish word in single quotes (fish reads `\\` and `\'` there). */
const fq = (s: string) => `'${s.replace(/[\\']/g, "\\$&")}'`;

/** fish `complete` flags for an option's value: its choices, a file name, or any word. */
function fishValue(v: { choices?: readonly string[]; complete?: string }): string {
  if (v.choices !== undefined) return ` -x -a ${fq(v.choices.join(" "))}`;
  if (v.complete === "file" || v.complete === "directory") return " -r -F";
  return " -x";
}

function fishOptions(condition: string, options: Readonly<Record<string, OptionDef>>): string[] {
  return Object.entries(options).flatMap(([n, o]) => {
    const short = o.alias === undefined ? "" : ` -s ${o.alias}`;
    const value = o.type === "string" ? fishValue(o) : "";
    const lines = [`complete -c $prog${condition} -l ${n}${short}${value} -d ${fq(o.describe)}`];
    for (const no of negation(n, o)) lines.push(`complete -c $prog${condition} -l ${no.slice(2)} -d ${fq(o.describe)}`);
    return lines;
  });
}

function fish(): string {
  const lines: string[] = [];
  for (const c of table) {
    for (const n of commandNames(c)) lines.push(`complete -c $prog -n __fish_use_subcommand -a ${fq(n)} -d ${fq(c.describe)}`);
    const on = ` -n ${fq(`__fish_seen_subcommand_from ${commandNames(c).join(" ")}`)}`;
    lines.push(...fishOptions(on, c.options));
    // The first positional's choices (an action); file positionals take file names.
    const first = c.positionals[0];
    if (first?.choices !== undefined) lines.push(`complete -c $prog${on} -a ${fq(first.choices.join(" "))}`);
    if (c.positionals.some((p) => p.complete === "file")) lines.push(`complete -c $prog${on} -F`);
    if (c.passthrough === true) lines.push(`complete -c $prog${on} -a '(__fish_complete_subcommand --fcs-skip=2)'`);
  }
  return `# fish completion for vault: \`vault completion fish > ~/.config/fish/completions/vault.fish\`.

for prog in ${PROGRAMS.join(" ")}
  complete -c $prog -e
  # No file names unless a command takes one.
  complete -c $prog -f
  complete -c $prog -s h -l help -d 'Show help'
  complete -c $prog -l version -d 'Show version number'
${fishOptions("", GLOBAL_OPTIONS).map((l) => `  ${l}`).join("\n")}
${lines.map((l) => `  ${l}`).join("\n")}
end
`;
}

/** The completion script for `shell`. */
export function completionScript(shell: CompletionShell): string {
  return shell === "bash" ? bash() : shell === "zsh" ? zsh() : fish();
}
