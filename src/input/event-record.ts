/**
 * The JSON shape of one normalized event, as `warden events` prints it and as the
 * `warden-events` decoder reads it back: hunting over `warden events` output gives the same
 * detections (same ids) as hunting over the original logs.
 */
import type { Event, EventOrigin, Fields, LogSource } from '../event/event.js';

export interface ResolvedLogSourceView {
  product?: string;
  services: readonly string[];
  categories: readonly string[];
}

export interface EventRecord {
  timestamp: string | null;
  host: string | null;
  /** The logsource as the decoder set it. */
  logsource: LogSource;
  /** Every service and category a rule's logsource can name that this event counts as. */
  resolved?: ResolvedLogSourceView;
  source: EventOrigin;
  fields: Fields;
  raw?: string;
}

export function eventRecord(ev: Event, resolved: ResolvedLogSourceView | undefined, withRaw: boolean): EventRecord {
  let timestamp: string | null = null;
  if (ev.timestamp !== undefined && Number.isFinite(ev.timestamp)) {
    const d = new Date(ev.timestamp);
    if (!Number.isNaN(d.getTime())) timestamp = d.toISOString();
  }
  let view: ResolvedLogSourceView | undefined;
  if (resolved) {
    view = { services: resolved.services, categories: resolved.categories };
    if (resolved.product !== undefined) view = { product: resolved.product, ...view };
  }
  return {
    timestamp,
    host: ev.host ?? null,
    logsource: ev.logsource,
    ...(view ? { resolved: view } : {}),
    source: ev.origin,
    fields: ev.fields,
    ...(withRaw && ev.raw !== undefined ? { raw: ev.raw } : {}),
  };
}
