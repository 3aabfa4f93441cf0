/**
 * The `warden` command line. Each subcommand lives in its own module under src/cli/
 * and exports `register(program)`; this file only wires them together (main.ts loads it,
 * after answering `--version` on its own).
 */
import { Command, CommanderError } from 'commander';
import { commands } from './commands.js';
import { OutputError, UsageError, errorMessage, printable } from '../api/errors.js';
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

// Only the command being run is loaded; without one (`--help`, `--version`, a typo) the
// others appear by name and summary.
const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = args[0] === 'help' ? args[1] : args[0];
const entry = commands.find((c) => c.names.some((n) => n.name === wanted));
for (const c of commands) {
  if (c === entry) (await c.load()).register(program);
  else for (const n of c.names) program.command(n.name).description(n.summary);
}

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
    // one problem a line (a configuration's problems are listed), each made printable
    process.stderr.write(`warden: ${e.message.split('\n').map(printable).join('\n  ')}
${hint()}
`);
    process.exitCode = 2;
  } else if (e instanceof OutputError) {
    process.stderr.write(`warden: ${printable(e.message)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`warden: internal error: ${errorMessage(e)}\n${e instanceof Error && e.stack ? e.stack + '\n' : ''}`);
    process.exitCode = 1;
  }
}
