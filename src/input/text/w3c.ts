/**
 * W3C extended log format as IIS writes it: `#Software/#Version/#Date/#Fields` directives
 * (which may change mid-file), space-separated values, `-` for empty, `+` for spaces in
 * header fields, times in UTC. Yields Sigma `category: webserver` events.
 *
 * Each `#Fields` text becomes a layout (column names, conversions, where date, time and host
 * are) once; layouts are kept per file in a small LRU, so IIS restarts and log rolls that
 * repeat a layout cost a lookup, and a file whose `#Fields` change at every record stays
 * linear in time and bounded in memory. Records become field objects through the shared
 * shape cache (field-shapes.ts).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { FieldValue, Fields, LogSource } from '../../event/event.js';
import { civilMs, detached, digits, excerpt, makeEvent, reportLine, share } from './common.js';
import { type Build, buildFields, buildSlow, mixShape, nameId, shapeBuild } from './field-shapes.js';

const FORMAT = 'w3c';
const LOGSOURCE: LogSource = { category: 'webserver' };

/** W3C header-field names to the Sigma webserver taxonomy names (a Map: the names are the log's, `constructor` included). */
const RENAME = new Map<string, string>([
  ['cs(user-agent)', 'cs-user-agent'],
  ['cs(referer)', 'cs-referer'],
  ['cs(referrer)', 'cs-referer'],
  ['cs(cookie)', 'cs-cookie'],
  ['cs(host)', 'cs-host'],
]);

const NUMERIC = new Set(['sc-status', 'sc-substatus', 'sc-win32-status', 'sc-bytes', 'cs-bytes', 'time-taken', 's-port', 'c-port']);
/** Header fields where IIS writes `+` for a space. */
const PLUS_SPACES = new Set(['cs-user-agent', 'cs-referer', 'cs-cookie']);

/** Distinct header values whose conversion is kept per file (see spaced). */
const MAX_PLUS_CACHE = 512;
/** Longer header values are not kept (they are rarely repeated, and the cache stays small). */
const MAX_PLUS_CACHED_LENGTH = 1024;

/** Layouts remembered per file (most recently used kept). */
const MAX_LAYOUTS = 64;
/** Layouts up to this many columns name a record's present columns by a bit mask. */
const MASK_COLUMNS = 30;
/** Compiled builders a layout keeps by mask (records leave out different `-` columns). */
const MAX_MASKS = 32;

interface Column {
  name: string;
  /** Shape id of the name (see buildFields). */
  id: number;
  numeric: boolean;
  plus: boolean;
}

interface Layout {
  columns: Column[];
  dateIndex: number;
  timeIndex: number;
  hostIndex: number;
  /** Field builders by the mask of present columns (layouts of at most MASK_COLUMNS columns). */
  builds: Map<number, Build>;
}

function layoutOf(spec: string): Layout | undefined {
  const columns: Column[] = [];
  for (const raw of spec.split(/\s+/)) {
    if (raw === '') continue;
    const lower = raw.toLowerCase();
    const c0 = lower.charCodeAt(0);
    // Other cs(...)/sc(...)/s(...)/c(...) header fields keep their spelling.
    const header = (c0 === 99 || c0 === 115) && (lower.startsWith('cs(') || lower.startsWith('sc(') || lower.startsWith('s(') || lower.startsWith('c('));
    const name = RENAME.get(lower) ?? (header ? raw : lower);
    columns.push({ name, id: nameId(name), numeric: NUMERIC.has(name), plus: PLUS_SPACES.has(name) });
  }
  if (columns.length === 0) return undefined;
  const at = (n: string): number => columns.findIndex((c) => c.name === n);
  return { columns, dateIndex: at('date'), timeIndex: at('time'), hostIndex: at('s-computername'), builds: new Map() };
}

/** A value of a numeric column, text[start, end): plain digits by hand, anything else as Number() reads it; text when not a finite number. */
function numeric(text: string, start: number, end: number): FieldValue {
  const len = end - start;
  if (len > 0 && len <= 15) {
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      n = n * 10 + c;
    }
    if (i === end) return n;
  }
  const value = text.slice(start, end);
  const num = Number(value);
  return value !== '' && Number.isFinite(num) ? num : value;
}

/** The last `YYYY-MM-DD` and its midnight: every record of a day shares them. */
let memoDate = '';
let memoDayMs = 0;

/** "YYYY-MM-DD" and "hh:mm:ss[.fff]" to epoch ms. */
function stamp(date: string, time: string): number | undefined {
  if (time.length < 8 || time.charCodeAt(2) !== 58) return undefined;
  let day: number;
  if (date === memoDate) day = memoDayMs;
  else {
    // As IIS dates always have them, only the first '-' is checked (the digits are, by civilMs).
    if (date.length !== 10 || date.charCodeAt(4) !== 45) return undefined;
    const d = civilMs(digits(date, 0, 4), digits(date, 5, 2) - 1, digits(date, 8, 2), 0, 0, 0);
    if (d === undefined) return undefined;
    memoDate = date;
    memoDayMs = day = d;
  }
  const h = digits(time, 0, 2);
  const mi = digits(time, 3, 2);
  const s = digits(time, 6, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  let ms = 0;
  // Unreadable fractions give NaN: the record is kept, without a time (makeEvent drops it).
  if (time.length > 9 && time.charCodeAt(8) === 46) ms = Math.floor(Number('0' + time.slice(8)) * 1000);
  return day + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

class W3cState implements LineDecoderState {
  private layout: Layout | undefined;
  /** Layouts by their `#Fields` text, least recently used first. */
  private readonly layouts = new Map<string, Layout>();
  /** Date of the `#Date:` directive, for files whose records carry only a time. */
  private directiveDate: string | undefined;
  private missingFieldsReported = false;
  /** The present columns of the record being read (reused). */
  private readonly keys: string[] = [];
  private readonly vals: FieldValue[] = [];
  /** Header values with `+` for spaces, by raw text (see spaced). */
  private readonly plusCache = new Map<string, string>();

  constructor(private readonly ctx: DecodeContext) {}

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    if (text.charCodeAt(0) === 35 /* # */) {
      this.directive(text, lineNo);
      return;
    }
    const layout = this.layout;
    if (!layout) {
      if (!this.missingFieldsReported) reportLine(this.ctx, lineNo, 'W3C record before any #Fields directive; skipped (further such lines are not reported)');
      this.missingFieldsReported = true;
      return;
    }
    const cols = layout.columns;
    const keys = this.keys;
    const vals = this.vals;
    // Narrow layouts note the present columns in a mask and look their builder up by it; wide ones list the keys.
    const masked = cols.length <= MASK_COLUMNS;
    let mask = 0;
    let n = 0;
    let hash = 0;
    let start = 0;
    let col = 0;
    let date: string | undefined;
    let time: string | undefined;
    let host: string | undefined;
    const len = text.length;
    while (start <= len) {
      let end = text.indexOf(' ', start);
      if (end < 0) end = len;
      if (col >= cols.length) {
        reportLine(this.ctx, lineNo, `W3C record has more values than the ${cols.length} #Fields; skipped: ${excerpt(text)}`);
        return;
      }
      const c = cols[col]!;
      if (col === layout.dateIndex || col === layout.timeIndex) {
        const value = text.slice(start, end);
        if (col === layout.dateIndex) date = value;
        else time = value;
        if (value !== '-') {
          if (masked) mask |= 1 << col;
          else {
            keys[n] = c.name;
            hash = mixShape(hash, c.id);
          }
          vals[n++] = value;
        }
      } else if (end - start !== 1 || text.charCodeAt(start) !== 45 /* - */) {
        // Values are sliced only when kept; numbers are read in place.
        let v: FieldValue;
        if (c.numeric) v = numeric(text, start, end);
        else {
          const value = text.slice(start, end);
          v = c.plus ? this.spaced(value) : value;
          if (col === layout.hostIndex) host = value;
        }
        if (masked) mask |= 1 << col;
        else {
          keys[n] = c.name;
          hash = mixShape(hash, c.id);
        }
        vals[n++] = v;
      }
      col++;
      start = end + 1;
    }
    if (col !== cols.length) {
      reportLine(this.ctx, lineNo, `W3C record has ${col} values for ${cols.length} #Fields; skipped: ${excerpt(text)}`);
      return;
    }
    let ts: number | undefined;
    if (time !== undefined) {
      const d = date ?? this.directiveDate;
      if (d !== undefined) {
        ts = stamp(d, time);
        if (ts === undefined) {
          reportLine(this.ctx, lineNo, `W3C record has a bad date/time ${excerpt(d + ' ' + time)}; skipped`);
          return;
        }
      }
    }
    const fields = masked ? this.build(layout, mask, n) : buildFields(keys, vals, n, 0, hash);
    emit(makeEvent(fields, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, ts, host));
  }

  /**
   * A header value with IIS's `+` for a space undone. User agents and referers repeat from
   * record to record: the converted text is kept per raw text (bounded), so a repeated one
   * costs a lookup instead of a scan and a new string.
   */
  private spaced(value: string): string {
    if (value.length > MAX_PLUS_CACHED_LENGTH) return value.includes('+') ? value.replaceAll('+', ' ') : value;
    const known = this.plusCache.get(value);
    if (known !== undefined) return known;
    const v = value.includes('+') ? value.replaceAll('+', ' ') : value;
    if (this.plusCache.size >= MAX_PLUS_CACHE) this.plusCache.clear();
    // (A detached key: the raw value is a slice of its line, which would keep the line's read chunk.)
    const key = detached(value);
    this.plusCache.set(key, v === value ? key : v);
    return v === value ? key : v;
  }

  /** The fields of a narrow layout's record whose present columns are `mask` and whose values are in this.vals. */
  private build(layout: Layout, mask: number, n: number): Fields {
    const vals = this.vals;
    const known = layout.builds.get(mask);
    if (known !== undefined) return known(vals);
    const keys = this.keys;
    let hash = 0;
    let k = 0;
    const cols = layout.columns;
    for (let col = 0; col < cols.length; col++) {
      if ((mask & (1 << col)) === 0) continue;
      keys[k++] = cols[col]!.name;
      hash = mixShape(hash, cols[col]!.id);
    }
    const build = shapeBuild(keys, n, 0, hash);
    if (build === undefined) return buildSlow(keys, vals, n, 0);
    if (layout.builds.size < MAX_MASKS) layout.builds.set(mask, build);
    return build(vals);
  }

  private directive(text: string, lineNo: number): void {
    const colon = text.indexOf(':');
    if (colon < 0) return; // comment line
    const name = text.slice(1, colon).trim().toLowerCase();
    const value = text.slice(colon + 1).trim();
    if (name === 'fields') {
      const layout = this.layoutFor(value);
      if (!layout) {
        reportLine(this.ctx, lineNo, 'empty #Fields directive');
        return;
      }
      this.layout = layout;
    } else if (name === 'date') {
      this.directiveDate = value.slice(0, 10);
    }
  }

  private layoutFor(spec: string): Layout | undefined {
    const layouts = this.layouts;
    let layout = layouts.get(spec);
    if (layout !== undefined) {
      // Most recently used last, so the first entry is the one to drop.
      layouts.delete(spec);
      layouts.set(spec, layout);
      return layout;
    }
    layout = layoutOf(spec);
    if (layout === undefined) return undefined;
    if (layouts.size >= MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
    layouts.set(spec, layout);
    return layout;
  }

  end(): void {
    // Records are complete on their own line; nothing is buffered.
  }
}

export const w3cDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'W3C extended log (IIS): #Fields directives, webserver category',
  sniff(lines: string[]): number {
    let fields = false;
    let software = false;
    for (const l of lines) {
      if (/^#Software: Microsoft Internet Information Services/i.test(l)) software = true;
      if (/^#Fields:\s*\S/.test(l)) fields = true;
    }
    if (fields && software) return 1;
    if (fields) return 0.95;
    if (software || share(lines, (l) => /^#(Version|Date|Software|Remark):/.test(l)) > 0.5) return 0.8;
    return 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new W3cState(ctx);
  },
};
