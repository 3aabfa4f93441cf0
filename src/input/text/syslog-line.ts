/**
 * Splits one syslog line into its header parts: RFC 5424 (`<PRI>1 TS HOST APP PROCID MSGID SD
 * MSG`), RFC 3164 / BSD (`[<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG`), RFC 3339-stamped file
 * lines (rsyslog high precision) and VMware ESXi files (`TS In(14) app[pid]: msg`, older
 * `TS app[pid]: msg`, hostd 6.x `TS info hostd[pid] [Originator...] msg`, vobd `TS: msg`).
 */
import { civilMs, digits, fractionMs, isoStampAt, monthAt, stampMs, type ZoneResolver } from './common.js';

export interface SyslogParts {
  pri?: number;
  ts?: number;
  host?: string;
  app?: string;
  /** The line the parts are of. */
  line: string;
  /** Where the process id is in `line` (start -1 when there is none): see syslogPid. */
  pidStart: number;
  pidEnd: number;
  msgId?: string;
  /** RFC 5424 structured data as written (checked; its elements: structuredData). */
  sdText?: string;
  /** ESXi severity token (`In`, `Wa`, ...) or hostd 6.x level word. */
  level?: string;
  /** True when the line carried a tag/app (used by sniffing to stay precise). */
  tagged: boolean;
  msg: string;
}

/**
 * The parts of a line, always with every member in the same order (absent ones undefined): one
 * hidden class, so the decoder's reads of them stay monomorphic whatever the line's shape.
 */
function partsOf(
  pri: number | undefined,
  ts: number | undefined,
  host: string | undefined,
  app: string | undefined,
  line: string,
  pidStart: number,
  pidEnd: number,
  msgId: string | undefined,
  sdText: string | undefined,
  level: string | undefined,
  tagged: boolean,
  msg: string,
): SyslogParts {
  return { pri, ts, host, app, line, pidStart, pidEnd, msgId, sdText, level, tagged, msg };
}

/**
 * The process id of a line as written, or undefined. Sliced on demand: most events are never
 * turned into fields, and a short slice is a copy.
 */
export function syslogPid(parts: SyslogParts): string | undefined {
  return parts.pidStart < 0 ? undefined : parts.line.slice(parts.pidStart, parts.pidEnd);
}

const ESXI_LEVELS: Record<string, string> = { Em: 'emergency', Al: 'alert', Cr: 'critical', Er: 'error', Wa: 'warning', No: 'notice', In: 'info', Db: 'debug' };
const OLD_LEVELS = ['verbose', 'info', 'warning', 'error', 'trivia', 'panic'];

/** The hostd 6.x level word that is s[start, end), or undefined; compared in place (no slice, no hashing per line). */
function oldLevelAt(s: string, start: number, end: number): string | undefined {
  const len = end - start;
  if (len < 4 || len > 7) return undefined;
  const c = s.charCodeAt(start);
  for (const w of OLD_LEVELS) {
    if (w.length !== len || w.charCodeAt(0) !== c) continue;
    let i = 1;
    while (i < len && s.charCodeAt(start + i) === w.charCodeAt(i)) i++;
    if (i === len) return w;
  }
  return undefined;
}

const SEVERITY_TOKENS = Object.keys(ESXI_LEVELS);

/** The two-letter severity token at pos: the known ones as constants (no new string, and a cheap lookup in ESXI_LEVELS). */
function severityToken(s: string, pos: number): string {
  const a = s.charCodeAt(pos);
  const b = s.charCodeAt(pos + 1);
  for (const t of SEVERITY_TOKENS) if (t.charCodeAt(0) === a && t.charCodeAt(1) === b) return t;
  return s.slice(pos, pos + 2);
}

export function esxiLevelName(token: string): string {
  return ESXI_LEVELS[token] ?? token;
}

let yearCacheNow = NaN;
let yearCache = 1970;

/** UTC year of `now`, cached: the reference time is the same for a whole file. */
function utcYear(now: number): number {
  if (now !== yearCacheNow) {
    yearCacheNow = now;
    yearCache = new Date(now).getUTCFullYear();
  }
  return yearCache;
}

/** The time (epoch ms) of the stamp bsdStampAt last read. */
let bsdMs = 0;

/**
 * BSD stamp `Mmm dd hh:mm:ss` (day may be space-padded) at pos; year inferred from `now`.
 * Returns where it ends, or -1; its time is left in bsdMs (no result object per line).
 */
function bsdStampAt(s: string, pos: number, tz: ZoneResolver, now: number): number {
  const mo = monthAt(s, pos);
  if (mo < 0 || s.charCodeAt(pos + 3) !== 32) return -1;
  let d = digits(s, pos + 4, 2);
  if (d < 0 && s.charCodeAt(pos + 4) === 32) d = digits(s, pos + 5, 1);
  const t = pos + 7;
  const h = digits(s, t, 2);
  const mi = digits(s, t + 3, 2);
  const sec = digits(s, t + 6, 2);
  if (d < 1 || h < 0 || mi < 0 || sec < 0 || s.charCodeAt(t - 1) !== 32 || s.charCodeAt(t + 2) !== 58 || s.charCodeAt(t + 5) !== 58) return -1;
  let end = t + 8;
  let ms = 0;
  if (s.charCodeAt(end) === 46) {
    const f = fractionMs(s, end + 1);
    ms = f.ms;
    end = f.end;
  }
  const year = utcYear(now);
  let local = civilMs(year, mo, d, h, mi, sec, ms);
  if (local === undefined) return -1;
  // A stamp more than a week ahead of "now" belongs to last year (logs spanning New Year).
  if (local > now + 7 * 86400000) local = civilMs(year - 1, mo, d, h, mi, sec, ms);
  if (local === undefined) return -1;
  bsdMs = tz.toUtc(local);
  return end;
}

/** The name of the tag tagAt last found, and where its pid is (start -1 when it has none). */
let tagApp = '';
let tagPidStart = -1;
let tagPidEnd = -1;

/**
 * `name[pid]:`, `name:` or (hostd 6.x) `name[pid]` at pos: where it ends, or -1; its name and
 * pid are left in tagApp and tagPidStart/tagPidEnd (no result object: hosts are tried as tags first, per line).
 */
function tagAt(s: string, pos: number, colonRequired: boolean): number {
  let i = pos;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 91 /* [ */ || c === 58 /* : */ || c === 32) break;
    i++;
  }
  if (i === pos || i - pos > 64) return -1;
  // The name and pid are sliced once the tag is known to be one (hosts are tried as tags first).
  const nameEnd = i;
  let close = -1;
  if (s.charCodeAt(i) === 91) {
    close = s.indexOf(']', i);
    if (close < 0 || close - i > 24) return -1;
    i = close + 1;
  }
  const colon = s.charCodeAt(i) === 58 && (i + 1 === s.length || s.charCodeAt(i + 1) === 32);
  if (!colon && (colonRequired || close < 0 || s.charCodeAt(i) !== 32)) return -1;
  tagPidStart = close < 0 ? -1 : nameEnd + 1;
  tagPidEnd = close;
  tagApp = s.slice(pos, nameEnd);
  return colon ? i + 1 : i;
}

/** One RFC 5424 structured-data element: its id and its `name="value"` params (escapes undone). */
export interface SdElement {
  id: string;
  params: Array<[string, string]>;
}

/**
 * Reads the structured-data elements at pos (`[id name="value" ...]...`); returns where they end,
 * or -1 when they are malformed. Elements go into `into` when given: a line is checked when it is
 * read, and its elements are made only when its fields are (see structuredData).
 */
function scanStructuredData(s: string, pos: number, into: SdElement[] | undefined): number {
  let p = pos;
  while (s.charCodeAt(p) === 91) {
    let q = p + 1;
    while (q < s.length && s.charCodeAt(q) !== 32 && s.charCodeAt(q) !== 93) q++;
    const idEnd = q;
    const params: Array<[string, string]> | undefined = into === undefined ? undefined : [];
    while (s.charCodeAt(q) === 32) {
      const eq = s.indexOf('="', q + 1);
      if (eq < 0) return -1;
      let v = eq + 2;
      const parts: string[] | undefined = params === undefined ? undefined : [];
      let run = v;
      for (;;) {
        if (v >= s.length) return -1;
        const c = s.charCodeAt(v);
        if (c === 92 && (s.charCodeAt(v + 1) === 34 || s.charCodeAt(v + 1) === 92 || s.charCodeAt(v + 1) === 93)) {
          parts?.push(s.slice(run, v));
          run = v + 1;
          v += 2;
          continue;
        }
        if (c === 34) break;
        v++;
      }
      if (params !== undefined && parts !== undefined) {
        parts.push(s.slice(run, v));
        params.push([s.slice(q + 1, eq), parts.join('')]);
      }
      q = v + 1;
    }
    if (s.charCodeAt(q) !== 93) return -1;
    if (into !== undefined && params !== undefined) into.push({ id: s.slice(p + 1, idEnd), params });
    p = q + 1;
  }
  return p;
}

/** The elements of a line's structured data (`SyslogParts.sdText`, which parseSyslog checked). */
export function structuredData(sdText: string): SdElement[] {
  const out: SdElement[] = [];
  scanStructuredData(sdText, 0, out);
  return out;
}

/** s[start, end), or undefined for the nil value `-` (checked before slicing). */
function nilOr(s: string, start: number, end: number): string | undefined {
  return end === start + 1 && s.charCodeAt(start) === 45 ? undefined : s.slice(start, end);
}

function rfc5424(s: string, pos: number, pri: number, tz: ZoneResolver): SyslogParts | undefined {
  // The five header fields (TIMESTAMP HOSTNAME APP-NAME PROCID MSGID), each up to a space.
  const sp0 = s.indexOf(' ', pos);
  if (sp0 < 0) return undefined;
  const sp1 = s.indexOf(' ', sp0 + 1);
  if (sp1 < 0) return undefined;
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 < 0) return undefined;
  const sp3 = s.indexOf(' ', sp2 + 1);
  if (sp3 < 0) return undefined;
  const sp4 = s.indexOf(' ', sp3 + 1);
  if (sp4 < 0) return undefined;
  let ts: number | undefined;
  if (sp0 !== pos + 1 || s.charCodeAt(pos) !== 45) {
    // Read from the field alone: a stamp must fill it exactly.
    const stamp = s.slice(pos, sp0);
    if (isoStampAt(stamp, 0, tz) !== stamp.length) return undefined;
    ts = stampMs;
  }
  let p = sp4 + 1;
  let sdText: string | undefined;
  if (s.charCodeAt(p) === 45) p++;
  else if (s.charCodeAt(p) === 91) {
    const end = scanStructuredData(s, p, undefined);
    if (end < 0) return undefined;
    sdText = s.slice(p, end);
    p = end;
  } else return undefined;
  let msg = p < s.length ? s.slice(p + 1) : '';
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
  const nilPid = sp3 === sp2 + 2 && s.charCodeAt(sp2 + 1) === 45;
  return partsOf(pri, ts, nilOr(s, sp0 + 1, sp1), nilOr(s, sp1 + 1, sp2), s, nilPid ? -1 : sp2 + 1, nilPid ? -1 : sp3, nilOr(s, sp3 + 1, sp4), sdText, undefined, true, msg);
}

/** Parses a syslog line; undefined when it is none of the supported shapes. */
export function parseSyslog(s: string, tz: ZoneResolver, now: number): SyslogParts | undefined {
  let p = 0;
  let pri: number | undefined;
  if (s.charCodeAt(0) === 60) {
    const close = s.indexOf('>');
    if (close < 2 || close > 4) return undefined;
    pri = digits(s, 1, close - 1);
    if (pri < 0 || pri > 191) return undefined;
    p = close + 1;
    const v = s.charCodeAt(p);
    if (v >= 49 && v <= 57 && s.charCodeAt(p + 1) === 32) return rfc5424(s, p + 2, pri, tz);
  }
  let ts: number;
  const isoEnd = isoStampAt(s, p, tz);
  if (isoEnd >= 0) {
    ts = stampMs;
    p = isoEnd;
    if (s.charCodeAt(p) === 58 && s.charCodeAt(p + 1) === 32) {
      // vobd.log before ESXi 7: "TS: [Correlator] 123us: [vob.id] text"
      return partsOf(pri, ts, undefined, 'vobd', s, -1, -1, undefined, undefined, undefined, true, s.slice(p + 2));
    }
  } else {
    const bsdEnd = bsdStampAt(s, p, tz, now);
    if (bsdEnd < 0) return undefined;
    ts = bsdMs;
    p = bsdEnd;
  }
  if (s.charCodeAt(p) !== 32) return undefined;
  p++;
  let level: string | undefined;
  /** Whether `level` is a hostd 6.x level word (then the tag needs no colon). */
  let oldLevel = false;
  // ESXi 7+: "In(14)" severity token; hostd 6.x: a level word before "hostd[pid]".
  if (s.charCodeAt(p + 2) === 40 && s.charCodeAt(p) >= 65 && s.charCodeAt(p) <= 90) {
    const close = s.indexOf(')', p);
    if (close > p + 3 && close < p + 8 && s.charCodeAt(close + 1) === 32 && digits(s, p + 3, close - p - 3) >= 0) {
      level = severityToken(s, p);
      p = close + 2;
    }
  } else {
    const sp = s.indexOf(' ', p);
    const word = sp > p ? oldLevelAt(s, p, sp) : undefined;
    if (word !== undefined && tagAt(s, sp + 1, false) >= 0 && tagPidStart >= 0) {
      level = word;
      oldLevel = true;
      p = sp + 1;
    }
  }
  let tagEnd = tagAt(s, p, !oldLevel);
  let host: string | undefined;
  if (tagEnd < 0) {
    const sp = s.indexOf(' ', p);
    if (sp > p) {
      tagEnd = tagAt(s, sp + 1, true);
      if (tagEnd >= 0) host = s.slice(p, sp);
    }
  }
  if (tagEnd < 0) {
    // Untagged line: "TS HOST message" (kernel messages of some daemons) or bare message.
    const sp = s.indexOf(' ', p);
    if (sp > p) return partsOf(pri, ts, s.slice(p, sp), undefined, s, -1, -1, undefined, undefined, level, false, s.slice(sp + 1));
    return partsOf(pri, ts, undefined, undefined, s, -1, -1, undefined, undefined, level, false, s.slice(p));
  }
  p = tagEnd;
  if (s.charCodeAt(p) === 32) p++;
  return partsOf(pri, ts, host, tagApp, s, tagPidStart, tagPidEnd, undefined, undefined, level, true, s.slice(p));
}
