/**
 * The stable JSON shapes of JSON Lines output (and of webhook bodies and API answers): a
 * detection, and with `--incidents` an incident with the ids of its members. Times are ISO
 * 8601 UTC. Field order is fixed so diffs of two runs stay readable.
 */
import type { Detection, Incident, IncidentMember } from '../event/detection.js';
import type { EventOrigin, Fields, LogSource } from '../event/event.js';

export interface SourceRecord {
  file: string;
  /** Line number for text formats, the EventRecordID for EVTX. */
  record: number;
  format?: string;
  offset?: number;
  /** EVTX: the record's number in the file's record headers, when it differs from the EventRecordID. */
  ordinal?: number;
}

export interface DetectionRecord {
  kind: Detection['kind'];
  id: string;
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
  source: SourceRecord;
  logsource: LogSource;
  /** Correlations: the ids of the detections they join. */
  members?: string[];
  /** Correlations: every event behind them. */
  evidence?: SourceRecord[];
  event: Fields;
  /** The event's fields the rule matched on (reports, and the API's one-detection answer). */
  matched?: string[];
  raw?: string;
  /** Display group (rule, host, input): the rows the table collapses into one. */
  group?: string;
}

export function isoTime(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** One entry of an incident's time line, as JSON Lines, the store and the HTML report write it. */
export function memberRecord(m: IncidentMember) {
  return {
    id: m.id,
    timestamp: isoTime(m.timestamp),
    kind: m.kind,
    rule: m.ruleId,
    title: m.title,
    level: m.level,
    author: m.author,
    source: sourceRecord(m.origin),
  };
}

export function sourceRecord(o: EventOrigin): SourceRecord {
  const s: SourceRecord = { file: o.file, record: o.record, format: o.format };
  if (o.offset !== undefined) s.offset = o.offset;
  if (o.ordinal !== undefined) s.ordinal = o.ordinal;
  return s;
}

export function toRecord(d: Detection, group?: string): DetectionRecord {
  const r = d.rule;
  const rec: DetectionRecord = {
    kind: d.kind,
    id: d.id,
    rule: {
      id: r.id,
      title: r.title,
      level: r.level,
      status: r.status,
      author: r.author,
      tags: r.tags,
      references: r.references,
    },
    timestamp: isoTime(d.timestamp),
    host: d.host ?? null,
    source: sourceRecord(d.origin),
    logsource: d.logsource,
    event: d.event,
  };
  if (r.file) rec.rule.file = r.file;
  if (d.members) rec.members = d.members;
  if (d.evidence) rec.evidence = d.evidence.map(sourceRecord);
  if (d.matched) rec.matched = d.matched;
  if (d.raw !== undefined) rec.raw = d.raw;
  if (group !== undefined) rec.group = group;
  return rec;
}

export interface IncidentRecord {
  kind: 'incident';
  id: string;
  severity: string;
  maxLevel: string;
  host: string | null;
  hosts: string[];
  techniques: string[];
  users: string[];
  start: string | null;
  end: string | null;
  /** Member detection ids, in time order. */
  members: string[];
  /** The time line: each member's time, rule and where its event is. */
  timeline: { id: string; timestamp: string | null; kind: string; rule: string; title: string; level: string; author: string; source: SourceRecord }[];
  evidenceCount: number;
}

export function incidentRecord(inc: Incident, members: readonly IncidentMember[]): IncidentRecord {
  return {
    kind: 'incident',
    id: inc.id,
    severity: inc.severity,
    maxLevel: inc.maxLevel,
    host: inc.host ?? null,
    hosts: [inc.hostKey],
    techniques: inc.techniques,
    users: inc.users,
    start: isoTime(inc.start),
    end: isoTime(inc.end),
    members: members.map((m) => m.id),
    timeline: members.map(memberRecord),
    evidenceCount: inc.evidenceCount,
  };
}
