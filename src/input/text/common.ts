/**
 * Small shared pieces of the text-log decoders: time arithmetic without Date parsing,
 * digit scanning, options the reader may pass along, and problem reporting with file:line.
 */
import type { DecodeContext } from '../decoder.js';
import type { Event, Fields, LogSource } from '../../event/event.js';

/** The time options of a decode context (see DecodeContext). */
export type TextDecodeOptions = Pick<DecodeContext, 'timezone' | 'now'>;

export function textOptions(ctx: DecodeContext): TextDecodeOptions {
  return { timezone: ctx.timezone, now: ctx.now };
}

export function reportLine(ctx: DecodeContext, lineNo: number, message: string): void {
  ctx.problems.report({ kind: 'input', file: ctx.file, line: lineNo, message });
}

/**
 * One JSON Lines record as an object, for the JSON-based log formats (Zeek, ModSecurity,
 * Suricata); a line that is not JSON, or not an object, is reported and gives undefined.
 */
export function jsonLineObject(ctx: DecodeContext, text: string, lineNo: number, what: string): Record<string, unknown> | undefined {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    reportLine(ctx, lineNo, `bad JSON (${e instanceof Error ? e.message : String(e)}); skipped: ${excerpt(text)}`);
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    reportLine(ctx, lineNo, `${what} JSON line is not an object; skipped: ${excerpt(text)}`);
    return undefined;
  }
  return o as Record<string, unknown>;
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
  // One literal per combination, keys in the same order: adding a property to a literal
  // allocates a property store and changes the event's shape, once per event.
  const origin = { file, record, format };
  const hasHost = host !== undefined && host !== '';
  if (timestamp !== undefined && Number.isFinite(timestamp)) {
    return hasHost ? { fields, logsource, origin, raw, host, timestamp } : { fields, logsource, origin, raw, timestamp };
  }
  return hasHost ? { fields, logsource, origin, raw, host } : { fields, logsource, origin, raw };
}

/** Value of `n` ASCII digits at `pos`, or -1 when any of them is not a digit. */
export function digits(s: string, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(pos + i) - 48;
    // past the end charCodeAt is NaN, which fails both range tests: it must not count as a digit
    if (!(c >= 0 && c <= 9)) return -1;
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

/**
 * Month index (0-11) of the three-letter English abbreviation at `pos`, or -1. Works on char
 * codes: looking a sliced string up in an object would force V8 to internalize it per line.
 */
export function monthAt(s: string, pos: number): number {
  const a = s.charCodeAt(pos);
  const b = s.charCodeAt(pos + 1);
  const c = s.charCodeAt(pos + 2);
  switch (a) {
    case 74: // J
      if (b === 97 && c === 110) return 0; // Jan
      if (b === 117 && c === 110) return 5; // Jun
      if (b === 117 && c === 108) return 6; // Jul
      return -1;
    case 70: // F
      return b === 101 && c === 98 ? 1 : -1;
    case 77: // M
      if (b === 97 && c === 114) return 2;
      if (b === 97 && c === 121) return 4;
      return -1;
    case 65: // A
      if (b === 112 && c === 114) return 3;
      if (b === 117 && c === 103) return 7;
      return -1;
    case 83: // S
      return b === 101 && c === 112 ? 8 : -1;
    case 79: // O
      return b === 99 && c === 116 ? 9 : -1;
    case 78: // N
      return b === 111 && c === 118 ? 10 : -1;
    case 68: // D
      return b === 101 && c === 99 ? 11 : -1;
    default:
      return -1;
  }
}

/** Month index for a three-letter English abbreviation, or -1. */
export function monthIndex(abbr: string): number {
  return abbr.length === 3 ? monthAt(abbr, 0) : -1;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Validated civil date/time (month 0-based) to epoch ms, or undefined when out of range.
 * Plain integer arithmetic (days from civil), as this runs once per log line.
 */
export function civilMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number | undefined {
  if (y < 1970 || y > 2200 || mo < 0 || mo > 11 || d < 1 || d > DAYS_IN_MONTH[mo]! || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
  if (mo === 1 && d === 29 && (y % 4 !== 0 || (y % 100 === 0 && y % 400 !== 0))) return undefined;
  const yy = mo < 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const m = mo + 1;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms;
}

/**
 * Parses "+hhmm", "+hh:mm", "-hh", "Z" at pos; returns offset in minutes east of UTC and the end
 * index. (isoZoneAt without the per-line economy: it leaves stampMs changed.)
 */
export function zoneOffset(s: string, pos: number): { minutes: number; end: number } | undefined {
  const end = isoZoneAt(s, pos);
  return end < 0 ? undefined : { minutes: stampMs, end };
}

/** The last ISO date (`YYYY-MM-DD` as a number) isoStamp read and its midnight: a log's lines share their day. */
let memoIsoDate = -1;
let memoIsoDayMs = 0;

/** Whether s[pos] is `c` or, with sep 'either', 'T' or ' '. */
function isoSep(code: number, sep: 'T' | ' ' | 'either'): boolean {
  return sep === 'either' ? code === 84 || code === 32 : code === (sep === 'T' ? 84 : 32);
}

/**
 * Value of the two ASCII digits at i, or -1 (digits(s, i, 2) unrolled).
 */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The time (epoch ms) of the last stamp isoStampAt or isoZoneAt read (see there). */
export let stampMs = 0;

/**
 * The zone at pos as isoStamp reads it ("Z", "+hh", "+hhmm", "+hh:mm"): where it ends, or -1;
 * its offset in minutes east of UTC is left in stampMs. (No result object: this runs per line.)
 */
function isoZoneAt(s: string, pos: number): number {
  const c = s.charCodeAt(pos);
  if (c === 90 /* Z */ || c === 122 /* z */) {
    stampMs = 0;
    return pos + 1;
  }
  if (c !== 43 /* + */ && c !== 45 /* - */) return -1;
  const h = digits(s, pos + 1, 2);
  if (h < 0) return -1;
  let p = pos + 3;
  if (s.charCodeAt(p) === 58) p++;
  let m = digits(s, p, 2);
  if (m < 0) {
    m = 0;
    p = pos + 3;
  } else p += 2;
  if (h > 23 || m > 59) return -1;
  stampMs = (h * 60 + m) * (c === 45 ? -1 : 1);
  return p;
}

/**
 * ISO 8601 / RFC 3339 stamp at pos: "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm]". A missing
 * zone means local time in `tz`. Returns where the stamp ends, or -1 when there is none; its
 * epoch ms are then in stampMs. (The per-line form of isoStamp: no result objects.)
 */
export function isoStampAt(s: string, pos: number, tz: ZoneResolver, sep: 'T' | ' ' | 'either' = 'T'): number {
  // A stamp cut in its seconds would read NaN digits past the end, which no range check below
  // rejects: it gave a NaN time, left the day memo NaN for the rest of that day's stamps, and
  // with an IANA --timezone threw "Invalid time value" out of the decoder.
  if (s.length < pos + 19) return -1;
  const century = twoDigits(s, pos);
  const yy = twoDigits(s, pos + 2);
  if ((century | yy) < 0 || s.charCodeAt(pos + 4) !== 45 || s.charCodeAt(pos + 7) !== 45) return -1;
  const mo = twoDigits(s, pos + 5);
  const d = twoDigits(s, pos + 8);
  const h = twoDigits(s, pos + 11);
  const mi = twoDigits(s, pos + 14);
  const sec = twoDigits(s, pos + 17);
  if ((mo | d | h | mi | sec) < 0 || !isoSep(s.charCodeAt(pos + 10), sep) || s.charCodeAt(pos + 13) !== 58 || s.charCodeAt(pos + 16) !== 58) return -1;
  const y = century * 100 + yy;
  let end = pos + 19;
  let ms = 0;
  const dot = s.charCodeAt(end);
  if (dot === 46 || dot === 44) {
    // Fraction digits (any count), as fractionMs reads them: the first three are the
    // milliseconds (in integers: the float steps of fractionMs are exact for them).
    let scale = 100;
    let q = end + 1;
    while (q < s.length) {
      const c = s.charCodeAt(q) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale = scale === 100 ? 10 : scale === 10 ? 1 : 0;
      q++;
    }
    if (q === end + 1) return -1;
    end = q;
  }
  // civilMs validates and counts days; the day part is the same for most lines of a log.
  const date = (y * 100 + mo) * 100 + d;
  let local: number | undefined;
  if (date === memoIsoDate && h <= 23 && mi <= 59 && sec <= 60) local = memoIsoDayMs + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
  else {
    local = civilMs(y, mo - 1, d, h, mi, sec, ms);
    if (local === undefined) return -1;
    memoIsoDate = date;
    memoIsoDayMs = local - (((h * 60 + mi) * 60 + sec) * 1000 + ms);
  }
  const zEnd = isoZoneAt(s, end);
  if (zEnd >= 0) {
    stampMs = local - stampMs * 60000;
    return zEnd;
  }
  stampMs = tz.toUtc(local);
  return end;
}

/**
 * ISO 8601 / RFC 3339 stamp at pos: "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm]". A missing
 * zone means local time in `tz`. Returns epoch ms and the end index.
 */
export function isoStamp(s: string, pos: number, tz: ZoneResolver, sep: 'T' | ' ' | 'either' = 'T'): { ms: number; end: number } | undefined {
  const end = isoStampAt(s, pos, tz, sep);
  return end < 0 ? undefined : { ms: stampMs, end };
}

/** Converts wall-clock times of one zone to UTC. */
export interface ZoneResolver {
  /** `local` is the wall-clock time encoded as if it were UTC. */
  toUtc(local: number): number;
}

export const UTC_ZONE: ZoneResolver = { toUtc: (local) => local };

/** Numeric wall-clock parts (24 h) of an instant in an IANA zone; throws for unknown zones. */
export function wallClockFormatter(zone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/** A resolver for "UTC", "+02:00"/"-0530" or an IANA zone name; throws for unknown zones. */
export function zoneResolver(tz: string | undefined): ZoneResolver {
  if (tz === undefined || tz === '' || /^(utc|gmt|z)$/i.test(tz)) return UTC_ZONE;
  const fixed = zoneOffset(tz, 0);
  if (fixed && fixed.end === tz.length) return { toUtc: (local) => local - fixed.minutes * 60000 };
  const fmt = wallClockFormatter(tz);
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

/** Decodes a run of bytes as UTF-8, falling back to Latin-1 when the bytes are not valid UTF-8. */
export function bytesToText(bytes: number[]): string {
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8');
  return text.includes('\ufffd') ? buf.toString('latin1') : text;
}

export { detached } from '../../event/detached.js';

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

/** Longest message text the regex-based field extractors look at (keeps hostile lines linear-time). */
const MAX_ANALYZED_CHARS = 64 * 1024;

export function analyzable(s: string): string {
  return s.length > MAX_ANALYZED_CHARS ? s.slice(0, MAX_ANALYZED_CHARS) : s;
}

/**
 * Whether `s` has `lit` at `pos`. V8's startsWith with a position is several times slower
 * than an indexOf call on the sliced strings the reader produces; the first character is
 * checked first so most misses cost no builtin call at all.
 */
export function hasAt(s: string, lit: string, pos: number): boolean {
  return lit.length > 0 && s.charCodeAt(pos) === lit.charCodeAt(0) && s.indexOf(lit, pos) === pos;
}
