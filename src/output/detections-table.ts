/** The detections table of `warden hunt` (default output). */
import type { Detection } from '../event/detection.js';
import { detailsOf } from './details.js';
import { levelColor, renderTable } from './text-table.js';

export function renderDetectionsTable(detections: Detection[], width: number): string {
  const columns = [
    { header: 'Timestamp', width: 24 },
    { header: 'Level', width: 8 },
    { header: 'Host', width: 16 },
    { header: 'Rule', width: 44 },
    { header: 'Author', width: 18 },
    { header: 'Details' },
  ];
  const rows = detections.map((d) => [
    d.timestamp ?? '',
    d.rule.level === 'informational' ? 'info' : d.rule.level,
    d.host ?? '',
    d.rule.title,
    d.rule.author,
    d.kind === 'correlation' ? `correlation of ${d.evidence?.length ?? 0} events ¦ ${detailsOf(d.event)}` : detailsOf(d.event),
  ]);
  return renderTable(columns, rows, width, (col, cell, row) => (col === 1 ? levelColor(row[1] === 'info' ? 'informational' : row[1]!, cell) : cell));
}
