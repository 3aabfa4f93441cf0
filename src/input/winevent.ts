/**
 * Windows event records → normalized events.
 *
 * Two layouts arrive here:
 *  - the EVTX-JSON layout that `evtx_dump` prints and Warden's own EVTX reader renders:
 *    `{Event: {System: {...}, EventData: {...} | UserData: {...}}}`, XML attributes
 *    under `#attributes`, element text under `#text`;
 *  - flat records from SIEM exports and Winlogbeat (`winlog.event_data.*`, `winlog.channel`, ...).
 *
 * Both become the same flat field map, named the way Sigma rules address them
 * (Hayabusa/Chainsaw conventions): System leaves by name (`EventID`, `Channel`,
 * `Computer`), attributes as `Element_Attribute` (`Provider_Name`,
 * `TimeCreated_SystemTime`, `Execution_ProcessID`, `Security_UserID`), EventData items by
 * their `Name`, unnamed `<Data>` items as `Data`, UserData leaves by name.
 */
import type { Event, EventOrigin, FieldValue, Fields } from '../event/event.js';
import { fieldOf, hasField } from './field-map.js';
import { FieldsBuilder, KeySequences } from './field-builder.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const ATTRS = '#attributes';
const TEXT = '#text';

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A leaf value as rules see it: objects with `#text` collapse to their text. */
function leafValue(v: Json): FieldValue | undefined {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out: FieldValue[] = [];
    for (const item of v) {
      const x = leafValue(item);
      if (x !== undefined) out.push(x);
    }
    return out;
  }
  if (Object.hasOwn(v, TEXT)) return leafValue(v[TEXT] as Json);
  return undefined;
}

/**
 * Records are flattened into one builder (winEventToEvent is synchronous and never re-entered):
 * the key sequences of a log's few layouts are learned once (field-builder.ts). The record's
 * keys are the log author's: inherited names and `__proto__` stay ordinary fields.
 */
const builder = new FieldsBuilder(new KeySequences());

/** `Element_Attribute` names, built once per pair instead of once per event (bounded). */
const attrNames = new Map<string, Map<string, string>>();
let attrNameCount = 0;

function attrName(element: string, attr: string): string {
  let byAttr = attrNames.get(element);
  if (byAttr === undefined) {
    if (attrNameCount >= 10_000) {
      attrNames.clear();
      attrNameCount = 0;
    }
    byAttr = new Map();
    attrNames.set(element, byAttr);
  }
  let name = byAttr.get(attr);
  if (name === undefined) {
    name = `${element}_${attr}`;
    if (attrNameCount < 10_000) {
      byAttr.set(attr, name);
      attrNameCount++;
    }
  }
  return name;
}

/** System: leaves by name, attributes as `Element_Attribute`. */
function flattenSystem(system: JsonObject): void {
  for (const key in system) {
    const v = system[key];
    if (v === null || v === undefined) continue;
    if (!isObject(v)) {
      builder.set(key, v as FieldValue);
      continue;
    }
    const attrs = v[ATTRS];
    if (isObject(attrs)) {
      for (const a in attrs) {
        const av = attrs[a]!;
        if (av !== null && typeof av !== 'object') builder.set(attrName(key, a), av);
      }
    }
    if (Object.hasOwn(v, TEXT)) {
      const t = leafValue(v[TEXT] as Json);
      if (t !== undefined) builder.set(key, t);
    }
  }
}

/**
 * Nested sections (EventData, UserData, RenderingInfo children): leaves by their own
 * name; the first occurrence of a name wins so System fields are never overwritten.
 */
function flattenSection(section: Json, depth: number): void {
  if (!isObject(section) || depth > 16) return;
  for (const key in section) {
    if (key === ATTRS) {
      const attrs = section[ATTRS];
      if (isObject(attrs)) {
        for (const a in attrs) {
          if (a === 'xmlns' || a.startsWith('xmlns:')) continue;
          const av = attrs[a];
          if (av !== null && typeof av !== 'object') builder.setIfAbsent(a, av);
        }
      }
      continue;
    }
    const v = section[key];
    if (key === TEXT) continue;
    if (v === null || typeof v !== 'object') {
      builder.setIfAbsent(key, v);
    } else if (Array.isArray(v)) {
      const lv = leafValue(v);
      builder.setIfAbsent(key, lv);
    } else if (Object.hasOwn(v, TEXT)) {
      builder.setIfAbsent(key, leafValue(v[TEXT] as Json));
    } else {
      flattenSection(v, depth + 1);
    }
  }
}

function parseTime(value: FieldValue | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(value) ? value : value.replace(' ', 'T') + 'Z');
  return Number.isNaN(t) ? undefined : t;
}

function numericEventId(fields: Fields): void {
  const id = fieldOf(fields, 'EventID');
  if (typeof id === 'string' && /^\d+$/.test(id)) fields.EventID = Number(id);
}

/**
 * The fields come out of the builder as an object laid out like a literal: an object filled by
 * computed keys turns into a hash table after a dozen or so properties (V8), and every rule
 * lookup and keyword scan would then pay for it.
 */
function fromEvtxLayout(event: JsonObject): Fields {
  builder.begin();
  if (isObject(event.System)) flattenSystem(event.System);
  const data = event.EventData;
  if (isObject(data)) flattenSection(data, 0);
  else if (typeof data === 'string' && data !== '') builder.setIfAbsent('Data', data);
  if (event.UserData !== undefined) flattenSection(event.UserData, 0);
  const rendering = event.RenderingInfo;
  if (isObject(rendering)) {
    const msg = leafValue(rendering.Message ?? null);
    if (typeof msg === 'string') builder.setIfAbsent('Message', msg);
  }
  if (event.ProcessingErrorData !== undefined) flattenSection(event.ProcessingErrorData, 0);
  const out = builder.finish();
  numericEventId(out);
  return out;
}

/** Winlogbeat names of the System members. */
const WINLOG_SYSTEM: Record<string, string> = {
  channel: 'Channel',
  event_id: 'EventID',
  computer_name: 'Computer',
  provider_name: 'Provider_Name',
  provider_guid: 'Provider_Guid',
  record_id: 'EventRecordID',
  task: 'Task',
  opcode: 'Opcode',
  version: 'Version',
  keywords: 'Keywords',
};

function flattenDotted(obj: JsonObject, prefix: string, depth: number): void {
  for (const key in obj) {
    const v = obj[key]!;
    const name = prefix ? `${prefix}.${key}` : key;
    if (isObject(v) && depth < 16) flattenDotted(v, name, depth + 1);
    else builder.setIfAbsent(name, leafValue(v));
  }
}

function fromFlatLayout(obj: JsonObject): Fields {
  builder.begin();
  const wl = obj.winlog;
  if (isObject(wl)) {
    for (const k in WINLOG_SYSTEM) {
      const v = wl[k];
      if (v !== undefined && v !== null && typeof v !== 'object') builder.set(WINLOG_SYSTEM[k]!, v);
    }
    const process = wl.process;
    if (isObject(process)) {
      const pid = process.pid;
      if (typeof pid === 'number') builder.set('Execution_ProcessID', pid);
    }
    if (isObject(wl.event_data)) flattenSection(wl.event_data, 0);
    if (isObject(wl.user_data)) flattenSection(wl.user_data, 0);
    if (typeof obj.message === 'string') builder.setIfAbsent('Message', obj.message);
    // Keep the remaining ECS members addressable by their dotted names.
    flattenDotted(obj, '', 0);
  } else {
    for (const key in obj) {
      const v = obj[key]!;
      if (isObject(v)) flattenDotted(v, key, 1);
      else builder.setIfAbsent(key, leafValue(v));
    }
  }
  const out = builder.finish();
  numericEventId(out);
  return out;
}

/**
 * Turn one Windows event record (either layout) into an Event. Non-Windows JSON objects
 * also pass through here (flattened with dotted names) with an empty logsource.
 */
export function winEventToEvent(record: unknown, origin: EventOrigin): Event {
  let fields: Fields;
  if (isObject(record) && isObject(record.Event) && isObject(record.Event.System)) {
    fields = fromEvtxLayout(record.Event);
  } else if (isObject(record) && isObject(record.System)) {
    fields = fromEvtxLayout(record);
  } else if (isObject(record)) {
    fields = fromFlatLayout(record);
  } else {
    fields = { Data: leafValue(record as Json) ?? null };
  }
  const windows = hasField(fields, 'Channel') || hasField(fields, 'EventID') || hasField(fields, 'Provider_Name');
  const host = fieldOf(fields, 'Computer');
  const ts =
    parseTime(fieldOf(fields, 'TimeCreated_SystemTime')) ??
    parseTime(fieldOf(fields, '@timestamp')) ??
    parseTime(fieldOf(fields, 'TimeCreated')) ??
    parseTime(fieldOf(fields, 'timestamp')) ??
    // Sysmon's own event time (UTC, "2026-01-01 10:00:00.123"), for flat exports that carry
    // no System time: without it such events are untimed and never join a window or incident.
    parseTime(fieldOf(fields, 'UtcTime'));
  const event: Event = {
    fields,
    logsource: windows ? { product: 'windows' } : {},
    origin,
  };
  if (typeof host === 'string') event.host = host;
  else {
    const name = fieldOf(fields, 'host.name');
    if (typeof name === 'string') event.host = name;
  }
  if (ts !== undefined) event.timestamp = ts;
  return event;
}
