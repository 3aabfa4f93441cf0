/**
 * Apache / Nginx / Tomcat access logs: NCSA common and combined formats, with or without a
 * leading `vhost[:port]`, `\"` and `\xHH` escapes, IPv6 clients, `-` for empty. A hand-written
 * scanner (no regex on the hot path). Yields Sigma `category: webserver` events, lazily: each
 * line is checked in full here (every problem is reported as the line is read) and its event
 * makes its field map from the positions found, on first read (access-event.ts).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { AccessEvent, AccessSpans, REQUEST_NONE, REQUEST_SPLIT, REQUEST_WHOLE, UNSET, VERSION_HTTP11, VERSION_NONE, VERSION_OTHER, accessFields } from './access-event.js';
import { closingQuote, readQuoted, unescapeRange } from './access-quotes.js';
import { civilMs, digits, excerpt, fractionMs, hasAt, monthAt, reportLine, share, zoneOffset } from './common.js';

export { readQuoted } from './access-quotes.js';

const FORMAT = 'access';
const LOGSOURCE: LogSource = { category: 'webserver' };

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
const BAD = -2;

/** The number bytesEnd last read. */
let readBytes = 0;

/**
 * The end of a byte count of 1 to 15 digits at text[start] followed by a space or the line's
 * end, its value left in `readBytes`; -1 for anything else (numberAt then decides, after a search).
 */
function bytesEnd(text: string, start: number): number {
  const len = text.length;
  let i = start;
  let n = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  if (i === start || i - start > 15 || (i < len && text.charCodeAt(i) !== 32)) return -1;
  readBytes = n;
  return i;
}

/** Finds how the request line s[start, end) splits (method, target, version) and records it in `sp`. */
function splitRequest(sp: AccessSpans, s: string, start: number, end: number, unescaped: string | undefined): void {
  sp.req = unescaped;
  sp.reqStart = start;
  sp.reqEnd = end;
  sp.version = VERSION_NONE;
  const len = end - start;
  if (len === 0 || (len === 1 && s.charCodeAt(start) === 45)) {
    sp.reqKind = REQUEST_NONE;
    return;
  }
  let sp1 = s.indexOf(' ', start);
  if (sp1 >= end) sp1 = -1;
  if (sp1 <= start) {
    sp.reqKind = REQUEST_WHOLE;
    return;
  }
  sp.reqKind = REQUEST_SPLIT;
  sp.methodEnd = sp1;
  sp.targetEnd = end;
  if (end - 9 > sp1 && s.indexOf(' HTTP/1.1', end - 9) === end - 9) {
    // The commonest ending, found by one search (cheaper than reading its nine characters).
    sp.targetEnd = end - 9;
    sp.version = VERSION_HTTP11;
    return;
  }
  // Other `... HTTP/x.y` endings are checked in place; anything else searches for the last space.
  const usual =
    end - 9 > sp1 && s.charCodeAt(end - 9) === 32 && isHttpVersion(s, end - 8) && s.charCodeAt(end - 3) !== 32 && s.charCodeAt(end - 2) !== 32 && s.charCodeAt(end - 1) !== 32;
  const sp2 = usual ? end - 9 : s.lastIndexOf(' ', end - 1);
  if (sp2 > sp1 && (usual || hasAt(s, 'HTTP/', sp2 + 1))) {
    sp.targetEnd = sp2;
    sp.version = VERSION_OTHER;
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
/**
 * ` - - [stamp] "` with the last line's stamp: the usual head (no ident, no user) and the same
 * stamp are then checked by one search at the line's first space, instead of reading the
 * head's characters one by one and searching for the stamp.
 */
let lineHead = '';

/** Whether the quote at s[q] can end a header field: the line ends there or the next quoted field starts (` "`). */
function endsField(s: string, q: number): boolean {
  return q + 1 === s.length || (s.charCodeAt(q + 1) === 32 && s.charCodeAt(q + 2) === 34);
}

/**
 * The closing quote of a quoted header field (referer, user agent) starting at s[pos] === '"',
 * or -1 when none closes it. Servers that do not escape quotes write them as sent (a
 * Shellshock user agent is full of them): the field ends at its first quote followed by the
 * line's end or the next quoted field, else at its first quote. `escapes` is the line's first
 * backslash at or after the request (-1: none): without one, the usual field is one search.
 */
function headerClose(s: string, pos: number, escapes: number): number {
  // The usual field: its first quote ends it (the line's end, or ` "` and the next field follow), with no backslash before it.
  const close = s.indexOf('"', pos + 1);
  if (close >= 0 && (escapes < 0 || escapes > close) && (close === s.length - 1 || endsField(s, close))) return close;
  return close < 0 ? -1 : strayHeaderClose(s, pos, escapes >= 0);
}

/** headerClose when the field has escapes or its first quote is not the end. */
function strayHeaderClose(s: string, pos: number, esc: boolean): number {
  const close = nextQuote(s, pos, esc);
  if (close < 0 || endsField(s, close)) return close;
  for (let q = nextQuote(s, close, esc); q >= 0; q = nextQuote(s, q, esc)) if (endsField(s, q)) return q;
  return close;
}

/** Parses one access-log line into webserver fields; returns a reason string on failure. */
export function parseAccessLine(text: string): { fields: Fields; ts: number } | string {
  const sp = new AccessSpans();
  let r = parseLine(text, sp);
  if (requestOpen >= 0 && (r !== undefined || sp.version === VERSION_NONE)) r = retryStrayQuotes(text, sp, r);
  return r ?? { fields: accessFields(text, sp), ts: sp.ts };
}

/** Why parseHead failed. */
let headReason = '';

function headFails(reason: string): number {
  headReason = reason;
  return -1;
}

/**
 * Checks the head of a line (`[vhost] client ident user [stamp] "`, s1 its first space) and
 * records where its fields lie in `sp` (its time too); returns the index of the space before the
 * request's quote, or -1 with the reason in `headReason`.
 */
function parseHead(text: string, sp: AccessSpans, s1: number): number {
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
    if (open < 0) return headFails('no [timestamp]');
    // The spaces are found in place when the fields between them are one character (`- -`).
    s2 = s1 < open ? (text.charCodeAt(s1 + 2) === 32 && text.charCodeAt(s1 + 1) !== 32 ? s1 + 2 : text.indexOf(' ', s1 + 1)) : -1;
    s3 = s2 >= 0 && s2 < open ? (s2 + 2 === open && text.charCodeAt(s2 + 1) !== 32 ? open : text.indexOf(' ', s2 + 1)) : -1;
  }
  let clientStart = 0;
  let userStart: number;
  if (s3 >= 0 && s3 < open) {
    if (text.indexOf(' ', s3 + 1) < open) return headFails('expected "[vhost] client ident user" before the timestamp');
    // The vhost (and its port) are read from the line when the fields are made.
    sp.vhostEnd = s1;
    clientStart = s1 + 1;
    userStart = s3 + 1;
  } else if (s2 >= 0 && s2 < open) {
    sp.vhostEnd = -1;
    userStart = s2 + 1;
  } else return headFails('expected "[vhost] client ident user" before the timestamp');
  const clientEnd = clientStart === 0 ? s1 : text.indexOf(' ', clientStart);
  if (isUnset(text, clientStart, clientEnd)) return headFails('no client address');
  sp.clientStart = clientStart;
  sp.clientEnd = clientEnd;
  sp.userStart = userStart;
  sp.userEnd = !isUnset(text, userStart, open) && open > userStart ? open : -1;
  let close: number;
  let ts: number | undefined;
  // The previous line's stamp and its `]` (it holds no other), found with one search.
  if (lineStamp.length > 0 && text.indexOf(lineStamp, open + 2) === open + 2) {
    close = open + 1 + lineStamp.length;
    ts = lineStampMs;
  } else {
    close = text.indexOf(']', open + 2);
    if (close < 0) return headFails('unterminated [timestamp]');
    ts = clfStamp(text, open + 2, close);
    if (ts === undefined) return headFails(`bad timestamp ${excerpt(text.slice(open + 2, close))}`);
    lineStamp = text.slice(open + 2, close + 1);
    lineStampMs = ts;
    lineHead = ` - - [${lineStamp} "`;
  }
  const p = close + 1;
  if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 34) return headFails('no quoted request line after the timestamp');
  sp.ts = ts;
  return p;
}

/** Index of the request line's opening quote in the line parseLine last read, or -1 when it failed before reaching it. */
let requestOpen = -1;

/**
 * Checks one line and records in `sp` where its fields lie; returns why it is not an access-log
 * line, or undefined. The request line ends at its first unescaped quote, or at `forcedClose`
 * (see retryStrayQuotes). Every check is made here, whether or not the fields are ever read.
 */
function parseLine(text: string, sp: AccessSpans, forcedClose = -1): string | undefined {
  requestOpen = -1;
  sp.version = VERSION_NONE;
  // Up to four space-separated head fields: [vhost[:port]] client ident user, then ` [`.
  const s1 = text.indexOf(' ');
  let p: number;
  if (s1 > 0 && lineHead.length > 0 && text.indexOf(lineHead, s1) === s1) {
    // `client - - [stamp] "` with the last line's stamp: parseHead's checks in one search.
    if (s1 === 1 && text.charCodeAt(0) === 45) return 'no client address';
    sp.vhostEnd = -1;
    sp.clientStart = 0;
    sp.clientEnd = s1;
    sp.userStart = s1 + 3;
    sp.userEnd = -1;
    sp.ts = lineStampMs;
    p = s1 + lineHead.length - 2;
  } else {
    p = parseHead(text, sp, s1);
    if (p < 0) return headReason;
  }
  requestOpen = p + 1;
  const escapes = text.indexOf('\\', p + 1);
  sp.escapes = escapes;
  const reqClose = forcedClose >= 0 ? forcedClose : escapes < 0 ? text.indexOf('"', p + 2) : -1;
  if (forcedClose >= 0 && escapes >= 0 && escapes < forcedClose) {
    const req = unescapeRange(text, p + 2, forcedClose);
    splitRequest(sp, req, 0, req.length, req);
    p = forcedClose + 1;
  } else if (reqClose >= 0) {
    splitRequest(sp, text, p + 2, reqClose, undefined);
    p = reqClose + 1;
  } else {
    // The line has a backslash: a request without one before its first quote is that quote's.
    const first = escapes < 0 ? -1 : text.indexOf('"', p + 2);
    if (first < 0) return 'unterminated request line';
    if (escapes > first) {
      splitRequest(sp, text, p + 2, first, undefined);
      p = first + 1;
    } else {
      const q = readQuoted(text, p + 1);
      if (!q) return 'unterminated request line';
      splitRequest(sp, q.value, 0, q.value.length, q.value);
      p = q.end;
    }
  }
  if (text.charCodeAt(p) !== 32) return 'no status after the request line';
  // Statuses have three digits followed by a space: read in place, else searched for and checked.
  const d1 = text.charCodeAt(p + 1) - 48;
  const d2 = text.charCodeAt(p + 2) - 48;
  const d3 = text.charCodeAt(p + 3) - 48;
  if (d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9 && d3 >= 0 && d3 <= 9 && text.charCodeAt(p + 4) === 32) {
    sp.status = d1 * 100 + d2 * 10 + d3;
    p += 4;
  } else {
    let e = text.indexOf(' ', p + 1);
    if (e < 0) e = text.length;
    const status = numberAt(text, p + 1, e);
    if (status === BAD) return `bad status ${excerpt(text.slice(p + 1, e))}`;
    sp.status = status;
    p = e;
  }
  sp.bytes = UNSET;
  if (p < text.length) {
    const e = bytesEnd(text, p + 1);
    if (e >= 0) {
      sp.bytes = readBytes;
      p = e;
    } else {
      let e = text.indexOf(' ', p + 1);
      if (e < 0) e = text.length;
      const bytes = numberAt(text, p + 1, e);
      if (bytes === BAD) return `bad byte count ${excerpt(text.slice(p + 1, e))}`;
      sp.bytes = bytes;
      p = e;
    }
  }
  sp.refStart = -1;
  sp.uaStart = -1;
  // Combined format: "referer" "user-agent"; anything after them (nginx extras) is ignored.
  if (p < text.length && text.charCodeAt(p + 1) === 34) {
    if (text.charCodeAt(p + 2) === 45 && text.charCodeAt(p + 3) === 34)
      p += 4; // "-", the usual empty referer
    else {
      const q = headerClose(text, p + 1, escapes);
      if (q < 0) return 'unterminated referer';
      sp.refStart = p + 2;
      sp.refEnd = q;
      p = q + 1;
    }
    if (p < text.length && text.charCodeAt(p + 1) === 34) {
      const q = headerClose(text, p + 1, escapes);
      if (q < 0) return 'unterminated user agent';
      sp.uaStart = p + 2;
      sp.uaEnd = q;
    }
  }
  return undefined;
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

/** Where each line is checked into (the event copies what it needs). */
const lineSpans = new AccessSpans();

/** Where retryStrayQuotes checks the line again (a line's own spans are kept when that fails). */
const retrySpans = new AccessSpans();

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
 *
 * `first` is what parseLine gave with the first quote (`sp` holds its spans); returns the
 * line's result, with `sp` holding the spans of the quote that won.
 */
function retryStrayQuotes(text: string, sp: AccessSpans, first: string | undefined): string | undefined {
  const open = requestOpen;
  const failed = first !== undefined;
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
  if (parseLine(text, retrySpans, chosen) !== undefined) return first;
  sp.copyFrom(retrySpans);
  return undefined;
}

class AccessState implements LineDecoderState {
  constructor(private readonly ctx: DecodeContext) {}
  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const sp = lineSpans;
    let r = parseLine(text, sp);
    if (requestOpen >= 0 && (r !== undefined || sp.version === VERSION_NONE)) r = retryStrayQuotes(text, sp, r);
    if (r !== undefined) {
      reportLine(this.ctx, lineNo, `not an access-log line (${r}); skipped: ${excerpt(text)}`);
      return;
    }
    emit(new AccessEvent(text, sp, LOGSOURCE, this.ctx.file, lineNo, FORMAT));
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
