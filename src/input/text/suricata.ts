/**
 * Suricata EVE JSON (eve.json): one JSON object per line with `timestamp`, `event_type`,
 * `src_ip`, ... Nested objects are flattened to Suricata's dotted names (`alert.signature`,
 * `http.url`, `tls.sni`), as Sigma rules and Suricata's own docs name them. Alerts are
 * `product: suricata, category: ids`; other records `service: <event_type>` (`http`, `dns`,
 * `tls`, `fileinfo`, `flow`, ...).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { FieldValue, Fields, LogSource } from '../../event/event.js';
import { excerpt, isoStamp, jsonLineObject, makeEvent, reportLine, UTC_ZONE } from './common.js';
import { setField } from '../field-map.js';

const FORMAT = 'suricata';
const IDS: LogSource = { product: 'suricata', category: 'ids' };
const MAX_DEPTH = 8;
const sources = new Map<string, LogSource>();

function sourceFor(eventType: string): LogSource {
  if (eventType === 'alert') return IDS;
  let s = sources.get(eventType);
  if (!s) {
    s = { product: 'suricata', service: eventType };
    if (sources.size < 256) sources.set(eventType, s);
  }
  return s;
}

function scalar(v: unknown): FieldValue | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

/**
 * Flattens `obj` under `prefix`. Arrays of scalars stay lists; arrays of objects (HTTP
 * header lists, DNS answers) become one list per member name (`http.request_headers.name`).
 */
function flatten(obj: Record<string, unknown>, prefix: string, f: Fields, depth: number): void {
  for (const k in obj) {
    const v = obj[k];
    const name = prefix === '' ? k : `${prefix}.${k}`;
    const s = scalar(v);
    if (s !== undefined) {
      setField(f, name, s);
    } else if (Array.isArray(v)) {
      const list: FieldValue[] = [];
      const members = new Map<string, FieldValue[]>();
      for (const item of v) {
        const x = scalar(item);
        if (x !== undefined) list.push(x);
        else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          for (const [mk, mv] of Object.entries(item as Record<string, unknown>)) {
            const y = scalar(mv);
            if (y === undefined) continue;
            let l = members.get(mk);
            if (!l) members.set(mk, (l = []));
            l.push(y);
          }
        }
      }
      if (list.length > 0 || members.size === 0) setField(f, name, list);
      for (const [mk, l] of members) setField(f, `${name}.${mk}`, l);
    } else if (v !== undefined && typeof v === 'object' && depth < MAX_DEPTH) {
      flatten(v as Record<string, unknown>, name, f, depth + 1);
    }
  }
}

function isEve(o: unknown): o is Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const r = o as Record<string, unknown>;
  return typeof r.event_type === 'string' && typeof r.timestamp === 'string' && ('src_ip' in r || r.event_type === 'stats');
}

class SuricataState implements LineDecoderState {
  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.trim() === '') return;
    const r = jsonLineObject(this.ctx, text, lineNo, 'EVE');
    if (!r) return;
    if (typeof r.event_type !== 'string') {
      reportLine(this.ctx, lineNo, `not an EVE record (no event_type); skipped: ${excerpt(text)}`);
      return;
    }
    const fields: Fields = {};
    flatten(r, '', fields, 0);
    let ts: number | undefined;
    if (typeof r.timestamp === 'string') ts = isoStamp(r.timestamp, 0, UTC_ZONE)?.ms;
    const host = typeof r.host === 'string' ? r.host : undefined;
    emit(makeEvent(fields, sourceFor(r.event_type as string), FORMAT, this.ctx.file, lineNo, text, ts, host));
  }

  end(): void {
    // One record per line; nothing is buffered.
  }
}

export const suricataDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Suricata EVE JSON (alert, http, dns, tls, fileinfo, flow, ...)',
  sniff(lines: string[]): number {
    let n = 0;
    let ok = 0;
    for (const l of lines) {
      if (l.trim() === '') continue;
      n++;
      if (l.charCodeAt(0) !== 123) continue;
      try {
        if (isEve(JSON.parse(l))) ok++;
      } catch {
        // a cut-off line among good ones is judged by the share below
      }
    }
    return n > 0 && ok / n >= 0.5 ? 0.95 * (ok / n) : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new SuricataState(ctx);
  },
};
