/** CSV output (RFC 4180 quoting): one row per detection, a header first. */
import type { Detection } from '../event/detection.js';
import { detailsOf } from './details.js';

export const CSV_COLUMNS = ['timestamp', 'level', 'rule_title', 'rule_id', 'author', 'tags', 'host', 'file', 'record', 'incident', 'details'] as const;

export function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\n';
}

export function csvRow(d: Detection): string {
  const cells = [
    d.timestamp ?? '',
    d.rule.level,
    d.rule.title,
    d.rule.id,
    d.rule.author,
    d.rule.tags.join(' '),
    d.host ?? '',
    d.source.file,
    String(d.source.record),
    d.incident ?? '',
    detailsOf(d.event, 6),
  ];
  return cells.map(csvCell).join(',') + '\n';
}
