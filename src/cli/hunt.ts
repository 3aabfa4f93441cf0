/** `warden hunt PATH...`: run Sigma rules (built-in pack + --rules) over logs. */
import { type Command, Option } from 'commander';
import {
  addRuleOptions,
  checkInputs,
  collect,
  type EventInputFlags,
  parseDuration,
  parsePositiveInt,
  parseTimezone,
  ruleOptionsFrom,
  type RuleFlags,
  timeWindow,
} from './options.js';
import { StderrProblems } from './problems.js';

interface HuntFlags extends RuleFlags, EventInputFlags {
  format: 'table' | 'jsonl' | 'csv' | 'html';
  output?: string;
  threads?: string;
  incidents?: boolean;
  scan?: string[];
  scanHost?: string;
  incidentWindow: string;
  group: boolean;
  full?: boolean;
  profile: 'minimal' | 'standard' | 'verbose';
  summary: 'top' | 'full' | 'off';
  verbose?: boolean;
  failOnFindings?: boolean;
  maxGroups?: string;
  maxBuffered?: string;
  progress: boolean;
  color?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('hunt')
    .description('run Sigma rules over event logs (EVTX, JSON, web/auditd/syslog/app logs) and report detections')
    .argument('<paths...>', 'log files or folders ("-" reads stdin)');
  addRuleOptions(cmd)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'jsonl', 'csv', 'html']).default('table'))
    .option('-o, --output <file>', 'write detections to this file instead of stdout')
    .option('--host <name>', 'host for events whose log names none (access logs, IIS logs without s-computername, app logs)')
    .option(
      '--timezone <zone>',
      "the case's zone: logs that record local time without an offset are read in it, times are shown in it, --from/--to without an offset are in it (default UTC)",
    )
    .option('--utc', 'show times in UTC even with --timezone')
    .option('--from <time>', 'only events at or after this ISO 8601 time (2026-03-02, 2026-03-02T09:00, ...Z or +01:00)')
    .option('--to <time>', 'only events at or before this time (a date alone includes that whole day)')
    .option('--input-format <name>', 'force the input decoder instead of detecting it (see `warden events --help` for the list)')
    .option('--threads <n>', 'worker threads (default: all cores; 1 = single thread)')
    .option('--scan <path>', 'also scan these files/folders for web shells; findings join the logs as events (repeatable)', collect)
    .option('--scan-host <name>', 'host the scanned files belong to (default: this machine)')
    .option('--incidents', 'group detections into incidents (shared host/user/process tree/file within a window)')
    .option('--incident-window <duration>', 'incident grouping window', '1h')
    .option('--no-group', 'table: one row per detection instead of one per group of repeats (rule, host, input)')
    .option('--full', 'table: never cut a cell, wrap it instead')
    .addOption(
      new Option('--profile <profile>', 'table columns: minimal (time, level, host, rule), standard (+ details), verbose (+ author, ATT&CK, source)')
        .choices(['minimal', 'standard', 'verbose'])
        .default('standard'),
    )
    .addOption(new Option('--summary <mode>', 'summary after the results: top ten rules and hosts, all of them, or none').choices(['top', 'full', 'off']).default('top'))
    .option('-v, --verbose', 'name every skipped file and why on stderr')
    .option('--fail-on-findings', 'exit with code 3 when anything is detected (and no problem happened)')
    .option('--max-groups <n>', 'memory budget: open groups per correlation before the oldest is dropped (default 200000)')
    .option('--max-buffered <n>', 'memory budget: matches waiting for event-time order before the oldest are processed (default 500000)')
    .option('--no-progress', 'no progress line on stderr')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      `
Examples:
  warden hunt ./logs                              built-in T1505 pack over a folder of logs
  warden hunt Security.evtx -r ~/sigma/rules/windows --min-level high
  warden hunt access.log --format jsonl -o hits.jsonl
  warden hunt ./case --incidents --from 2026-03-02 --to 2026-03-03T12:00
  warden hunt ./case --timezone Europe/Berlin      local-time logs read, and times shown, in Berlin time
  warden hunt ./case --format html -o report.html  one self-contained page (incidents, time lines, detections)
  warden hunt /var/log/apache2 --scan /var/www     web-shell findings correlate with the logs
  cat Security.evtx | warden hunt -                EVTX (or any format) from stdin; .gz is read too

The table shows repeats of one rule on one host and input as one row with a count and the
first → last time (--no-group for every row); JSON Lines and CSV keep every detection, each
with its group id. Times are ISO 8601.

Exit code: 0 no problems, 1 some input or rule could not be read (see stderr), 2 bad usage,
3 detections with --fail-on-findings.`,
    )
    .action(async (paths: string[], flags: HuntFlags) => {
      // Only the output modules this run uses (not the API's barrel, which loads every sink and the HTML report).
      const [api, out] = await Promise.all([import('../api/hunt.js'), import('../api/hunt-output.js')]);
      const { TextOutput, Progress, Style, Tally, renderSummary, isoFormatter, parseIsoTime } = out;
      const rules = ruleOptionsFrom(flags);
      await checkInputs(paths);
      if (flags.scan) await checkInputs(flags.scan);
      const threads = flags.threads !== undefined ? parsePositiveInt('--threads', flags.threads) : undefined;
      const maxGroups = flags.maxGroups !== undefined ? parsePositiveInt('--max-groups', flags.maxGroups) : undefined;
      const maxBuffered = flags.maxBuffered !== undefined ? parsePositiveInt('--max-buffered', flags.maxBuffered) : undefined;
      const windowMs = parseDuration(flags.incidentWindow);
      // the report is built around incidents: html always groups them
      const incidents = flags.incidents === true || flags.format === 'html';
      const timezone = await parseTimezone(flags.timezone);
      const window = timeWindow(flags, timezone, parseIsoTime);
      const iso = isoFormatter(flags.utc ? undefined : timezone);
      const text = await TextOutput.open(flags.output, { inputs: paths });
      const progress = Progress.forStderr(!flags.progress);
      const problems = new StderrProblems(() => progress.done(), 200, flags.format === 'jsonl');
      const style = new Style(text.isTTY && flags.color !== false && !process.env.NO_COLOR);
      const tally = new Tally();
      const table =
        flags.format === 'table'
          ? new (await out.loadTableSink())(text, {
              style,
              width: text.columns,
              group: flags.group,
              incidents: flags.incidents,
              iso,
              full: flags.full,
              profile: flags.profile,
            })
          : undefined;
      const main =
        table ??
        (flags.format === 'csv'
          ? new (await out.loadCsvSink())(text)
          : flags.format === 'html'
            ? new (await out.loadHtmlSink())(text)
            : new (await out.loadJsonlSink())(text, { incidents: flags.incidents }));
      let stats: Awaited<ReturnType<typeof api.hunt>>;
      try {
        stats = await api.hunt(
          {
            inputs: paths,
            rules,
            inputFormat: flags.inputFormat,
            timezone,
            window,
            host: flags.host,
            threads,
            maxGroups,
            maxBuffered,
            scan: flags.scan?.length ? { paths: flags.scan, host: flags.scanHost } : undefined,
            incidents: incidents ? { windowMs } : false,
            explain: flags.format === 'html',
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
      for (const w of stats.warnings) process.stderr.write(flags.format === 'jsonl' ? `${JSON.stringify({ type: 'warning', message: w })}\n` : `warden: warning: ${w}\n`);
      for (const s of stats.skipped) {
        if (flags.format === 'jsonl') process.stderr.write(`${JSON.stringify({ type: 'skipped', file: s.path, reason: s.reason })}\n`);
        else if (flags.verbose) process.stderr.write(`warden: skipped ${s.path}: ${s.reason}\n`);
      }
      const skippedReasons: Record<string, number> = {};
      for (const s of stats.skipped) skippedReasons[s.reason] = (skippedReasons[s.reason] ?? 0) + 1;
      const summary =
        flags.summary === 'off'
          ? ''
          : renderSummary(
              tally,
              { ...stats, skippedFiles: stats.skipped.length, skippedReasons, problems: problems.count, incidents },
              { style: table ? style : Style.plain, iso, full: flags.summary === 'full', width: table ? text.columns : undefined },
            );
      if (table) {
        await table.render();
        if (summary) await text.write(summary);
        await text.close();
      } else {
        await main.close();
        // Machine formats keep stdout clean; the summary goes to stderr.
        process.stderr.write(summary);
      }
      process.exitCode = problems.count > 0 ? 1 : flags.failOnFindings && tally.total > 0 ? 3 : 0;
    });
}
