/**
 * What a W3C `#Fields` directive says: the columns of the records after it (their event field
 * names and conversions) and where the date, time and host are. Also the conversions of one
 * value: numbers, and the record's time.
 */
import type { FieldValue } from '../../event/event.js';
import type { Build } from './field-shapes.js';
import { nameId } from './field-shapes.js';
import { civilMs, detached, digits } from './common.js';

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

/** Layouts up to this many columns name a record's present columns by a bit mask. */
export const MASK_COLUMNS = 30;

export interface Column {
  name: string;
  /** Shape id of the name (see buildFields). */
  id: number;
  numeric: boolean;
  plus: boolean;
}

export interface Layout {
  /** The `#Fields` text (a copy: the line it was read from is a slice of a large read chunk). */
  spec: string;
  columns: Column[];
  dateIndex: number;
  timeIndex: number;
  hostIndex: number;
  /** Field builders by the mask of present columns (layouts of at most MASK_COLUMNS columns). */
  builds: Map<number, Build>;
}

export function layoutOf(spec: string): Layout | undefined {
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
  return { spec: detached(spec), columns, dateIndex: at('date'), timeIndex: at('time'), hostIndex: at('s-computername'), builds: new Map() };
}

/** A value of a numeric column, text[start, end): plain digits by hand, anything else as Number() reads it; text when not a finite number. */
export function numeric(text: string, start: number, end: number): FieldValue {
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
export function stamp(date: string, time: string): number | undefined {
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
