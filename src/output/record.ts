/**
 * The stable JSON shape of a detection (JSONL output, webhook bodies, the store).
 * Field order is fixed so diffs of two runs stay readable.
 */
import type { Detection } from '../event/detection.js';
import type { Fields } from '../event/event.js';

export interface DetectionRecord {
  kind: Detection['kind'];
  rule: {
    id: string;
    title: string;
    level: string;
    status: string;
    author: string;
    tags: string[];
    references: string[];
    file?: string;
  };
  timestamp: string | null;
  host: string | null;
  source: { file: string; record: number; format?: string };
  incident?: string;
  evidence?: { file: string; record: number; format?: string }[];
  event: Fields;
  raw?: string;
}

export function toRecord(d: Detection): DetectionRecord {
  const r = d.rule;
  const rec: DetectionRecord = {
    kind: d.kind,
    rule: {
      id: r.id,
      title: r.title,
      level: r.level,
      status: r.status,
      author: r.author,
      tags: r.tags,
      references: r.references,
    },
    timestamp: d.timestamp ?? null,
    host: d.host ?? null,
    source: d.source,
    event: d.event,
  };
  if (r.file) rec.rule.file = r.file;
  if (d.incident) rec.incident = d.incident;
  if (d.evidence) rec.evidence = d.evidence.map((o) => ({ file: o.file, record: o.record, format: o.format }));
  if (d.raw !== undefined) rec.raw = d.raw;
  return rec;
}
