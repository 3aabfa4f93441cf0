/**
 * Zeek logs (http.log, conn.log and any other path) in both writer formats: TSV with
 * `#separator/#fields/#types` headers (`-` unset, `(empty)` empty, typed values), and JSON
 * lines (recognized by Zeek's keys). Zeek's own field names are kept (id.orig_h, ...), as
 * SigmaHQ zeek rules use them; logsource is `product: zeek, service: <path>`.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { FieldValue, Fields, LogSource } from '../../event/event.js';
import { bytesToText, excerpt, jsonLineObject, makeEvent, reportLine } from './common.js';
import { fieldOf, setField } from '../field-map.js';

const FORMAT = 'zeek';
/** Logsources by `_path`/`#path`, shared by the events of a path; the names are the log's, so the memo is bounded. */
const sources = new Map<string, LogSource>();
const MAX_SOURCES = 256;

function sourceFor(path: string | undefined): LogSource {
  const key = path ?? '';
  let s = sources.get(key);
  if (!s) {
    s = path ? { product: 'zeek', service: path } : { product: 'zeek' };
    if (sources.size < MAX_SOURCES) sources.set(key, s);
  }
  return s;
}

/** Zeek's `\xHH` escapes (in header values and data) to text. */
function unescapeZeek(v: string): string {
  if (!v.includes('\\x')) return v;
  const parts: string[] = [];
  let bytes: number[] = [];
  let run = 0;
  let i = 0;
  while (i < v.length) {
    if (v.charCodeAt(i) === 92 && v[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 2, i + 4))) {
      if (i > run) {
        if (bytes.length) parts.push(bytesToText(bytes));
        bytes = [];
        parts.push(v.slice(run, i));
      }
      bytes.push(parseInt(v.slice(i + 2, i + 4), 16));
      i += 4;
      run = i;
    } else i++;
  }
  if (bytes.length) parts.push(bytesToText(bytes));
  parts.push(v.slice(run));
  return parts.join('');
}

type Conv = (v: string) => FieldValue;

function scalarConv(type: string): Conv {
  switch (type) {
    case 'count':
    case 'int':
    case 'port':
    case 'double':
    case 'interval':
    case 'time':
      return (v) => {
        const n = Number(v);
        return Number.isFinite(n) ? n : v;
      };
    case 'bool':
      return (v) => (v === 'T' ? true : v === 'F' ? false : v);
    default:
      return unescapeZeek;
  }
}

interface Header {
  sep: string;
  setSep: string;
  empty: string;
  unset: string;
  path?: string;
  fields?: string[];
  convs?: Conv[];
  containers?: boolean[];
}

function isZeekJson(o: Record<string, unknown>): boolean {
  return typeof o._path === 'string' || (Object.hasOwn(o, 'ts') && Object.hasOwn(o, 'uid') && Object.hasOwn(o, 'id.orig_h'));
}

function jsonService(o: Record<string, unknown>): string | undefined {
  const has = (k: string): boolean => Object.hasOwn(o, k);
  if (typeof o._path === 'string') return o._path;
  if (has('method') || has('status_code') || has('uri') || has('user_agent')) return 'http';
  if (has('conn_state') || has('history') || (has('proto') && has('duration'))) return 'conn';
  return undefined;
}

function jsonValue(v: unknown): FieldValue | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => jsonValue(x) ?? null);
  return undefined;
}

class ZeekState implements LineDecoderState {
  private h: Header = { sep: '\t', setSep: ',', empty: '(empty)', unset: '-' };
  private reportedNoFields = false;
  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const c = text.charCodeAt(0);
    if (c === 35 /* # */) this.header(text);
    else if (c === 123 /* { */) this.json(text, lineNo, emit);
    else this.tsv(text, lineNo, emit);
  }

  private header(text: string): void {
    if (text.startsWith('#separator ')) {
      this.h.sep = unescapeZeek(text.slice(11));
      return;
    }
    const parts = text.slice(1).split(this.h.sep);
    const key = parts[0];
    const rest = parts.slice(1);
    switch (key) {
      case 'set_separator':
        this.h.setSep = unescapeZeek(rest[0] ?? ',');
        break;
      case 'empty_field':
        this.h.empty = rest[0] ?? '(empty)';
        break;
      case 'unset_field':
        this.h.unset = rest[0] ?? '-';
        break;
      case 'path':
        this.h.path = rest[0];
        break;
      case 'fields':
        this.h.fields = rest;
        this.h.convs = undefined;
        break;
      case 'types':
        this.h.convs = rest.map((t) => {
          const m = /^(?:set|vector)\[(.+)\]$/.exec(t);
          return scalarConv(m ? m[1]! : t);
        });
        this.h.containers = rest.map((t) => t.startsWith('set[') || t.startsWith('vector['));
        break;
      default:
        break; // #open, #close and comments
    }
  }

  private tsv(text: string, lineNo: number, emit: Emit): void {
    const h = this.h;
    const names = h.fields;
    if (!names) {
      if (!this.reportedNoFields) reportLine(this.ctx, lineNo, 'Zeek TSV record before any #fields header; skipped (further such lines are not reported)');
      this.reportedNoFields = true;
      return;
    }
    const values = text.split(h.sep);
    if (values.length !== names.length) {
      reportLine(this.ctx, lineNo, `Zeek record has ${values.length} values for ${names.length} #fields; skipped: ${excerpt(text)}`);
      return;
    }
    const fields: Fields = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i]!;
      if (v === h.unset) continue;
      const conv = h.convs?.[i] ?? unescapeZeek;
      if (h.containers?.[i]) setField(fields, names[i]!, v === h.empty ? [] : v.split(h.setSep).map(conv));
      else setField(fields, names[i]!, v === h.empty ? '' : conv(v));
    }
    const t = fieldOf(fields, 'ts');
    const ts = typeof t === 'number' ? Math.round(t * 1000) : undefined;
    emit(makeEvent(fields, sourceFor(h.path), FORMAT, this.ctx.file, lineNo, text, ts, undefined));
  }

  private json(text: string, lineNo: number, emit: Emit): void {
    const obj = jsonLineObject(this.ctx, text, lineNo, 'Zeek');
    if (!obj) return;
    const service = jsonService(obj);
    const fields: Fields = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k === '_path' || k === '_write_ts') continue;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        // Nested records (some exporters): flatten to Zeek's dotted names.
        for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
          const fv = jsonValue(v2);
          if (fv !== undefined) setField(fields, `${k}.${k2}`, fv);
        }
        continue;
      }
      const fv = jsonValue(v);
      if (fv !== undefined) setField(fields, k, fv);
    }
    let ts: number | undefined;
    if (typeof obj.ts === 'number') ts = Math.round(obj.ts * 1000);
    else if (typeof obj.ts === 'string') {
      const t = Date.parse(obj.ts);
      if (Number.isFinite(t)) ts = t;
    }
    emit(makeEvent(fields, sourceFor(service), FORMAT, this.ctx.file, lineNo, text, ts, undefined));
  }

  end(): void {
    // One record per line; nothing is buffered.
  }
}

export const zeekDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Zeek logs (http, conn, ...) in TSV or JSON',
  sniff(lines: string[]): number {
    const first = lines.find((l) => l.trim() !== '') ?? '';
    if (first.startsWith('#separator ')) return lines.some((l) => l.startsWith('#fields')) ? 1 : 0.9;
    if (first.startsWith('{')) {
      try {
        const o: unknown = JSON.parse(first);
        if (typeof o === 'object' && o !== null && !Array.isArray(o) && isZeekJson(o as Record<string, unknown>)) return 0.95;
      } catch {
        return 0;
      }
    }
    return 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new ZeekState(ctx);
  },
};
