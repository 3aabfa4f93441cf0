/**
 * Option parsing shared by the commands that load rules and read inputs, so `hunt`,
 * `events`, `coverage` and friends accept the same flags with the same meaning.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../api/errors.js';
import { LEVELS, STATUSES, type Level } from '../api/model.js';
import type { RuleOptions } from '../api/rules.js';

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Comma-separated and repeated values, flattened. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export function addRuleOptions(cmd: Command): Command {
  return cmd
    .option('-r, --rules <path>', 'Sigma rule file or folder (repeatable); added to the built-in pack', collect)
    .option('--no-builtin', "don't load Warden's built-in detection pack")
    .addOption(
      new Option('--min-level <level>', 'only rules and correlations of this level or higher (rules a kept correlation needs still run, shown only as its members)').choices([
        ...LEVELS,
      ]),
    )
    .option('--status <list>', 'only rules with these statuses (comma-separated, repeatable)', collectList)
    .option('--tags <glob>', 'only rules with a tag matching this glob, e.g. attack.t1505* (repeatable)', collectList)
    .option('--ids <list>', 'only these rule ids or names (comma-separated, repeatable)', collectList)
    .option('--placeholders <file>', 'YAML file giving values to %placeholders% used with the |expand modifier')
    .option('--filters <path>', 'Sigma filter documents to apply (file or folder, repeatable)', collect)
    .option('--logsource-map <file>', 'YAML file overriding/extending the logsource mapping');
}

/** The flags of the commands that read events (hunt, search): how inputs are read and which events count. */
export interface EventInputFlags {
  inputFormat?: string;
  timezone?: string;
  utc?: boolean;
  from?: string;
  to?: string;
  host?: string;
}

export interface RuleFlags {
  rules?: string[];
  builtin: boolean;
  minLevel?: string;
  status?: string[];
  tags?: string[];
  ids?: string[];
  placeholders?: string;
  filters?: string[];
  logsourceMap?: string;
}

export function ruleOptionsFrom(flags: RuleFlags): RuleOptions {
  for (const s of flags.status ?? [])
    if (!(STATUSES as readonly string[]).includes(s.toLowerCase())) throw new UsageError(`unknown --status ${JSON.stringify(s)} (Sigma statuses: ${STATUSES.join(', ')})`);
  return {
    rulePaths: flags.rules ?? [],
    builtin: flags.builtin,
    placeholdersFile: flags.placeholders,
    filterPaths: flags.filters,
    logsourceMapFile: flags.logsourceMap,
    select: {
      minLevel: flags.minLevel as Level | undefined,
      status: flags.status,
      tags: flags.tags,
      ids: flags.ids,
    },
  };
}

/** "30m", "2h", "90s", "1d" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`bad duration ${JSON.stringify(text)} (use e.g. 90s, 30m, 2h, 1d)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const mult = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  return Math.round(n * mult);
}

export function parsePositiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** `--timezone`: validated here so a typo is bad usage, not a silent UTC. */
export async function parseTimezone(tz: string | undefined): Promise<string | undefined> {
  if (tz === undefined) return undefined;
  const { zoneResolver } = await import('../api/sources.js');
  try {
    zoneResolver(tz);
  } catch {
    throw new UsageError(`unknown --timezone ${JSON.stringify(tz)} (use UTC, +02:00, -0530 or an IANA name such as Europe/Berlin)`);
  }
  return tz;
}

/** A mistyped input path is bad usage before any work starts ("-" is stdin). */
export async function checkInputs(paths: readonly string[], what = 'file or folder'): Promise<void> {
  const { stat } = await import('node:fs/promises');
  for (const p of paths) {
    if (p === '-') continue;
    try {
      await stat(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'ENOENT' || code === 'ENOTDIR' ? `no such ${what}: ${p}` : `cannot read ${p}: ${(e as Error).message}`);
    }
  }
}

/** `--from`/`--to` read in the case's zone (a date alone as `--to` includes that whole day). */
export function timeWindow(
  flags: { from?: string; to?: string },
  zone: string | undefined,
  parse: (text: string, zone: string | undefined, end?: boolean) => number | undefined,
): { from?: number; to?: number } | undefined {
  if (flags.from === undefined && flags.to === undefined) return undefined;
  const read = (flag: string, v: string, end: boolean): number => {
    const t = parse(v, zone, end);
    if (t === undefined) throw new UsageError(`${flag} ${JSON.stringify(v)} is not an ISO 8601 date or time (e.g. 2026-03-02, 2026-03-02T09:30, 2026-03-02T09:30:00Z)`);
    return t;
  };
  const from = flags.from !== undefined ? read('--from', flags.from, false) : undefined;
  const to = flags.to !== undefined ? read('--to', flags.to, true) : undefined;
  if (from !== undefined && to !== undefined && from > to) throw new UsageError(`--from ${flags.from} is after --to ${flags.to}`);
  return { from, to };
}
