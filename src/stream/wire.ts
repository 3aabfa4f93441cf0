/**
 * Messages on the event stream. A message carries a batch of decoded events of one partition
 * as JSON Lines (each line one `Event`, origin and all, so a worker's detections have the ids a
 * local `warden hunt` gives). Its de-duplication id is a hash of the batch's event identities:
 * a publish retried after a lost acknowledgement carries the same id and the stream drops it.
 *
 * The header `Warden-Kind` tells what the message is: `events`, or `end` — the shipper's end
 * of input: the partition's open correlation windows are judged and its incidents closed,
 * as at the end of a hunt.
 */
import { createHash } from 'node:crypto';
import type { Problem } from '../errors.js';
import type { Event, EventOrigin } from '../event/event.js';
import { eventKey } from '../event/identity.js';

export const KIND_HEADER = 'Warden-Kind';
/** The id of the collector (`serve --role collector`) that published a message; see marks.ts. */
export const COLLECTOR_HEADER = 'Warden-Collector';
export type MessageKind = 'events' | 'end';

export function encodeEvents(events: readonly Event[]): string {
  let out = '';
  for (const ev of events) out += `${JSON.stringify(ev)}\n`;
  return out;
}

/** The batch's de-duplication id, from the identities of its events. */
export function batchId(events: readonly Event[]): string {
  const h = createHash('sha256');
  for (const ev of events) {
    h.update(eventKey(ev));
    h.update('\n');
  }
  return `e-${h.digest('hex').slice(0, 40)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isOrigin(v: unknown): v is EventOrigin {
  return isObject(v) && typeof v.file === 'string' && typeof v.record === 'number' && typeof v.format === 'string';
}

/** The events of a message body; a line that is not an event is a problem, never a crash. */
export function decodeEvents(body: string, where: string, problems: Problem[]): Event[] {
  const out: Event[] = [];
  let line = 0;
  for (const text of body.split('\n')) {
    line++;
    if (text === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      problems.push({ kind: 'input', file: where, line, message: `not JSON: ${(e as Error).message}; skipped` });
      continue;
    }
    if (!isObject(v) || !isObject(v.fields) || !isObject(v.logsource) || !isOrigin(v.origin)) {
      problems.push({ kind: 'input', file: where, line, message: 'not a Warden event (needs fields, logsource and origin); skipped' });
      continue;
    }
    const ev: Event = { fields: v.fields as Event['fields'], logsource: v.logsource as Event['logsource'], origin: v.origin };
    if (typeof v.host === 'string') ev.host = v.host;
    if (typeof v.timestamp === 'number' && Number.isFinite(v.timestamp)) ev.timestamp = v.timestamp;
    if (typeof v.raw === 'string') ev.raw = v.raw;
    out.push(ev);
  }
  return out;
}
