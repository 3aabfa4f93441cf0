/** The detections table of `warden hunt` (default output): one row per detection or per group of repeats. */
import type { Detection } from '../event/detection.js';
import { detailsOf } from './details.js';
import { renderTable, type Style } from './text-table.js';

export interface TableRow {
  first: Detection;
  count: number;
  /** Time of the last detection of a group. */
  lastTime?: number;
}

export function renderDetectionsTable(rows: readonly TableRow[], width: number, style: Style, iso: (ms: number) => string): string {
  const grouped = rows.some((r) => r.count > 1);
  const columns = [
    { header: 'Timestamp', width: 24 },
    { header: 'Level', width: 8 },
    { header: 'Host', width: 16 },
    { header: 'Rule', width: 44 },
    { header: 'Author', width: 18 },
    ...(grouped ? [{ header: 'Count', width: 6, align: 'right' as const }] : []),
    { header: 'Details' },
  ];
  const cells = rows.map((r) => {
    const d = r.first;
    const time = d.timestamp !== undefined ? iso(d.timestamp) : '';
    const details = d.kind === 'correlation' ? `correlation of ${d.evidence?.length ?? 0} events ¦ ${detailsOf(d.event)}` : detailsOf(d.event);
    const last = r.count > 1 && r.lastTime !== undefined && r.lastTime !== d.timestamp ? ` ¦ last ${iso(r.lastTime)}` : '';
    return [time, d.rule.level === 'informational' ? 'info' : d.rule.level, d.host ?? '', d.rule.title, d.rule.author, ...(grouped ? [String(r.count)] : []), details + last];
  });
  return renderTable(columns, cells, width, (col, cell, row) => (col === 1 ? style.level(row[1] === 'info' ? 'informational' : row[1]!, cell) : cell));
}
