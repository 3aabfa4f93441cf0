/**
 * CSV output (RFC 4180 quoting): one row per detection, a header first. A cell a spreadsheet
 * would take for a formula (starting with =, +, -, @, tab or CR) is prefixed with a single
 * quote, so an attacker-controlled log field cannot run a formula in the analyst's spreadsheet.
 */
import type { Detection } from '../event/detection.js';
import { detailsOf } from './details.js';
import { isoTime } from './record.js';

export const CSV_COLUMNS = ['timestamp', 'level', 'rule_title', 'rule_id', 'author', 'tags', 'host', 'file', 'record', 'id', 'group', 'details'] as const;

export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

export function csvRow(d: Detection, group: string): string {
  const cells = [
    isoTime(d.timestamp) ?? '',
    d.rule.level,
    d.rule.title,
    d.rule.id,
    d.rule.author,
    d.rule.tags.join(' '),
    d.host ?? '',
    d.origin.file,
    String(d.origin.record),
    d.id,
    group,
    detailsOf(d.event, 6),
  ];
  return `${cells.map(csvCell).join(',')}\n`;
}
