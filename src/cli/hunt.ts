/** `warden hunt PATH...`: run Sigma rules (built-in pack + --rules) over logs. */
import { type Command, Option } from 'commander';
import { addRuleOptions, collect, parseDuration, parsePositiveInt, parseTimezone, ruleOptionsFrom, type RuleFlags } from './options.js';
import { StderrProblems } from './problems.js';

interface HuntFlags extends RuleFlags {
  format: 'table' | 'jsonl' | 'csv';
  output?: string;
  inputFormat?: string;
  timezone?: string;
  host?: string;
  threads?: string;
  maxGroups?: string;
  maxBuffered?: string;
  incidents?: boolean;
  scan?: string[];
  scanHost?: string;
  incidentWindow: string;
  group: boolean;
  progress: boolean;
  color?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('hunt')
    .description('run Sigma rules over event logs (EVTX, JSON, web/auditd/syslog/app logs) and report detections')
    .argument('<paths...>', 'log files or folders ("-" reads stdin)');
  addRuleOptions(cmd)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'jsonl', 'csv']).default('table'))
    .option('--host <name>', 'host for events whose log names none (access logs, IIS logs without s-computername, app logs)')
    .option('--timezone <zone>', 'zone of logs that record local time without an offset (TeamCity, Jenkins, ERRORLOG, BSD syslog); default UTC')
    .option('-o, --output <file>', 'write detections to this file instead of stdout')
    .option('--input-format <name>', 'force the input decoder instead of detecting it (see `warden events --help` for the list)')
    .option('--threads <n>', 'worker threads (default: all cores; 1 = single thread)')
    .option('--max-groups <n>', 'memory budget: open groups per correlation before the oldest is dropped (default 200000)')
    .option('--max-buffered <n>', 'memory budget: matches held for event-time order before the oldest are processed anyway (default 500000)')
    .option('--scan <path>', 'also scan these files/folders for web shells; findings join the logs as events (repeatable)', collect)
    .option('--scan-host <name>', 'host the scanned files belong to (default: this machine)')
    .option('--incidents', 'group detections into incidents (shared host/user/process tree/file within a window)')
    .option('--incident-window <duration>', 'incident grouping window', '1h')
    .option('--no-group', 'table: one row per detection instead of one per group of repeats')
    .option('--no-progress', 'no progress line on stderr')
    .option('--no-color', 'no colours in the table output')
    .addHelpText(
      'after',
      `
Examples:
  warden hunt ./logs                              built-in T1505 pack over a folder of logs
  warden hunt Security.evtx -r ~/sigma/rules/windows --min-level high
  warden hunt access.log --format jsonl -o hits.jsonl
  warden hunt ./case --incidents
  warden hunt /var/log/apache2 --scan /var/www     web-shell findings correlate with the logs
  cat Security.evtx | warden hunt -                EVTX (or any format) from stdin; .gz is read too

Exit code: 0 no problems, 1 some input or rule could not be read (see stderr), 2 bad usage.`,
    )
    .action(async (paths: string[], flags: HuntFlags) => {
      const api = await import('../api/hunt.js');
      const out = await import('../api/output.js');
      const progress = out.Progress.forStderr(!flags.progress);
      const problems = new StderrProblems(() => progress.done());
      const threads = flags.threads !== undefined ? parsePositiveInt('--threads', flags.threads) : undefined;
      const windowMs = parseDuration(flags.incidentWindow);
      const timezone = await parseTimezone(flags.timezone);
      const text = await out.TextOutput.open(flags.output, { inputs: paths });
      const style = new out.Style(text.isTTY && flags.color !== false && !process.env.NO_COLOR);
      const iso = (ms: number): string => new Date(ms).toISOString();
      const tally = new out.Tally();
      const table = flags.format === 'table' ? new out.TableSink(text, { style, width: text.columns, group: flags.group, incidents: flags.incidents, iso }) : undefined;
      const main = table ?? (flags.format === 'csv' ? new out.CsvSink(text) : new out.JsonlSink(text, { incidents: flags.incidents }));
      let stats: Awaited<ReturnType<typeof api.hunt>>;
      try {
        stats = await api.hunt(
          {
            inputs: paths,
            rules: ruleOptionsFrom(flags),
            inputFormat: flags.inputFormat,
            timezone,
            host: flags.host,
            threads,
            maxGroups: flags.maxGroups !== undefined ? parsePositiveInt('--max-groups', flags.maxGroups) : undefined,
            maxBuffered: flags.maxBuffered !== undefined ? parsePositiveInt('--max-buffered', flags.maxBuffered) : undefined,
            scan: flags.scan?.length ? { paths: flags.scan, host: flags.scanHost } : undefined,
            incidents: flags.incidents ? { windowMs } : false,
            onProgress: (p) => progress.update(p.jobsDone, p.jobsTotal, p.events),
          },
          [main, tally],
          problems,
        );
      } catch (e) {
        await text.abort();
        throw e;
      }
      progress.done();
      const summary = out.renderSummary(
        tally,
        {
          ...stats,
          skippedFiles: stats.skipped.length,
          problems: problems.count,
          incidents: flags.incidents,
        },
        { style: table ? style : out.Style.plain, iso },
      );
      if (table) {
        await table.render();
        await text.write(summary);
        await text.close();
      } else {
        await main.close();
        // Machine formats keep stdout clean; the summary goes to stderr.
        process.stderr.write(summary);
      }
      process.exitCode = problems.count > 0 ? 1 : 0;
    });
}
