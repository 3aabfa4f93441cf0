/** `warden search PATH... -e TEXT | --regex RE`: find events by text, as hunt reads them, without rules. */
import { type Command, Option } from 'commander';
import { UsageError } from '../api/errors.js';
import { INPUT_FORMATS } from './events.js';
import { checkInputs, collect, type EventInputFlags, parsePositiveInt, parseTimezone, timeWindow } from './options.js';
import { StderrProblems } from './problems.js';

interface SearchFlags extends EventInputFlags {
  expr?: string[];
  regex?: string[];
  field?: string[];
  ignoreCase?: boolean;
  all?: boolean;
  format: 'table' | 'jsonl';
  output?: string;
  limit?: string;
  raw: boolean;
  full?: boolean;
  failOnFindings?: boolean;
  progress: boolean;
  color?: boolean;
}

export function register(program: Command): void {
  program
    .command('search')
    .description('find events that contain a text or match a regular expression, in the same inputs `hunt` reads (no rules needed)')
    .argument('<paths...>', 'log files or folders ("-" reads stdin)')
    .option('-e, --expr <text>', 'literal text to look for (repeatable: any of them)', collect)
    .option('--regex <re>', 'regular expression, RE2 syntax: linear time, no look-around (repeatable)', collect)
    .option('--field <name>', 'look only in this field (repeatable; Sigma names, case-insensitive)', collect)
    .option('-i, --ignore-case', 'case-insensitive texts and regexes')
    .option('--all', 'an event must match every -e/--regex (default: any one)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'jsonl']).default('table'))
    .option('-o, --output <file>', 'write the results to this file instead of stdout')
    .option('--input-format <name>', 'force the input decoder instead of detecting it (see `warden events --help`)')
    .option('--host <name>', 'host for events whose log names none')
    .option('--timezone <zone>', 'zone of logs without an offset, of shown times and of --from/--to (default UTC)')
    .option('--utc', 'show times in UTC even with --timezone')
    .option('--from <time>', 'only events at or after this ISO 8601 time')
    .option('--to <time>', 'only events at or before this time (a date alone includes that whole day)')
    .option('-n, --limit <n>', 'stop after this many matching events')
    .option('--no-raw', 'jsonl: leave out the raw source line')
    .option('--full', 'table: never cut a cell, wrap it instead')
    .option('--fail-on-findings', 'exit with code 3 when anything matched (and no problem happened)')
    .option('--no-progress', 'no progress line on stderr')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      `
Fields are searched after decoding, so a text is found the same way in EVTX, JSON, web, auditd
and syslog logs; JSON Lines output is \`warden events\` records with a "matches" list of
{field, value, pattern}, and \`warden hunt\` reads it back.

Examples:
  warden search ./logs -e whoami -i                          any field of any event
  warden search Security.evtx --field CommandLine --regex '(?i)certutil.+-urlcache'
  warden search /var/log/nginx -e cmd= -e .aspx --all --from 2026-03-02
  warden search ./case -e 10.1.2.3 -f jsonl -o hits.jsonl

Input formats: ${INPUT_FORMATS}.
Exit code: 0 no problems, 1 some input could not be read (see stderr), 2 bad usage,
3 something matched with --fail-on-findings (as in \`warden hunt\`).`,
    )
    .action(async (paths: string[], flags: SearchFlags) => {
      const api = await import('../api/search.js');
      const out = await import('../api/output.js');
      await checkInputs(paths);
      const timezone = await parseTimezone(flags.timezone);
      const window = timeWindow(flags, timezone, out.parseIsoTime);
      const limit = flags.limit !== undefined ? parsePositiveInt('--limit', flags.limit) : undefined;
      const spec = { texts: flags.expr ?? [], regexes: flags.regex ?? [], fields: flags.field, ignoreCase: flags.ignoreCase, all: flags.all };
      let matcher: InstanceType<typeof api.EventMatcher>;
      try {
        matcher = new api.EventMatcher(spec);
      } catch (e) {
        if (e instanceof api.SearchSpecError) throw new UsageError(e.message);
        throw e;
      }
      const iso = out.isoFormatter(flags.utc ? undefined : timezone);
      const text = await out.TextOutput.open(flags.output, { inputs: paths });
      const progress = out.Progress.forStderr(!flags.progress);
      const problems = new StderrProblems(() => progress.done(), 200, flags.format === 'jsonl');
      const style = new out.Style(text.isTTY && flags.color !== false && !process.env.NO_COLOR);
      const stats = api.emptySearchStats();
      const rows: string[][] = [];
      const t0 = performance.now();
      try {
        for await (const hits of api.searchEvents({ inputs: paths, spec: matcher, window, limit, inputFormat: flags.inputFormat, timezone, host: flags.host }, problems, stats)) {
          progress.update(0, 0, stats.events);
          if (flags.format === 'jsonl') await text.write(`${hits.map((h) => JSON.stringify(api.searchRecord(h, flags.raw))).join('\n')}\n`);
          else for (const h of hits) rows.push(tableRow(h, iso));
        }
      } catch (e) {
        progress.done();
        await text.abort();
        throw e;
      }
      progress.done();
      const secs = (performance.now() - t0) / 1000;
      const formats = Object.entries(stats.formats)
        .sort((a, b) => b[1] - a[1])
        .map(([f, n]) => `${f} ${out.formatCount(n)}`)
        .join(', ');
      const summary =
        `${out.formatCount(stats.matched)} matching event(s) of ${out.formatCount(stats.events)} read in ${secs.toFixed(2)} s` +
        `${formats ? ` (${formats})` : ''}${stats.outsideWindow ? `; ${out.formatCount(stats.outsideWindow)} outside --from/--to left out` : ''}` +
        `${limit !== undefined && stats.matched >= limit ? `; stopped at --limit ${limit}` : ''}\n`;
      if (flags.format === 'table') {
        if (rows.length) {
          const columns = [
            { header: 'Time', min: 10 },
            { header: 'Host', min: 6, max: 30 },
            { header: 'Source', min: 12, max: 50, grow: 1 },
            { header: 'Match', min: 20, flex: true, lines: 3 },
          ];
          await text.write(`${out.renderTable(columns, rows, text.columns, { full: flags.full, colorize: (c, cell) => (c === 3 ? style.bold(cell) : cell) }).trimEnd()}\n`);
        }
        await text.write(`\n${summary}`);
        await text.close();
      } else {
        await text.close();
        process.stderr.write(summary);
      }
      process.exitCode = problems.count > 0 ? 1 : flags.failOnFindings && stats.matched > 0 ? 3 : 0;
    });
}

function tableRow(h: import('../api/search.js').SearchHit, iso: (ms: number) => string): string[] {
  const ev = h.event;
  const o = ev.origin;
  return [
    ev.timestamp !== undefined && Number.isFinite(ev.timestamp) ? iso(ev.timestamp) : '-',
    ev.host ?? '-',
    `${o.file}:${o.record}`,
    h.matches.map((m) => `${m.field}: ${m.value}`).join('\n'),
  ];
}
