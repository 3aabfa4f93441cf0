/**
 * Times as the analyst reads them: ISO 8601 always, in UTC (`Z`) by default or in the case's
 * zone with its offset (`2026-03-02T10:15:39.000+01:00`), and `--from`/`--to` values read
 * the same way (a time without an offset is in that zone; a date alone is the whole day).
 */
import { wallClockFormatter } from '../input/text/common.js';

/** Offset (minutes east of UTC) of `zone` at the instant `ms`. */
function offsetMinutes(zone: string, ms: number, fmt: Intl.DateTimeFormat | undefined): number {
  const fixed = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  if (!fmt) return 0;
  const parts = fmt.formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

function isUtc(zone: string | undefined): boolean {
  return zone === undefined || /^(utc|gmt|z|[+-]00:?00)$/i.test(zone);
}

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  if (/^[+-]\d\d:?\d\d$/.test(zone)) return undefined;
  return wallClockFormatter(zone);
}

/** ms → ISO 8601 in `zone` (UTC when undefined). Throws RangeError for an unknown zone. */
export function isoFormatter(zone?: string): (ms: number) => string {
  if (zone === undefined || isUtc(zone)) return (ms) => new Date(ms).toISOString();
  const fmt = formatterFor(zone);
  return (ms) => {
    const off = offsetMinutes(zone, ms, fmt);
    const local = new Date(ms + off * 60000).toISOString().slice(0, 23);
    const a = Math.abs(off);
    return `${local}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  };
}

const TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * An ISO 8601 date or time → ms. Without an offset it is wall-clock time in `zone` (UTC when
 * undefined). `end`: a value with less than second precision means the end of that day, minute
 * or second (so `--to 2026-03-02` includes the whole day). Undefined when it is not a time.
 */
export function parseIsoTime(text: string, zone: string | undefined, end = false): number | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  const check = new Date(wall);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return undefined;
  if (end && frac === undefined) wall += (h === undefined ? 86_400_000 : mi === undefined ? 3_600_000 : s === undefined ? 60_000 : 1000) - 1;
  if (off) return wall - offsetMinutes(off.toUpperCase() === 'Z' ? '+00:00' : off, 0, undefined) * 60000;
  if (isUtc(zone)) return wall;
  // Wall-clock time in a named zone: the offset at that instant (two passes settle DST edges).
  const fmt = formatterFor(zone!);
  let utc = wall - offsetMinutes(zone!, wall, fmt) * 60000;
  utc = wall - offsetMinutes(zone!, utc, fmt) * 60000;
  return utc;
}
