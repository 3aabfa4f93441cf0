/**
 * The detections table of `warden hunt` (default output): one row per detection or per group
 * of repeats, fitted to the terminal. Columns by profile: minimal (time, level, host, rule),
 * standard (+ details), verbose (+ author, ATT&CK techniques, source file and record). When
 * the terminal is too narrow for the details beside the rule, they go on a line under the row.
 */
import type { Detection } from '../event/detection.js';
import { detailsOf } from './details.js';
import { type Column, renderTable, type Style } from './text-table.js';

export interface TableRow {
  first: Detection;
  count: number;
  /** Time of the last detection of a group. */
  lastTime?: number;
}

export const PROFILES = ['minimal', 'standard', 'verbose'] as const;
export type Profile = (typeof PROFILES)[number];

export interface DetectionsTableOptions {
  width: number;
  style: Style;
  iso: (ms: number) => string;
  /** No cutting: cells wrap onto as many lines as they need. */
  full?: boolean;
  profile?: Profile;
}

const SHORT_LEVEL: Record<string, string> = { critical: 'crit', high: 'high', medium: 'med', low: 'low', informational: 'info' };

/** Below this many columns for the details beside the rule, they move under the row. */
const MIN_INLINE_DETAILS = 36;

function techniques(d: Detection): string {
  return d.rule.tags
    .filter((t) => /^attack\.t\d{4}/i.test(t))
    .map((t) => t.slice(7).toUpperCase())
    .join(' ');
}

function detailsText(d: Detection): string {
  return d.kind === 'correlation' ? `correlation of ${d.evidence?.length ?? 0} events ¦ ${detailsOf(d.event)}` : detailsOf(d.event);
}

export function renderDetectionsTable(rows: readonly TableRow[], opts: DetectionsTableOptions): string {
  const { width, style, iso } = opts;
  const profile = opts.profile ?? 'standard';
  const grouped = rows.some((r) => r.count > 1);
  const narrow = width < 100;
  type Col = Column & { cell: (r: TableRow) => string };
  const cols: Col[] = [
    {
      header: 'Timestamp',
      min: 99,
      lines: 2,
      cell: (r) => {
        const t = r.first.timestamp !== undefined ? iso(r.first.timestamp) : '(no time)';
        return r.count > 1 && r.lastTime !== undefined && r.lastTime !== r.first.timestamp ? `${t}\n→ ${iso(r.lastTime)}` : t;
      },
    },
    {
      header: narrow ? 'Lvl' : 'Level',
      min: narrow ? 4 : 8,
      cell: (r) => (narrow ? SHORT_LEVEL[r.first.rule.level]! : r.first.rule.level === 'informational' ? 'info' : r.first.rule.level),
    },
    { header: 'Host', min: 8, max: 32, lines: 2, cell: (r) => r.first.host ?? '' },
    { header: 'Rule', min: 16, max: 72, lines: 3, grow: 1, cell: (r) => r.first.rule.title },
  ];
  if (grouped) cols.push({ header: 'Count', align: 'right', min: 5, cell: (r) => r.count.toLocaleString('en-US') });
  if (profile === 'verbose') {
    cols.push({ header: 'Author', min: 6, max: 20, lines: 2, grow: 2, cell: (r) => r.first.rule.author });
    cols.push({ header: 'ATT&CK', min: 6, max: 24, lines: 2, grow: 2, cell: (r) => techniques(r.first) });
    cols.push({ header: 'Source', min: 10, max: 48, lines: 2, grow: 2, cell: (r) => `${r.first.origin.file}#${r.first.origin.record}` });
  }
  let below: ((i: number) => string | undefined) | undefined;
  if (profile !== 'minimal') {
    const details: Col = { header: 'Details', flex: true, min: MIN_INLINE_DETAILS, cell: (r) => detailsText(r.first) };
    // What the other columns need at least (the rule a readable 20), separators included.
    const timeWidth = Math.max(9, ...rows.slice(0, 100).map((r) => (r.first.timestamp !== undefined ? iso(r.first.timestamp).length : 9)));
    const others = cols.reduce((n, c, i) => n + (i === 0 ? timeWidth : i === 3 ? 20 : (c.min ?? 8)) + 3, 0);
    if (width - others >= MIN_INLINE_DETAILS) cols.push(details);
    else below = (i) => detailsText(rows[i]!.first);
  }
  const cells = rows.map((r) => cols.map((c) => c.cell(r)));
  const levelCol = 1;
  return renderTable(cols, cells, width, {
    full: opts.full,
    below,
    colorize: (col, cell, row) => {
      if (col !== levelCol) return cell;
      const l = row[levelCol]!;
      const level = Object.entries(SHORT_LEVEL).find(([k, v]) => v === l || k === l)?.[0] ?? 'informational';
      return style.level(level, cell);
    },
  });
}
