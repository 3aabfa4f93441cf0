/**
 * The human summary printed after a hunt, modelled on Hayabusa's: what was read, what
 * fired, per level (total and unique rules), top rules (with their authors, as the Sigma
 * rule licence asks), hosts, days, time range, and how many problems happened.
 */
import { printable } from '../errors.js';
import { compareText, formatCount, type Style } from './text-table.js';
import { displayWidth, wrapWidth } from './text-width.js';
import type { Tally } from './tally.js';

export interface RunStats {
  files: number;
  /** Files skipped because nothing recognized them. */
  skippedFiles: number;
  /** Why they were skipped: reason → files. */
  skippedReasons?: Record<string, number>;
  /** Events left out by --from/--to (outside the window, or without a time). */
  outsideWindow?: number;
  events: number;
  bytes?: number;
  elapsedMs: number;
  rulesLoaded: number;
  rulesFailed: number;
  /** Rules and correlations that run after --min-level/--status/--tags/--ids (default: all loaded). */
  rulesSelected?: number;
  /** Rules outside the selection that run only as members of a selected correlation. */
  memberRules?: number;
  correlations?: number;
  /** Web-shell scanner findings fed in as events (hunt --scan). */
  scanFindings?: number;
  /** Detections of a Windows record already detected in another input. */
  duplicates?: number;
  problems: number;
  formats: Record<string, number>;
  incidents?: boolean;
}

export interface SummaryOptions {
  style: Style;
  /** 'full' lists every rule and host instead of the top ten. */
  full?: boolean;
  iso: (ms: number) => string;
  /** Terminal width: longer lines wrap, indented under their label (default: no wrapping). */
  width?: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** Wraps a "  Label:       text" line under its text column; colour codes are added after. */
function fit(line: string, width: number | undefined): string[] {
  if (width === undefined || displayWidth(line) <= width) return [line];
  const m = /^( {2}[A-Za-z ]+: +| {4} *[\d,]+ {2}\S+ +)/.exec(line);
  const indent = Math.min(m ? m[1]!.length : 4, Math.floor(width / 2));
  const [first, ...rest] = wrapWidth(line, width);
  return [first!, ...(rest.length ? wrapWidth(rest.join(' '), width - indent).map((l) => ' '.repeat(indent) + l) : [])];
}

export function renderSummary(t: Tally, stats: RunStats, opts: SummaryOptions): string {
  const st = opts.style;
  const out: string[] = [];
  const secs = stats.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(stats.events / secs) : stats.events;
  const fmt = Object.entries(stats.formats)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${formatCount(n)} ${f}`)
    .join(', ');
  out.push('Summary');
  out.push(
    `  Inputs:      ${formatCount(stats.files)} file${stats.files === 1 ? '' : 's'}${fmt ? ` (${fmt})` : ''}${stats.skippedFiles ? `, ${formatCount(stats.skippedFiles)} skipped (${skippedWhy(stats)}; --verbose lists them)` : ''}`,
  );
  if (stats.scanFindings !== undefined)
    out.push(`  Scan:        ${formatCount(stats.scanFindings)} web-shell finding${stats.scanFindings === 1 ? '' : 's'} fed to the rules as events`);
  out.push(
    `  Events:      ${formatCount(stats.events)} in ${secs.toFixed(2)} s (${formatCount(rate)} events/s)${stats.outsideWindow ? `, ${formatCount(stats.outsideWindow)} outside --from/--to left out` : ''}`,
  );
  const running = stats.rulesSelected ?? stats.rulesLoaded;
  out.push(
    `  Rules:       ${formatCount(running)} ${running === stats.rulesLoaded ? 'loaded' : `run (of ${formatCount(stats.rulesLoaded)} loaded)`}${stats.correlations ? `, ${formatCount(stats.correlations)} correlations among them` : ''}${stats.memberRules ? `, ${formatCount(stats.memberRules)} more only as correlation members` : ''}${stats.rulesFailed ? `, ${formatCount(stats.rulesFailed)} failed to load` : ''}`,
  );
  const levels = t
    .levelsDescending()
    .filter((l) => (t.byLevel.get(l) ?? 0) > 0)
    .map((l) => `${l} ${formatCount(t.byLevel.get(l) ?? 0)} (${plural(t.rulesByLevel.get(l)?.size ?? 0, 'rule')})`)
    .join(', ');
  out.push(`  Detections:  ${formatCount(t.total)}${levels ? ` (${levels})` : ''}${stats.incidents ? `, ${plural(t.incidentCount, 'incident')}` : ''}`);
  if (stats.duplicates)
    out.push(`  Duplicates:  ${formatCount(stats.duplicates)} detections of records read twice (the same host, channel and EventRecordID in overlapping inputs) shown once`);
  if (t.first !== undefined && t.last !== undefined) out.push(`  Time range:  ${opts.iso(t.first)} → ${opts.iso(t.last)}`);
  if (t.byHost.size) {
    const top = [...t.byHost.values()].sort((a, b) => b.n - a.n || compareText(a.name, b.name));
    const shown = opts.full ? top : top.slice(0, 8);
    out.push(
      `  Hosts:       ${shown.map((h) => `${h.name ? printable(h.name) : '(no host)'} (${formatCount(h.n)})`).join(', ')}${top.length > shown.length ? `, +${top.length - shown.length} more` : ''}`,
    );
  }
  if (t.byDay.size > 1) {
    const days = [...t.byDay].sort((a, b) => compareText(a[0], b[0]));
    const shown = opts.full ? days : days.slice(-7);
    out.push(`  Per day:     ${shown.map(([d, n]) => `${d} ${formatCount(n)}`).join(', ')}${days.length > shown.length ? ` (last ${shown.length} of ${days.length} days)` : ''}`);
  }
  if (t.byRule.size) {
    out.push('  Top rules:');
    const LEVEL_ORDER = ['informational', 'low', 'medium', 'high', 'critical'];
    const top = [...t.byRule.values()].sort(
      (a, b) => LEVEL_ORDER.indexOf(b.rule.level) - LEVEL_ORDER.indexOf(a.rule.level) || b.n - a.n || compareText(a.rule.title, b.rule.title),
    );
    const shown = opts.full ? top : top.slice(0, 10);
    for (const { rule, n } of shown) {
      out.push(`    ${formatCount(n).padStart(7)}  ${rule.level.padEnd(13)} ${printable(rule.title)}  (by ${printable(rule.author || 'unknown')})`);
    }
    if (top.length > shown.length) out.push(`    … ${top.length - shown.length} more rules (--summary full lists all)`);
  }
  if (stats.problems) out.push(`  Problems:    ${formatCount(stats.problems)} (listed on stderr; exit code 1)`);
  // Fitted as plain text; then the levels are coloured where they stand.
  const levelWord = /\b(critical|high|medium|low|informational)(?= [\d,]+ \(| {2,})/g;
  const lines = out.flatMap((l) => fit(l, opts.width)).map((l) => (st.enabled ? l.replace(levelWord, (w) => st.level(w, w)) : l));
  if (lines[0] === 'Summary') lines[0] = st.bold('Summary');
  return `${lines.join('\n')}\n`;
}

function skippedWhy(stats: RunStats): string {
  const reasons = Object.entries(stats.skippedReasons ?? {}).sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0) return 'unrecognized';
  return reasons.map(([r, n]) => (reasons.length === 1 ? r : `${formatCount(n)} ${r}`)).join(', ');
}
