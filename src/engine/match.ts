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
 * that chunk, so its fields and raw line are copied (structuredClone copies string contents).
 */
export function detectionOf(rule: RuleInfo, ev: Event, key: string = eventKey(ev)): Detection {
  const own = structuredClone({ fields: ev.fields, raw: ev.raw, origin: ev.origin, logsource: ev.logsource });
  const d: Detection = {
    id: detectionId(rule.id, key),
    kind: 'rule',
    rule,
    origin: own.origin,
    logsource: own.logsource,
    event: own.fields,
  };
  if (ev.timestamp !== undefined && Number.isFinite(ev.timestamp)) d.timestamp = ev.timestamp;
  if (ev.host !== undefined) {
    d.host = ev.host;
    d.hostKey = hostKey(ev.host);
  }
  if (own.raw !== undefined) d.raw = own.raw;
  return d;
}

/** Appends the detections of `ev` to `out`; returns how many. */
export function matchEvents(ruleSet: RuleSet, ev: Event, out: Detection[]): number {
  const hits = ruleSet.match(ev);
  if (hits.length === 0) return 0;
  const key = eventKey(ev);
  for (let i = 0; i < hits.length; i++) out.push(detectionOf(hits[i]!.info, ev, key));
  return hits.length;
}
