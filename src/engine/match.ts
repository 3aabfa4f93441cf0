/**
 * Rule matching: one event in, one detection per rule that matches it out. Stateless, so it
 * runs wherever the events are (the main thread, a worker thread, a cluster worker).
 */
import type { Detection, RuleInfo } from '../event/detection.js';
import type { Event } from '../event/event.js';
import { hostKey } from '../event/host.js';
import { detectionId, eventKey } from '../event/identity.js';
import type { RuleSet } from './ruleset.js';

/**
 * The detection of `rule` on `ev`. Text decoders hand out slices of a large read chunk; a
 * detection may be kept a long time (an incident, a grouped table row), and must not pin
 * that chunk, so its raw line — and its fields, unless the source says they are fresh
 * strings — are copied (structuredClone copies string contents).
 */
export function detectionOf(rule: RuleInfo, ev: Event, key: string = eventKey(ev), freshFields = false): Detection {
  const d: Detection = {
    id: detectionId(rule.id, key),
    kind: 'rule',
    rule,
    origin: ev.origin,
    logsource: ev.logsource,
    event: freshFields ? ev.fields : structuredClone(ev.fields),
  };
  if (ev.timestamp !== undefined && Number.isFinite(ev.timestamp)) d.timestamp = ev.timestamp;
  if (ev.host !== undefined) {
    d.host = ev.host;
    d.hostKey = hostKey(ev.host);
  }
  if (ev.raw !== undefined) d.raw = structuredClone(ev.raw);
  return d;
}

/** Appends the detections of `ev` to `out`; returns how many. See detectionOf for `freshFields`. */
export function matchEvents(ruleSet: RuleSet, ev: Event, out: Detection[], freshFields = false): number {
  const hits = ruleSet.match(ev);
  if (hits.length === 0) return 0;
  const key = eventKey(ev);
  for (let i = 0; i < hits.length; i++) out.push(detectionOf(hits[i]!.info, ev, key, freshFields));
  return hits.length;
}
