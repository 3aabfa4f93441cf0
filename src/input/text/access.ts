/**
 * Apache / Nginx / Tomcat access logs: NCSA common and combined formats, with or without a
 * leading `vhost[:port]`, `\"` and `\xHH` escapes, IPv6 clients, `-` for empty. A hand-written
 * scanner (no regex on the hot path). Yields Sigma `category: webserver` events.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { bytesToText, civilMs, digits, excerpt, fractionMs, hasAt, makeEvent, monthAt, reportLine, share, zoneOffset } from './common.js';

const FORMAT = 'access';
const LOGSOURCE: LogSource = { category: 'webserver' };

/** A quoted field's text and the index just past its closing quote. */
interface Quoted {
  value: string;
  end: number;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The escape at s[i] === '\\': how many characters it spans (0: not one of the server's escapes). */
function escapeLength(s: string, i: number): number {
  const next = s.charCodeAt(i + 1);
  if (next === 120 /* x */) return isHex(s.charCodeAt(i + 2)) && isHex(s.charCodeAt(i + 3)) ? 4 : 0;
  return next === 34 || next === 92 || next === 110 || next === 116 || next === 114 ? 2 : 0;
}

/** Index of the first quote after s[pos] that no backslash escapes, or -1. */
function closingQuote(s: string, pos: number): number {
  for (let i = pos + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92) {
      const n = escapeLength(s, i);
      if (n > 0) i += n - 1;
    }
  }
  return -1;
}

/** s[start, end) with the server's escapes (`\"`, `\\`, `\n`, `\t`, `\r`, `\xHH`) undone; quotes in it are kept as they are. */
function unescapeRange(s: string, start: number, end: number): string {
  const slash = s.indexOf('\\', start);
  if (slash < 0 || slash >= end) return s.slice(start, end);
  // Collect pieces, never single characters.
  const parts: string[] = [];
  let run = start;
  let i = slash;
  let bytes: number[] | undefined;
  const flushBytes = (): void => {
    if (bytes) {
      parts.push(bytesToText(bytes));
      bytes = undefined;
    }
  };
  while (i < end) {
    if (s.charCodeAt(i) !== 92 /* \ */) {
      i++;
      continue;
    }
    const n = escapeLength(s, i);
    if (n === 0 || i + n > end) {
      i++;
      continue;
    }
    if (n === 4) {
      if (i > run) {
        flushBytes();
        parts.push(s.slice(run, i));
      }
      (bytes ??= []).push(parseInt(s.slice(i + 2, i + 4), 16));
    } else {
      const next = s.charCodeAt(i + 1);
      flushBytes();
      parts.push(s.slice(run, i), next === 110 ? '\n' : next === 116 ? '\t' : next === 114 ? '\r' : next === 34 ? '"' : '\\');
    }
    i += n;
    run = i;
  }
  flushBytes();
  parts.push(s.slice(run, end));
  return parts.join('');
}

/** Reads `"..."` starting at s[pos] === '"', undoing the server's escapes. */
export function readQuoted(s: string, pos: number): Quoted | undefined {
  const close = closingQuote(s, pos);
  if (close < 0) return undefined;
  return { value: unescapeRange(s, pos + 1, close), end: close + 1 };
}

/**
 * Memo of the last stamp, its `dd/Mon/yyyy:hh` and its zone: consecutive lines of a log share
 * them, and the calendar arithmetic then runs once per hour instead of once per line.
 */
let memoStamp = '';
let memoStampMs = 0;
let memoHour = '';
let memoHourMs = 0;
let memoZone = '';
let memoZoneMinutes = 0;

/** `10/Oct/2000:13:55:36 -0700` (optionally with fractional seconds) to epoch ms. */
export function clfStamp(s: string, at = 0, end = s.length): number | undefined {
  // Busy servers log many lines per second: the whole stamp usually repeats. Memoized only
  // when the stamp is closed by `]` or the string's end, as parsing may look one char past it.
  const closed = end === s.length || s.charCodeAt(end) === 93;
  if (closed && end - at === memoStamp.length && memoStamp.length > 0 && hasAt(s, memoStamp, at)) return memoStampMs;
  const ms = parseClf(s, at, end);
  if (closed && ms !== undefined) {
    memoStamp = s.slice(at, end);
    memoStampMs = ms;
  }
  return ms;
}

function parseClf(s: string, at: number, end: number): number | undefined {
  let hourMs: number;
  if (memoHour.length === 14 && hasAt(s, memoHour, at)) hourMs = memoHourMs;
  else {
    const d = digits(s, at, 2);
    const mo = monthAt(s, at + 3);
    const y = digits(s, at + 7, 4);
    if (s.charCodeAt(at + 2) !== 47 || s.charCodeAt(at + 6) !== 47 || s.charCodeAt(at + 11) !== 58 || mo < 0) return undefined;
    const h = digits(s, at + 12, 2);
    const base = civilMs(y, mo, d, h, 0, 0, 0);
    if (base === undefined) return undefined;
    memoHour = s.slice(at, at + 14);
    memoHourMs = hourMs = base;
  }
  const mi = digits(s, at + 15, 2);
  const sec = digits(s, at + 18, 2);
  if (mi < 0 || mi > 59 || sec < 0 || sec > 60) return undefined;
  let p = at + 20;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
    const f = fractionMs(s, p + 1);
    ms = f.ms;
    p = f.end;
  }
  const local = hourMs + mi * 60000 + sec * 1000 + ms;
  if (p >= end) return local;
  if (s.charCodeAt(p) !== 32) return undefined;
  const zs = p + 1;
  const closed = end === s.length || s.charCodeAt(end) === 93;
  if (closed && end - zs === memoZone.length && memoZone.length > 0 && hasAt(s, memoZone, zs)) return local - memoZoneMinutes * 60000;
  const z = zoneOffset(s, zs);
  if (!z || z.end !== end) return undefined;
  if (closed) {
    memoZone = s.slice(zs, end);
    memoZoneMinutes = z.minutes;
  }
  return local - z.minutes * 60000;
}

/** Non-negative integer in text[start, end): the number, UNSET for `-`, BAD when not a number. */
function numberAt(text: string, start: number, end: number): number {
  if (end - start === 1 && text.charCodeAt(start) === 45) return UNSET;
  if (end <= start || end - start > 15) return BAD;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return BAD;
    n = n * 10 + c;
  }
  return n;
}
const UNSET = -1;
const BAD = -2;

/** Whether the last request line setRequest split had a protocol version. */
let requestVersion = false;

/** Splits the request line s[start, end) into method, URI stem/query and version. */
function setRequest(fields: Fields, s: string, start: number, end: number): void {
  requestVersion = false;
  const len = end - start;
  if (len === 0 || (len === 1 && s.charCodeAt(start) === 45)) return;
  let sp1 = s.indexOf(' ', start);
  if (sp1 >= end) sp1 = -1;
  if (sp1 <= start) {
    fields['cs-request'] = s.slice(start, end);
    return;
  }
  fields['cs-method'] = s.slice(start, sp1);
  let targetEnd = end;
  if (end - 9 > sp1 && s.indexOf(' HTTP/1.1', end - 9) === end - 9) {
    // The commonest ending, found by one search: the version needs no slice of its own.
    targetEnd = end - 9;
    fields['cs-version'] = 'HTTP/1.1';
    requestVersion = true;
  } else {
    // Other `... HTTP/x.y` endings are checked in place; anything else searches for the last space.
    const usual =
      end - 9 > sp1 && s.charCodeAt(end - 9) === 32 && isHttpVersion(s, end - 8) && s.charCodeAt(end - 3) !== 32 && s.charCodeAt(end - 2) !== 32 && s.charCodeAt(end - 1) !== 32;
    const sp2 = usual ? end - 9 : s.lastIndexOf(' ', end - 1);
    if (sp2 > sp1 && (usual || hasAt(s, 'HTTP/', sp2 + 1))) {
      targetEnd = sp2;
      fields['cs-version'] = s.slice(sp2 + 1, end);
      requestVersion = true;
    }
  }
  const t = sp1 + 1;
  let q = s.indexOf('?', t);
  if (q >= targetEnd) q = -1;
  if (q < 0) fields['cs-uri-stem'] = s.slice(t, targetEnd);
  else {
    fields['cs-uri-stem'] = s.slice(t, q);
    if (q + 1 < targetEnd) fields['cs-uri-query'] = s.slice(q + 1, targetEnd);
  }
}

/** `HTTP/` at pos, by character codes. */
function isHttpVersion(s: string, pos: number): boolean {
  return s.charCodeAt(pos) === 72 && s.charCodeAt(pos + 1) === 84 && s.charCodeAt(pos + 2) === 84 && s.charCodeAt(pos + 3) === 80 && s.charCodeAt(pos + 4) === 47;
}

/** True when s[start, end) is empty or the `-` placeholder. */
function isUnset(s: string, start: number, end: number): boolean {
  return end === start || (end - start === 1 && s.charCodeAt(start) === 45);
}

/** The last line's `stamp]` text and its time (see clfStamp's memo; this one also saves the search for `]`). */
let lineStamp = '';
let lineStampMs = 0;

/** Where the last successfully parsed line's timestamp goes (saves a result object per line). */
let parsedTs = 0;
/** Where the quoted field read by `quoted` ends (just past its closing quote). */
let quotedEnd = 0;

/**
 * The quoted field starting at s[pos] === '"': its text, or undefined when unterminated.
 * `escapes` is the first backslash at or after pos (-1: none), found once per line,
 * so the common escape-free field is a single slice.
 */
function quoted(s: string, pos: number, escapes: number): string | undefined {
  const close = s.indexOf('"', pos + 1);
  if (close < 0) return undefined;
  if (escapes < 0 || escapes > close) {
    quotedEnd = close + 1;
    return s.slice(pos + 1, close);
  }
  const q = readQuoted(s, pos);
  if (!q) return undefined;
  quotedEnd = q.end;
  return q.value;
}

/** Whether the quote at s[q] can end a header field: the line ends there or the next quoted field starts (` "`). */
function endsField(s: string, q: number): boolean {
  return q + 1 === s.length || (s.charCodeAt(q + 1) === 32 && s.charCodeAt(q + 2) === 34);
}

/**
 * A quoted header field (referer, user agent) starting at s[pos] === '"'. Servers that do not
 * escape quotes write them as sent (a Shellshock user agent is full of them): the field ends
 * at its first quote followed by the line's end or the next quoted field, else at its first
 * quote. `escapes` as for `quoted`.
 */
function headerField(s: string, pos: number, escapes: number): string | undefined {
  // The usual field: its first quote ends it (the line's end, or ` "` and the next field follow), with no backslash before it.
  const close = s.indexOf('"', pos + 1);
  if (close >= 0 && (escapes < 0 || escapes > close) && (close === s.length - 1 || endsField(s, close))) {
    quotedEnd = close + 1;
    return s.slice(pos + 1, close);
  }
  return close < 0 ? undefined : strayHeaderField(s, pos, escapes >= 0);
}

/** headerField when the field has escapes or its first quote is not the end; undefined when no quote ends it. */
function strayHeaderField(s: string, pos: number, esc: boolean): string | undefined {
  let close = nextQuote(s, pos, esc);
  if (close < 0) return undefined;
  if (!endsField(s, close)) {
    for (let q = nextQuote(s, close, esc); q >= 0; q = nextQuote(s, q, esc)) {
      if (endsField(s, q)) {
        close = q;
        break;
      }
    }
  }
  quotedEnd = close + 1;
  return esc ? unescapeRange(s, pos + 1, close) : s.slice(pos + 1, close);
}

/** Parses one access-log line into webserver fields; returns a reason string on failure. */
export function parseAccessLine(text: string): { fields: Fields; ts: number } | string {
  const r = parseStrayQuotes(text);
  return typeof r === 'string' ? r : { fields: r, ts: parsedTs };
}

/** Index of the request line's opening quote in the line parseLine last read, or -1 when it failed before reaching it. */
let requestOpen = -1;

/**
 * parseAccessLine without the result object; the timestamp is left in `parsedTs`. The request
 * line ends at its first unescaped quote, or at `forcedClose` (see parseStrayQuotes).
 */
function parseLine(text: string, forcedClose = -1): Fields | string {
  requestOpen = -1;
  requestVersion = false;
  // Up to four space-separated head fields: [vhost[:port]] client ident user, then ` [`.
  const s1 = text.indexOf(' ');
  let open: number;
  let s2: number;
  let s3: number;
  if (
    s1 > 0 &&
    text.charCodeAt(s1 + 1) === 45 &&
    text.charCodeAt(s1 + 2) === 32 &&
    text.charCodeAt(s1 + 3) === 45 &&
    text.charCodeAt(s1 + 4) === 32 &&
    text.charCodeAt(s1 + 5) === 91
  ) {
    // `client - - [`, the usual head, checked in place: no space precedes s1, so this is the first ` [`.
    open = s1 + 4;
    s2 = s1 + 2;
    s3 = open;
  } else {
    // A one-character search is much cheaper than a two-character one; confirm the space after.
    const bracket = text.indexOf('[');
    open = bracket > 0 && text.charCodeAt(bracket - 1) === 32 ? bracket - 1 : text.indexOf(' [');
    if (open < 0) return 'no [timestamp]';
    // The spaces are found in place when the fields between them are one character (`- -`).
    s2 = s1 < open ? (text.charCodeAt(s1 + 2) === 32 && text.charCodeAt(s1 + 1) !== 32 ? s1 + 2 : text.indexOf(' ', s1 + 1)) : -1;
    s3 = s2 >= 0 && s2 < open ? (s2 + 2 === open && text.charCodeAt(s2 + 1) !== 32 ? open : text.indexOf(' ', s2 + 1)) : -1;
  }
  const fields: Fields = {};
  let clientStart = 0;
  let userStart: number;
  if (s3 >= 0 && s3 < open) {
    if (text.indexOf(' ', s3 + 1) < open) return 'expected "[vhost] client ident user" before the timestamp';
    const vhost = text.slice(0, s1);
    const colon = vhost.lastIndexOf(':');
    const port = colon > 0 ? vhost.slice(colon + 1) : '';
    if (colon > 0 && port !== '' && /^\d+$/.test(port) && (vhost.indexOf(':') === colon || vhost.startsWith('['))) {
      fields['cs-host'] = vhost.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
      fields['s-port'] = Number(port);
    } else if (vhost !== '-') fields['cs-host'] = vhost;
    clientStart = s1 + 1;
    userStart = s3 + 1;
  } else if (s2 >= 0 && s2 < open) {
    userStart = s2 + 1;
  } else return 'expected "[vhost] client ident user" before the timestamp';
  const clientEnd = clientStart === 0 ? s1 : text.indexOf(' ', clientStart);
  if (isUnset(text, clientStart, clientEnd)) return 'no client address';
  fields['c-ip'] = text.slice(clientStart, clientEnd);
  if (!isUnset(text, userStart, open) && open > userStart) fields['cs-username'] = text.slice(userStart, open);
  let close: number;
  let ts: number | undefined;
  // The previous line's stamp and its `]` (it holds no other), found with one search.
  if (lineStamp.length > 0 && text.indexOf(lineStamp, open + 2) === open + 2) {
    close = open + 1 + lineStamp.length;
    ts = lineStampMs;
  } else {
    close = text.indexOf(']', open + 2);
    if (close < 0) return 'unterminated [timestamp]';
    ts = clfStamp(text, open + 2, close);
    if (ts === undefined) return `bad timestamp ${excerpt(text.slice(open + 2, close))}`;
    lineStamp = text.slice(open + 2, close + 1);
    lineStampMs = ts;
  }
  let p = close + 1;
  if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 34) return 'no quoted request line after the timestamp';
  requestOpen = p + 1;
  const escapes = text.indexOf('\\', p + 1);
  const reqClose = forcedClose >= 0 ? forcedClose : escapes < 0 ? text.indexOf('"', p + 2) : -1;
  if (forcedClose >= 0 && escapes >= 0 && escapes < forcedClose) {
    const req = unescapeRange(text, p + 2, forcedClose);
    setRequest(fields, req, 0, req.length);
    p = forcedClose + 1;
  } else if (reqClose >= 0) {
    setRequest(fields, text, p + 2, reqClose);
    p = reqClose + 1;
  } else {
    const req = quoted(text, p + 1, escapes);
    if (req === undefined) return 'unterminated request line';
    setRequest(fields, req, 0, req.length);
    p = quotedEnd;
  }
  if (text.charCodeAt(p) !== 32) return 'no status after the request line';
  // Statuses have three digits: check for the space after them before searching for it.
  let e = text.charCodeAt(p + 4) === 32 && text.charCodeAt(p + 3) !== 32 && text.charCodeAt(p + 2) !== 32 && text.charCodeAt(p + 1) !== 32 ? p + 4 : text.indexOf(' ', p + 1);
  if (e < 0) e = text.length;
  const status = numberAt(text, p + 1, e);
  if (status === BAD) return `bad status ${excerpt(text.slice(p + 1, e))}`;
  if (status !== UNSET) fields['sc-status'] = status;
  p = e;
  if (p < text.length) {
    e = text.indexOf(' ', p + 1);
    if (e < 0) e = text.length;
    const bytes = numberAt(text, p + 1, e);
    if (bytes === BAD) return `bad byte count ${excerpt(text.slice(p + 1, e))}`;
    if (bytes !== UNSET) fields['sc-bytes'] = bytes;
    p = e;
  }
  // Combined format: "referer" "user-agent"; anything after them (nginx extras) is ignored.
  if (p < text.length && text.charCodeAt(p + 1) === 34) {
    if (text.charCodeAt(p + 2) === 45 && text.charCodeAt(p + 3) === 34)
      p += 4; // "-", the usual empty referer
    else {
      const ref = headerField(text, p + 1, escapes);
      if (ref === undefined) return 'unterminated referer';
      if (ref !== '-' && ref !== '') fields['cs-referer'] = ref;
      p = quotedEnd;
    }
    if (p < text.length && text.charCodeAt(p + 1) === 34) {
      const ua = headerField(text, p + 1, escapes);
      if (ua === undefined) return 'unterminated user agent';
      if (ua !== '-' && ua !== '') fields['cs-user-agent'] = ua;
    }
  }
  parsedTs = ts;
  return fields;
}

/** The next quote after s[q] that ends a quoted field (escaped ones skipped when the line has backslashes), or -1. */
function nextQuote(s: string, q: number, escapes: boolean): number {
  return escapes ? closingQuote(s, q) : s.indexOf('"', q + 1);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether s[q] === '"' is followed by what ends a request line: ` <status>` (three digits or `-`), then ` <bytes>` or the end, then a space or the end. */
function statusFollows(s: string, q: number): boolean {
  if (s.charCodeAt(q + 1) !== 32) return false;
  let p = q + 2;
  if (s.charCodeAt(p) === 45) p++;
  else if (isDigit(s.charCodeAt(p)) && isDigit(s.charCodeAt(p + 1)) && isDigit(s.charCodeAt(p + 2))) p += 3;
  else return false;
  if (p === s.length) return true;
  if (s.charCodeAt(p) !== 32) return false;
  const b = ++p;
  if (s.charCodeAt(p) === 45) p++;
  else while (p < s.length && isDigit(s.charCodeAt(p))) p++;
  return p > b && p - b <= 15 && (p === s.length || s.charCodeAt(p) === 32);
}

/** Whether the request line s(open, q) ends with a protocol version (` HTTP/1.1`). */
function versionEnds(s: string, open: number, q: number): boolean {
  const sp = s.lastIndexOf(' ', q - 1);
  if (sp <= open + 1 || q - sp < 7 || !isHttpVersion(s, sp + 1)) return false;
  for (let i = sp + 6; i < q; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c) && c !== 46) return false;
  }
  return true;
}

/**
 * Tomcat (before 8.5 escaped them) and other servers write the request line's quotes as they
 * were sent, and attack requests are full of them (`GET /x?q="><script>`): the first quote
 * then does not end the request. The fields are positional, so the request ends at the quote
 * followed by ` <status> <bytes>`. When the first quote fails as the end (or gives a request
 * without a protocol version), the later quotes are tried: the first one after which the
 * request ends with a version wins, else (when the first quote failed) the first one followed
 * by a status. A request target never holds a space, so a `" 200 5 "` inside it can only come
 * from a malformed request; a forged one in a header after the request (referer, user agent)
 * is never reached, because the first quote that works ends the request.
 */
function parseStrayQuotes(text: string): Fields | string {
  const first = parseLine(text);
  return requestOpen < 0 || (requestVersion && typeof first !== 'string') ? first : retryStrayQuotes(text, first);
}

/** parseStrayQuotes' second look, once the first quote failed as the request's end (`first` is what it gave). */
function retryStrayQuotes(text: string, first: Fields | string): Fields | string {
  const open = requestOpen;
  const failed = typeof first === 'string';
  const escapes = text.indexOf('\\', open) >= 0;
  const firstClose = nextQuote(text, open, escapes);
  if (firstClose < 0) return first;
  let chosen = -1;
  let fallback = -1;
  for (let q = nextQuote(text, firstClose, escapes); q >= 0; q = nextQuote(text, q, escapes)) {
    if (!statusFollows(text, q)) continue;
    if (versionEnds(text, open, q)) {
      chosen = q;
      break;
    }
    if (failed && fallback < 0) fallback = q;
  }
  if (chosen < 0) chosen = fallback;
  if (chosen < 0) return first;
  const ts = parsedTs;
  const r = parseLine(text, chosen);
  if (typeof r !== 'string') return r;
  parsedTs = ts;
  return first;
}

class AccessState implements LineDecoderState {
  constructor(private readonly ctx: DecodeContext) {}
  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    let r = parseLine(text);
    if (requestOpen >= 0 && (typeof r === 'string' || !requestVersion)) r = retryStrayQuotes(text, r);
    if (typeof r === 'string') {
      reportLine(this.ctx, lineNo, `not an access-log line (${r}); skipped: ${excerpt(text)}`);
      return;
    }
    // Built as one literal (the shape makeEvent gives an event without host): no shape change per event.
    if (Number.isFinite(parsedTs)) emit({ fields: r, logsource: LOGSOURCE, origin: { file: this.ctx.file, record: lineNo, format: FORMAT }, raw: text, timestamp: parsedTs });
    else emit(makeEvent(r, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, undefined, undefined));
  }
  end(): void {
    // One record per line; nothing is buffered.
  }
}

const SNIFF = /^(\S+ )?\S+ \S+ \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}\] "/;

export const accessDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Apache/Nginx/Tomcat access log (common, combined, vhost variants), webserver category',
  sniff(lines: string[]): number {
    const s = share(lines, (l) => SNIFF.test(l));
    return s >= 0.5 ? 0.9 * s : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new AccessState(ctx);
  },
  splittable: () => true,
};
