/** `warden hunt PATH...`: run Sigma rules (built-in pack + --rules) over logs. */
import { Option, type Command } from 'commander';
import { runHunt } from '../engine/hunt.js';
import { addRuleOptions, collect, parseTimezone, parseDuration, parsePositiveInt, ruleOptionsFrom, type RuleFlags } from './options.js';
import { StderrProblems } from './problems.js';
import { Progress } from '../output/progress.js';
import { OutputSink } from '../output/sink.js';
import { toRecord } from '../output/record.js';
import { csvHeader, csvRow } from '../output/csv.js';
import { renderSummary } from '../output/summary.js';
import { renderDetectionsTable } from '../output/detections-table.js';
import { color } from '../output/text-table.js';
import { groupIncidents } from '../engine/incidents.js';
import { formatIncidents } from '../engine/incidents-format.js';
import { knownFormats } from '../input/read.js';

interface HuntFlags extends RuleFlags {
  format: 'table' | 'jsonl' | 'csv';
  output?: string;
  inputFormat?: string;
  timezone?: string;
  host?: string;
  threads?: string;
  incidents?: boolean;
  scan?: string[];
  scanHost?: string;
  incidentWindow: string;
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
    .option('--input-format <name>', `force the input decoder instead of detecting it (${knownFormats().join(', ')})`)
    .option('--threads <n>', 'worker threads (default: all cores; 1 = single thread)')
    .option('--scan <path>', 'also scan these files/folders for web shells; findings join the logs as events (repeatable)', collect)
    .option('--scan-host <name>', 'host the scanned files belong to (default: this machine)')
    .option('--incidents', 'group detections into incidents (shared host/user/process tree/file within a window)')
    .option('--incident-window <duration>', 'incident grouping window', '1h')
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

Exit code: 0 no problems, 1 some input or rule could not be read (see stderr), 2 bad usage.`,
    )
    .action(async (paths: string[], flags: HuntFlags) => {
      const progress = Progress.forStderr(!flags.progress);
      const problems = new StderrProblems(() => progress.done());
      const threads = flags.threads !== undefined ? parsePositiveInt('--threads', flags.threads) : undefined;
      const windowMs = parseDuration(flags.incidentWindow);
      const result = await runHunt(
        {
          inputs: paths,
          rules: ruleOptionsFrom(flags),
          inputFormat: flags.inputFormat,
          timezone: parseTimezone(flags.timezone),
          host: flags.host,
          threads,
          scan: flags.scan?.length ? { paths: flags.scan, host: flags.scanHost } : undefined,
          onProgress: (p) => progress.update(p.jobsDone, p.jobsTotal, p.events),
        },
        problems,
      );
      progress.done();
      const incidents = flags.incidents ? groupIncidents(result.detections, { windowMs }) : undefined;
      const out = new OutputSink(flags.output);
      color.enabled = out.isTTY && flags.color !== false && !process.env.NO_COLOR;
      if (flags.format === 'jsonl') {
        for (const d of result.detections) await out.write(JSON.stringify(toRecord(d)) + '\n');
      } else if (flags.format === 'csv') {
        await out.write(csvHeader());
        for (const d of result.detections) await out.write(csvRow(d));
      } else {
        if (result.detections.length) await out.write(renderDetectionsTable(result.detections, out.columns) + '\n');
        if (incidents) await out.write(formatIncidents(incidents) + '\n');
        await out.write(renderSummary(result.detections, { ...result.stats, problems: problems.count }, incidents?.length));
      }
      await out.close();
      if (flags.format !== 'table') {
        // Machine formats keep stdout clean; the summary goes to stderr.
        process.stderr.write(renderSummary(result.detections, { ...result.stats, problems: problems.count }, incidents?.length));
      }
      process.exitCode = problems.count > 0 ? 1 : 0;
    });
}
