/** `warden completion bash|zsh|fish`: a completion script for every command, flag and choice. */
import { Command, type Option } from 'commander';
import { UsageError } from '../api/errors.js';
import { commands } from './commands.js';
import { collect, collectList } from './options.js';
import { type CompletionCommand, type CompletionOption, bashScript, fishScript, zshScript } from './completion-scripts.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

function optionOf(o: Option): CompletionOption {
  const names = [o.short, o.long].filter((n): n is string => n !== undefined);
  const takesValue = o.required || o.optional;
  return {
    names,
    description: o.description,
    takesValue,
    // the value's name in the flags says what it is: <file>, <dir>, <path>, <root>
    pathValue: takesValue && /<(file|dir|path|folder|root)[^>]*>/i.test(o.flags),
    repeatable: o.variadic || o.parseArg === collect || o.parseArg === collectList,
    ...(o.argChoices ? { choices: o.argChoices } : {}),
  };
}

function treeOf(c: Command): CompletionCommand {
  return {
    name: c.name(),
    description: c.description(),
    options: c.options.filter((o) => !o.hidden).map(optionOf),
    subcommands: c.commands.filter((s) => s.name() !== 'help').map(treeOf),
    // a command whose arguments are paths (PATH..., FILE..., <dir>): the others take names or ids
    paths: c.registeredArguments.some((a) => /path|file|dir|root/i.test(a.name())),
  };
}

/** Every command registered in full (completion is generated once; loading them all is fine here). */
export async function completionTree(): Promise<CompletionCommand> {
  const program = new Command('warden').option('-V, --version', 'print the version').exitOverride();
  for (const c of commands) (await c.load()).register(program);
  return treeOf(program);
}

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish) for every command, flag and choice')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText(
      'after',
      `
Examples:
  source <(warden completion bash)                                  this shell (bash 4+)
  warden completion bash > /etc/bash_completion.d/warden            every bash
  warden completion zsh > "\${fpath[1]}/_warden"                      zsh (then restart it)
  warden completion fish > ~/.config/fish/completions/warden.fish   fish`,
    )
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell ${JSON.stringify(shell)} (one of: ${SHELLS.join(', ')})`);
      const tree = await completionTree();
      process.stdout.write(shell === 'bash' ? bashScript(tree) : shell === 'zsh' ? zshScript(tree) : fishScript(tree));
    });
}
