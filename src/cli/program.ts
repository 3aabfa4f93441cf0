/**
 * The `warden` command line. Each subcommand lives in its own module under src/cli/
 * and exports `register(program)`; this file only wires them together (main.ts loads it).
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands.js';
import { UsageError, errorMessage } from '../api/errors.js';
import { VERSION } from './version.js';

// `warden hunt ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const program = new Command();
program
  .name('warden')
  .description('Find malicious server software components (MITRE ATT&CK T1505): Sigma rules and correlations over logs, web-shell scanning')
  .version(VERSION)
  .exitOverride();

// The named command alone when it is one of ours (start-up), else all of them (help, suggestions).
const named = commands.find((c) => c.name === process.argv[2]);
for (const c of named ? [named] : commands) (await c.load())(program);

/** Usage errors are one line, then where to read more (not the whole help). */
function hint(): string {
  const sub = process.argv.slice(2).find((a) => !a.startsWith('-'));
  const known = sub !== undefined && program.commands.some((c) => c.name() === sub);
  return `(run 'warden ${known ? `${sub} ` : ''}--help' for usage and examples)`;
}
const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
for (const cmd of all(program)) {
  cmd.showHelpAfterError(false);
  cmd.configureOutput({ outputError: (str, write) => write(`${str.replace(/^error: /, 'warden: ').trimEnd()}\n${hint()}\n`) });
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help/version print and exit 0; everything else is bad usage
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UsageError) {
    process.stderr.write(`warden: ${e.message}\n${hint()}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`warden: internal error: ${errorMessage(e)}\n${e instanceof Error && e.stack ? e.stack + '\n' : ''}`);
    process.exitCode = 1;
  }
}
