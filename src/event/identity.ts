/**
 * Event and detection identity. A detection's id is a hash of its rule and of the identity of
 * the event it matched, so reading the same event again — a re-read file, the same record in
 * two overlapping exports, a message redelivered after a crash — gives the same id, and a
 * store or sink keyed by it never holds the event twice.
 *
 * An event's identity is, in order of preference:
 * 1. `origin.key`, when its producer knows the record's identity better than its position
 *    (scanner findings: path + content hash; component changes: item + change);
 * 2. for Windows events: host, channel and EventRecordID — the record's own identity, the
 *    same in the live log, in every export of it and in every shipper's JSON of it;
 * 3. the stream and byte offset (or record number) when the stream has a stable identity
 *    (`origin.stream`: a tailed file's fingerprint, which survives renames by rotation; an
 *    ingest journal segment);
 * 4. the file and record (line number / record id).
 */
import { createHash } from 'node:crypto';
import type { Event, EventOrigin, FieldValue } from './event.js';
import { hostKey } from './host.js';

function scalar(v: FieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Windows identity, when the event carries all three parts. */
function windowsKey(ev: Pick<Event, 'fields' | 'host'>): string | undefined {
  const f = ev.fields;
  const rid = scalar(f.EventRecordID);
  if (rid === undefined || !/^\d+$/.test(rid)) return undefined;
  const channel = scalar(f.Channel);
  const host = ev.host ?? scalar(f.Computer);
  if (channel === undefined || host === undefined) return undefined;
  return `win\u0000${hostKey(host)}\u0000${channel.toLowerCase()}\u0000${rid}`;
}

export function originKey(o: EventOrigin): string {
  if (o.key !== undefined) return `key\u0000${o.key}`;
  if (o.stream !== undefined) return o.offset !== undefined ? `stream\u0000${o.stream}\u0000${o.offset}` : `stream\u0000${o.stream}\u0000#${o.record}`;
  return `file\u0000${o.file}\u0000${o.record}`;
}

/** The identity of the record an event was decoded from (see the module comment). */
export function eventKey(ev: Pick<Event, 'fields' | 'host' | 'origin'>): string {
  if (ev.origin.key !== undefined) return `key\u0000${ev.origin.key}`;
  return windowsKey(ev) ?? originKey(ev.origin);
}

function digest(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\u0000');
  }
  return h.digest('hex').slice(0, 32);
}

/** Id of a rule's detection of one event. */
export function detectionId(ruleId: string, key: string): string {
  return digest(['d', ruleId, key]);
}

/** Id of a correlation's firing: the correlation and the detections it joined. */
export function correlationId(ruleId: string, memberIds: readonly string[]): string {
  return digest(['c', ruleId, ...memberIds]);
}

/** Id of an incident: the detection it opened with. */
export function incidentId(firstDetectionId: string): string {
  return `INC-${digest(['i', firstDetectionId]).slice(0, 16)}`;
}
