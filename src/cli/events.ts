/** `warden events PATH...`: print the normalized events as JSON Lines — exactly what rules see. */
import type { Command } from 'commander';
import { readEventBatches, knownFormats } from '../input/read.js';
import { StderrProblems } from './problems.js';
import { parseTimezone } from './options.js';
import { OutputSink } from '../output/sink.js';
import { eventTime } from '../engine/hunt-job.js';
import { resolveLogSource } from '../engine/ruleset.js';
import type { Event } from '../event/event.js';

interface EventsFlags {
  inputFormat?: string;
  timezone?: string;
  host?: string;
  output?: string;
  raw: boolean;
  limit?: string;
}

/** The logsource as rules see it: product, and every service and category the event counts as. */
function shownLogSource(ev: Event): { product?: string; services: readonly string[]; categories: readonly string[] } {
  const r = resolveLogSource(ev);
  const out: { product?: string; services: readonly string[]; categories: readonly string[] } = { services: r.services, categories: r.categories };
  if (r.product !== undefined) out.product = r.product;
  return out;
}

export function eventRecord(ev: Event, withRaw: boolean): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    timestamp: eventTime(ev) ?? null,
    host: ev.host ?? null,
    logsource: shownLogSource(ev),
    source: ev.origin,
    fields: ev.fields,
  };
  if (withRaw && ev.raw !== undefined) rec.raw = ev.raw;
  return rec;
}

export function register(program: Command): void {
  program
    .command('events')
    .description('print the normalized events of log files as JSON Lines (what Sigma rules see)')
    .argument('<paths...>', 'log files or folders ("-" reads stdin)')
    .option('--input-format <name>', `force the input decoder (${knownFormats().join(', ')})`)
    .option('--host <name>', 'host for events whose log names none (access logs, IIS logs without s-computername, app logs)')
    .option('--timezone <zone>', 'zone of logs that record local time without an offset (TeamCity, Jenkins, ERRORLOG, BSD syslog); default UTC')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--no-raw', 'leave out the raw source line')
    .option('-n, --limit <n>', 'stop after this many events')
    .action(async (paths: string[], flags: EventsFlags) => {
      const problems = new StderrProblems();
      const out = new OutputSink(flags.output);
      const limit = flags.limit !== undefined ? Number(flags.limit) : Infinity;
      let n = 0;
      outer: for await (const batch of readEventBatches(paths, { inputFormat: flags.inputFormat, timezone: parseTimezone(flags.timezone), host: flags.host }, problems)) {
        for (const ev of batch) {
          if (n++ >= limit) break outer;
          await out.write(JSON.stringify(eventRecord(ev, flags.raw)) + '\n');
        }
      }
      await out.close();
      process.exitCode = problems.count > 0 ? 1 : 0;
    });
}
