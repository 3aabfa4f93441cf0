/** `warden events PATH...`: print the normalized events as JSON Lines — exactly what rules see. */
import type { Command } from 'commander';
import { checkInputs, parseTimezone } from './options.js';
import { StderrProblems } from './problems.js';

/** The decoders' names (kept beside the registry; a test checks they agree), so --help loads no decoder. */
export const INPUT_FORMATS = 'evtx, json, w3c, access, auditd, syslog, teamcity, jenkins, zeek, mssql, modsecurity, sysmon-linux, mysql, postgresql, suricata, warden-events';

interface EventsFlags {
  inputFormat?: string;
  timezone?: string;
  host?: string;
  output?: string;
  raw: boolean;
  limit?: string;
}

export function register(program: Command): void {
  program
    .command('events')
    .description('print the normalized events of log files as JSON Lines (what Sigma rules see); `warden hunt` reads this output back')
    .argument('<paths...>', 'log files or folders ("-" reads stdin)')
    .option('--input-format <name>', 'force the input decoder instead of detecting it (names below)')
    .option('--host <name>', 'host for events whose log names none (access logs, IIS logs without s-computername, app logs)')
    .option('--timezone <zone>', 'zone of logs that record local time without an offset (TeamCity, Jenkins, ERRORLOG, BSD syslog); default UTC')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--no-raw', 'leave out the raw source line')
    .option('-n, --limit <n>', 'stop after this many events')
    .addHelpText(
      'after',
      `
Each line: {"timestamp", "host", "logsource": {product, category, service}, "resolved":
{product, services, categories} (every service and category a rule's logsource can name that
this event counts as), "source": {file, record, format, ...}, "fields": {...}, "raw"?}.

Examples:
  warden events u_ex260302.log -n 5                 how Warden decodes an IIS log
  warden events Security.evtx > events.jsonl        then: warden hunt events.jsonl
  warden events --input-format auditd audit.log.1

Input formats (--input-format): ${INPUT_FORMATS}.`,
    )
    .action(async (paths: string[], flags: EventsFlags) => {
      await checkInputs(paths);
      const { readEventBatches, resolveLogSource, TextOutput, eventRecord } = await import('../api/events.js');
      const problems = new StderrProblems();
      const out = await TextOutput.open(flags.output, { inputs: paths });
      const limit = flags.limit !== undefined ? Number(flags.limit) : Number.POSITIVE_INFINITY;
      let n = 0;
      try {
        outer: for await (const batch of readEventBatches(paths, { inputFormat: flags.inputFormat, timezone: await parseTimezone(flags.timezone), host: flags.host }, problems)) {
          const lines: string[] = [];
          for (const ev of batch) {
            if (n++ >= limit) {
              if (lines.length) await out.write(`${lines.join('\n')}\n`);
              break outer;
            }
            lines.push(JSON.stringify(eventRecord(ev, resolveLogSource(ev), flags.raw)));
          }
          if (lines.length) await out.write(`${lines.join('\n')}\n`);
        }
        await out.close();
      } catch (e) {
        await out.abort();
        throw e;
      }
      process.exitCode = problems.count > 0 ? 1 : 0;
    });
}
