import { command, OPTIONS } from '../command-kit.js';
import { EXIT_OK, UsageError, type Command } from '../command.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/** The command words and options, as each shell's completion script (generated from the command table, so never stale). */
export function completionScript(shell: Shell, commands: readonly Command[]): string {
  const top = [...new Set(commands.map((c) => c.name[0] ?? ''))].sort();
  const subs = (first: string) => commands.filter((c) => c.name[0] === first && c.name.length > 1).map((c) => c.name[1] ?? '');
  const options = Object.entries(OPTIONS).map(([name]) => `--${name}`);
  if (shell === 'bash') {
    const cases = top
      .filter((word) => subs(word).length > 0)
      .map((word) => `    ${word}) [ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "${subs(word).join(' ')}" -- "$cur")); return; } ;;`)
      .join('\n');
    return `# berth completion for bash: eval "$(berth completion bash)"
_berth() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=($(compgen -W "${top.join(' ')}" -- "$cur")); return; fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  case "$cur" in -*) COMPREPLY=($(compgen -W "${options.join(' ')}" -- "$cur")) ;; *) COMPREPLY=($(compgen -f -- "$cur")) ;; esac
}
complete -F _berth berth`;
  }
  if (shell === 'zsh') {
    return `#compdef berth
# berth completion for zsh: eval "$(berth completion zsh)"
_berth() {
  if (( CURRENT == 2 )); then compadd -- ${top.join(' ')}; return; fi
  case "$words[2]" in
${top
  .filter((word) => subs(word).length > 0)
  .map((word) => `    ${word}) (( CURRENT == 3 )) && { compadd -- ${subs(word).join(' ')}; return; } ;;`)
  .join('\n')}
  esac
  if [[ "$PREFIX" == -* ]]; then compadd -- ${options.join(' ')}; else _files; fi
}
compdef _berth berth`;
  }
  return [
    '# berth completion for fish: berth completion fish | source',
    'complete -c berth -f',
    `complete -c berth -n __fish_use_subcommand -a '${top.join(' ')}'`,
    ...top.filter((word) => subs(word).length > 0).map((word) => `complete -c berth -n '__fish_seen_subcommand_from ${word}' -a '${subs(word).join(' ')}'`),
    ...Object.keys(OPTIONS).map((name) => `complete -c berth -l ${name}`),
  ].join('\n');
}

export const completionCommand = command(
  ['completion'],
  'print a shell completion script (bash, zsh or fish)',
  `Usage: berth completion bash|zsh|fish

  bash:  eval "$(berth completion bash)"    (or save it under ~/.local/share/bash-completion/completions/berth)
  zsh:   eval "$(berth completion zsh)"     (after compinit)
  fish:  berth completion fish | source     (or save it as ~/.config/fish/completions/berth.fish)`,
  async (args, io) => {
    const shell = args[0];
    if (!SHELLS.includes(shell as Shell) || args.length > 1) throw new UsageError(`expected one of ${SHELLS.join(', ')}${shell ? `, got "${shell}"` : ''}`);
    // Imported here: index.ts imports this file, and the table is complete only once it has loaded.
    const { COMMANDS } = await import('./index.js');
    io.out(completionScript(shell as Shell, COMMANDS));
    return EXIT_OK;
  },
);
