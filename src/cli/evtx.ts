/**
 * `warden evtx dump FILE... [--format jsonl|xml]`: prints every recoverable record of
 * Windows event logs, as evtx_dump-compatible JSON lines or as XML. Damage is reported
 * on stderr (exit code 1) and never stops the dump.
 */
import type { Command } from 'commander';
import { UsageError } from '../api/errors.js';
import { StderrProblems } from './problems.js';

export function register(program: Command): void {
  const evtx = program
    .command('evtx')
    .description('Windows XML event log (.evtx) tools')
    .addHelpText('after', '\nExamples:\n  warden evtx dump Security.evtx > security.jsonl\n  warden evtx dump --format xml System.evtx');
  evtx
    .command('dump')
    .description('print every recoverable record as JSON lines (evtx_dump shape) or XML')
    .argument('<files...>', '.evtx files')
    .option('-f, --format <format>', 'jsonl or xml', 'jsonl')
    .addHelpText(
      'after',
      `
Examples:
  warden evtx dump Security.evtx > security.jsonl      every record, evtx_dump's JSON shape
  warden evtx dump --format xml System.evtx | less     as Event Viewer's XML

Exit code: 0 every record read, 1 damage was found (reported on stderr; the dump goes on).`,
    )
    .action(async (files: string[], opts: { format: string }) => {
      if (opts.format !== 'jsonl' && opts.format !== 'xml') throw new UsageError(`--format must be jsonl or xml, not "${opts.format}"`);
      const { dumpEvtx } = await import('../api/evtx.js');
      const problems = new StderrProblems();
      await dumpEvtx(files, opts.format, process.stdout, problems);
      process.exitCode = problems.count > 0 ? 1 : 0;
    });
}
