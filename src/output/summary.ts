/**
 * The human summary printed after a hunt, modelled on Hayabusa's: what was read, what
 * fired, per level, top rules (with their authors, as the Sigma rule licence asks),
 * hosts, time range, and how many problems happened.
 */
import type { Detection, Level } from '../event/detection.js';
import { LEVELS } from '../event/detection.js';
import { color, formatCount, levelColor } from './text-table.js';

export interface RunStats {
  files: number;
  skippedFiles: number;
  events: number;
  bytes?: number;
  elapsedMs: number;
  rulesLoaded: number;
  rulesFailed: number;
  correlations?: number;
  /** Web-shell scanner findings fed in as events (hunt --scan). */
  scanFindings?: number;
  problems: number;
  formats: Record<string, number>;
}

export function renderSummary(detections: Detection[], stats: RunStats, incidents?: number): string {
  const out: string[] = [];
  const secs = stats.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(stats.events / secs) : stats.events;
  const fmt = Object.entries(stats.formats)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${formatCount(n)} ${f}`)
    .join(', ');
  out.push(color.bold('Summary'));
  out.push(
    `  Inputs:      ${formatCount(stats.files)} file${stats.files === 1 ? '' : 's'}${fmt ? ` (${fmt})` : ''}${stats.skippedFiles ? `, ${formatCount(stats.skippedFiles)} skipped (unrecognized)` : ''}`,
  );
  if (stats.scanFindings !== undefined)
    out.push(`  Scan:        ${formatCount(stats.scanFindings)} web-shell finding${stats.scanFindings === 1 ? '' : 's'} fed to the rules as events`);
  out.push(`  Events:      ${formatCount(stats.events)} in ${secs.toFixed(2)} s (${formatCount(rate)} events/s)`);
  out.push(
    `  Rules:       ${formatCount(stats.rulesLoaded)} loaded${stats.correlations ? `, ${formatCount(stats.correlations)} correlations` : ''}${stats.rulesFailed ? `, ${formatCount(stats.rulesFailed)} failed to load` : ''}`,
  );
  const byLevel = new Map<Level, number>();
  for (const d of detections) byLevel.set(d.rule.level, (byLevel.get(d.rule.level) ?? 0) + 1);
  const levels = [...LEVELS]
    .reverse()
    .map((l) => levelColor(l, `${l} ${formatCount(byLevel.get(l) ?? 0)}`))
    .join(', ');
  out.push(`  Detections:  ${formatCount(detections.length)} (${levels})${incidents !== undefined ? `, ${formatCount(incidents)} incident${incidents === 1 ? '' : 's'}` : ''}`);
  const times = detections
    .map((d) => d.timestamp)
    .filter((t): t is string => !!t)
    .sort();
  if (times.length) out.push(`  Time range:  ${times[0]} → ${times[times.length - 1]}`);
  const hosts = new Map<string, number>();
  for (const d of detections) if (d.host) hosts.set(d.host, (hosts.get(d.host) ?? 0) + 1);
  if (hosts.size) {
    const top = [...hosts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    out.push(
      `  Hosts:       ${top
        .slice(0, 8)
        .map(([h, n]) => `${h} (${formatCount(n)})`)
        .join(', ')}${top.length > 8 ? `, +${top.length - 8} more` : ''}`,
    );
  }
  const rules = new Map<string, { d: Detection; n: number }>();
  for (const d of detections) {
    const e = rules.get(d.rule.id);
    if (e) e.n++;
    else rules.set(d.rule.id, { d, n: 1 });
  }
  if (rules.size) {
    out.push('  Top rules:');
    const top = [...rules.values()].sort((a, b) => LEVELS.indexOf(b.d.rule.level) - LEVELS.indexOf(a.d.rule.level) || b.n - a.n || a.d.rule.title.localeCompare(b.d.rule.title));
    for (const { d, n } of top.slice(0, 10)) {
      out.push(`    ${formatCount(n).padStart(7)}  ${levelColor(d.rule.level, d.rule.level.padEnd(13))} ${d.rule.title}  ${color.dim(`(by ${d.rule.author || 'unknown'})`)}`);
    }
    if (top.length > 10) out.push(`    … ${top.length - 10} more rules`);
  }
  if (stats.problems) out.push(`  Problems:    ${formatCount(stats.problems)} (listed on stderr; exit code 1)`);
  return out.join('\n') + '\n';
}
