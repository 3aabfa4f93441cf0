/**
 * An `Event` whose field map is built on its first read. A text decoder checks a line (its
 * shape, time and host: what decides whether there is an event and what the event's
 * header says) and leaves turning it into fields until someone asks: an event no rule looks
 * at (no rule for its logsource) is never split into values.
 *
 * The instance reads like a plain event — `fields` is an accessor on the prototype, the other
 * members are own data properties, the decoder's state is in private fields — and
 * `JSON.stringify` gives the same text as for a plain event (toJSON). What does differ:
 * `structuredClone`, `postMessage`, object spread and `Object.keys` see no `fields`; code
 * that copies whole events for another thread or a store takes `plainEvent(ev)` first.
 */
import type { Event, EventOrigin, Fields, LogSource } from './event.js';

/**
 * The built field map's slot. A symbol-keyed property, not a `#private` field: a private field
 * with an initializer costs each event an initializer call (~14 ns per construction measured,
 * a twentieth of the access decoder's budget per line); symbol keys are as hidden from
 * `Object.keys`, `for…in` and JSON.
 */
const FIELDS: unique symbol = Symbol('fields');

export abstract class LazyEvent implements Event {
  // Own data properties, in the order a plain text event has them (after `fields`): declared
  // and assigned in the constructor, as class field definitions cost more per event.
  declare logsource: LogSource;
  declare origin: EventOrigin;
  declare raw: string;
  declare host?: string;
  declare timestamp?: number;
  declare [FIELDS]: Fields | undefined;

  /** `host` is kept when not empty, `timestamp` when finite (as for plain text events). */
  constructor(logsource: LogSource, origin: EventOrigin, raw: string, timestamp: number | undefined, host: string | undefined) {
    this.logsource = logsource;
    this.origin = origin;
    this.raw = raw;
    if (host !== undefined && host !== '') this.host = host;
    if (timestamp !== undefined && Number.isFinite(timestamp)) this.timestamp = timestamp;
    this[FIELDS] = undefined;
  }

  get fields(): Fields {
    let f = this[FIELDS];
    if (f === undefined) this[FIELDS] = f = this.buildFields();
    return f;
  }

  set fields(value: Fields) {
    this[FIELDS] = value;
  }

  /** The field map, from what the decoder kept of the line. Called at most once per event. */
  protected abstract buildFields(): Fields;

  /** The plain event: what JSON.stringify writes, the same text as for an eagerly built event. */
  toJSON(): Event {
    return plainEvent(this);
  }
}

/** `ev` as a plain object (fields built), for structuredClone, postMessage or spreading. */
export function plainEvent(ev: Event): Event {
  if (!(ev instanceof LazyEvent)) return ev;
  const out: Event = { fields: ev.fields, logsource: ev.logsource, origin: ev.origin, raw: ev.raw };
  if (ev.host !== undefined) out.host = ev.host;
  if (ev.timestamp !== undefined) out.timestamp = ev.timestamp;
  return out;
}
