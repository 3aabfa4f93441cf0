/**
 * Small shared pieces of the text-log decoders: time arithmetic without Date parsing,
 * digit scanning, options the reader may pass along, and problem reporting with file:line.
 */
import type { DecodeContext } from '../decoder.js';
import type { Event, Fields, LogSource } from '../../event/event.js';

/**
 * Options some formats need that the generic DecodeContext does not carry yet. The reader
 * may set them on the context object it passes to `open`; both are optional.
 * - timezone: zone of formats that log local time without an offset (TeamCity, Jenkins,
 *   MSSQL ERRORLOG, BSD syslog): "UTC", "+02:00", "-0530" or an IANA name. Default UTC.
 * - now: epoch ms used to infer the missing year of BSD syslog stamps. Default Date.now().
 */
export interface TextDecodeOptions {
  timezone?: string;
  now?: number;
}

export function textOptions(ctx: DecodeContext): TextDecodeOptions {
  // The context may be a wider object built by the reader; read the two optional members structurally.
  const c = ctx as DecodeContext & TextDecodeOptions;
  return { timezone: typeof c.timezone === 'string' ? c.timezone : undefined, now: typeof c.now === 'number' ? c.now : undefined };
}

export function reportLine(ctx: DecodeContext, lineNo: number, message: string): void {
  ctx.problems.report({ kind: 'input', file: ctx.file, line: lineNo, message });
}

/** A short, printable excerpt of a bad line for a problem message. */
export function excerpt(text: string, max = 60): string {
  const cut = text.length > max ? text.slice(0, max) + '…' : text;
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
}

export function makeEvent(
  fields: Fields,
  logsource: LogSource,
  format: string,
  file: string,
  record: number,
  raw: string,
  timestamp: number | undefined,
  host: string | undefined,
): Event {
  const ev: Event = { fields, logsource, origin: { file, record, format }, raw };
  if (host !== undefined && host !== '') ev.host = host;
  if (timestamp !== undefined && Number.isFinite(timestamp)) ev.timestamp = timestamp;
  return ev;
}

/** Value of `n` ASCII digits at `pos`, or -1 when any of them is not a digit. */
export function digits(s: string, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(pos + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Fraction digits at `pos` (any count) as milliseconds, and where they end. */
export function fractionMs(s: string, pos: number): { ms: number; end: number } {
  let end = pos;
  let ms = 0;
  let scale = 100;
  while (end < s.length) {
    const c = s.charCodeAt(end) - 48;
    if (c < 0 || c > 9) break;
    if (scale >= 1) ms += c * scale;
    scale /= 10;
    end++;
  }
  return { ms: Math.floor(ms), end };
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** Month index for a three-letter English abbreviation, or -1. */
export function monthIndex(abbr: string): number {
  return MONTHS[abbr] ?? -1;
}

/** Validated civil date/time (month 0-based) to epoch ms, or undefined when out of range. */
export function civilMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number | undefined {
  if (y < 1970 || y > 2200 || mo < 0 || mo > 11 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  return Date.UTC(y, mo, d, h, mi, s, ms);
}

/** Parses "+hhmm", "+hh:mm", "-hh", "Z" at pos; returns offset in minutes east of UTC and the end index. */
export function zoneOffset(s: string, pos: number): { minutes: number; end: number } | undefined {
  const c = s[pos];
  if (c === 'Z' || c === 'z') return { minutes: 0, end: pos + 1 };
  if (c !== '+' && c !== '-') return undefined;
  const h = digits(s, pos + 1, 2);
  if (h < 0) return undefined;
  let p = pos + 3;
  if (s[p] === ':') p++;
  let m = digits(s, p, 2);
  if (m < 0) {
    m = 0;
    p = pos + 3;
  } else p += 2;
  if (h > 23 || m > 59) return undefined;
  const minutes = (h * 60 + m) * (c === '-' ? -1 : 1);
  return { minutes, end: p };
}

/**
 * ISO 8601 / RFC 3339 stamp at pos: "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm]". A missing
 * zone means local time in `tz`. Returns epoch ms and the end index.
 */
export function isoStamp(s: string, pos: number, tz: ZoneResolver, sep: 'T' | ' ' | 'either' = 'T'): { ms: number; end: number } | undefined {
  const y = digits(s, pos, 4);
  if (y < 0 || s[pos + 4] !== '-' || s[pos + 7] !== '-') return undefined;
  const mo = digits(s, pos + 5, 2);
  const d = digits(s, pos + 8, 2);
  const t = s[pos + 10];
  if (sep === 'either' ? t !== 'T' && t !== ' ' : t !== sep) return undefined;
  const h = digits(s, pos + 11, 2);
  const mi = digits(s, pos + 14, 2);
  const sec = digits(s, pos + 17, 2);
  if (s[pos + 13] !== ':' || s[pos + 16] !== ':' || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return undefined;
  let end = pos + 19;
  let ms = 0;
  if (s[end] === '.' || s[end] === ',') {
    const f = fractionMs(s, end + 1);
    if (f.end === end + 1) return undefined;
    ms = f.ms;
    end = f.end;
  }
  const local = civilMs(y, mo - 1, d, h, mi, sec, ms);
  if (local === undefined) return undefined;
  const z = zoneOffset(s, end);
  if (z) return { ms: local - z.minutes * 60000, end: z.end };
  return { ms: tz.toUtc(local), end };
}

/** Converts wall-clock times of one zone to UTC. */
export interface ZoneResolver {
  /** `local` is the wall-clock time encoded as if it were UTC. */
  toUtc(local: number): number;
}

export const UTC_ZONE: ZoneResolver = { toUtc: (local) => local };

/** A resolver for "UTC", "+02:00"/"-0530" or an IANA zone name; throws for unknown zones. */
export function zoneResolver(tz: string | undefined): ZoneResolver {
  if (tz === undefined || tz === '' || /^(utc|gmt|z)$/i.test(tz)) return UTC_ZONE;
  const fixed = zoneOffset(tz, 0);
  if (fixed && fixed.end === tz.length) return { toUtc: (local) => local - fixed.minutes * 60000 };
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  // Offsets change at most a few times a year: cache them per hour of wall-clock time.
  const cache = new Map<number, number>();
  const offsetAt = (utc: number): number => {
    const parts = fmt.formatToParts(new Date(utc));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return wall - Math.floor(utc / 1000) * 1000;
  };
  return {
    toUtc(local: number): number {
      const hour = Math.floor(local / 3600000);
      let off = cache.get(hour);
      if (off === undefined) {
        const first = offsetAt(local);
        off = offsetAt(local - first);
        if (cache.size > 10000) cache.clear();
        cache.set(hour, off);
      }
      return local - off;
    },
  };
}

/** The resolver for a decode context, reporting a bad --timezone once instead of failing. */
export function contextZone(ctx: DecodeContext): ZoneResolver {
  const tz = textOptions(ctx).timezone;
  try {
    return zoneResolver(tz);
  } catch {
    ctx.problems.report({ kind: 'config', file: ctx.file, message: `unknown timezone ${JSON.stringify(tz)}; using UTC` });
    return UTC_ZONE;
  }
}

/** Index of the next space (or end of string) from pos. */
export function nextSpace(s: string, pos: number): number {
  const i = s.indexOf(' ', pos);
  return i < 0 ? s.length : i;
}

/** Index of the first non-space character from pos. */
export function skipSpaces(s: string, pos: number): number {
  while (pos < s.length && s.charCodeAt(pos) === 32) pos++;
  return pos;
}

/** A string of decimal digits as a number, else undefined. */
export function intOrUndefined(s: string): number | undefined {
  if (s.length === 0 || s.length > 15) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      if (!(i === 0 && c === 45 && s.length > 1)) return undefined;
    }
  }
  return Number(s);
}

/** Decodes a run of bytes as UTF-8, falling back to Latin-1 when the bytes are not valid UTF-8. */
export function bytesToText(bytes: number[]): string {
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8');
  return text.includes('\ufffd') ? buf.toString('latin1') : text;
}

/** Does the line look like binary noise (NULs or many control characters)? */
export function looksBinary(s: string): boolean {
  let ctl = 0;
  const n = Math.min(s.length, 512);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9) || c === 0xfffd) ctl++;
  }
  return ctl > 4 && ctl * 10 > n;
}

/** Fraction of `lines` for which `test` holds (empty lines ignored); 0 when none to judge. */
export function share(lines: string[], test: (l: string) => boolean): number {
  let n = 0;
  let ok = 0;
  for (const l of lines) {
    if (l.trim() === '') continue;
    n++;
    if (test(l)) ok++;
  }
  return n === 0 ? 0 : ok / n;
}
