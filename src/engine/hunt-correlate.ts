/**
 * Runs the correlation rules of a hunt over its base detections. A hunt has all its
 * matches before it correlates, so matches are fed in event-time order with unlimited
 * out-of-order tolerance: correlations see exactly the order of the events' own clocks.
 */
import type { Event } from '../event/event.js';
import { hostKey } from '../event/host.js';
import type { ProblemSink } from '../errors.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import type { Detection } from '../event/detection.js';
import { CorrelationEngine } from './correlate.js';

function asEvent(d: Detection): Event {
  // Every event carries `host` for group-by, whatever its format calls the machine.
  const fields = d.host !== undefined && d.event.host === undefined ? { ...d.event, host: hostKey(d.host) } : d.event;
  const ev: Event = {
    fields,
    logsource: d.logsource ?? {},
    origin: { file: d.source.file, record: d.source.record, format: d.source.format ?? '' },
  };
  if (d.timestamp) ev.timestamp = Date.parse(d.timestamp);
  if (d.host !== undefined) ev.host = d.host;
  if (d.raw !== undefined) ev.raw = d.raw;
  return ev;
}

/** Base detections (sorted by time) in; base detections still to show + correlation detections out. */
export function correlate(base: Detection[], correlations: ResolvedCorrelation[], problems: ProblemSink): Detection[] {
  if (correlations.length === 0) return base;
  const engine = new CorrelationEngine(correlations, { outOfOrderToleranceMs: Infinity, problems });
  const out: Detection[] = [];
  for (const d of base) {
    if (engine.referencedRuleIds.has(d.rule.id)) out.push(...engine.push(d.rule.id, asEvent(d)));
  }
  out.push(...engine.flush());
  for (const d of base) if (!engine.suppressedRuleIds.has(d.rule.id)) out.push(d);
  return out;
}
