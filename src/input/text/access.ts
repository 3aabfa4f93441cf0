/**
 * Apache / Nginx / Tomcat access logs: NCSA common and combined formats, with or without a
 * leading `vhost[:port]`, `\"` and `\xHH` escapes, IPv6 clients, `-` for empty. A hand-written
 * scanner (no regex on the hot path). Yields Sigma `category: webserver` events.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { bytesToText, civilMs, digits, excerpt, fractionMs, makeEvent, monthAt, reportLine, share, zoneOffset } from './common.js';

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

/** Reads `"..."` starting at s[pos] === '"', undoing the server's escapes. */
export function readQuoted(s: string, pos: number): Quoted | undefined {
  const close = s.indexOf('"', pos + 1);
  if (close < 0) return undefined;
  const slash = s.indexOf('\\', pos + 1);
  if (slash < 0 || slash > close) return { value: s.slice(pos + 1, close), end: close + 1 };
  // Slow path: escapes present. Collect pieces, never single characters.
  const parts: string[] = [];
  let run = pos + 1;
  let i = pos + 1;
  let bytes: number[] | undefined;
  const flushBytes = (): void => {
    if (bytes) {
      parts.push(bytesToText(bytes));
      bytes = undefined;
    }
  };
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 34 /* " */) {
      flushBytes();
      parts.push(s.slice(run, i));
      return { value: parts.join(''), end: i + 1 };
    }
    if (c !== 92 /* \ */) {
      i++;
      continue;
    }
    const next = s.charCodeAt(i + 1);
    if (next === 120 /* x */ && isHex(s.charCodeAt(i + 2)) && isHex(s.charCodeAt(i + 3))) {
      if (i > run) {
        flushBytes();
        parts.push(s.slice(run, i));
      }
      (bytes ??= []).push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
      run = i;
      continue;
    }
    let repl: string | undefined;
    if (next === 34) repl = '"';
    else if (next === 92) repl = '\\';
    else if (next === 110) repl = '\n';
    else if (next === 116) repl = '\t';
    else if (next === 114) repl = '\r';
    if (repl === undefined) {
      i++;
      continue;
    }
    flushBytes();
    parts.push(s.slice(run, i), repl);
    i += 2;
    run = i;
  }
  return undefined;
}

/** `10/Oct/2000:13:55:36 -0700` (optionally with fractional seconds) to epoch ms. */
export function clfStamp(s: string, at = 0, end = s.length): number | undefined {
  const d = digits(s, at, 2);
  const mo = monthAt(s, at + 3);
  const y = digits(s, at + 7, 4);
  if (s.charCodeAt(at + 2) !== 47 || s.charCodeAt(at + 6) !== 47 || s.charCodeAt(at + 11) !== 58 || mo < 0) return undefined;
  const h = digits(s, at + 12, 2);
  const mi = digits(s, at + 15, 2);
  const sec = digits(s, at + 18, 2);
  let p = at + 20;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
    const f = fractionMs(s, p + 1);
    ms = f.ms;
    p = f.end;
  }
  const local = civilMs(y, mo, d, h, mi, sec, ms);
  if (local === undefined) return undefined;
  if (p >= end) return local;
  if (s.charCodeAt(p) !== 32) return undefined;
  const z = zoneOffset(s, p + 1);
  if (!z || z.end !== end) return undefined;
  return local - z.minutes * 60000;
}

/** Sets a non-negative integer field from text[start, end); `-` means absent. False when not a number. */
function setNum(fields: Fields, name: string, text: string, start: number, end: number): boolean {
  if (end - start === 1 && text.charCodeAt(start) === 45) return true;
  if (end <= start || end - start > 15) return false;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    n = n * 10 + c;
  }
  fields[name] = n;
  return true;
}

function setRequest(fields: Fields, req: string): void {
  const sp1 = req.indexOf(' ');
  if (req === '-' || req === '') return;
  if (sp1 <= 0) {
    fields['cs-request'] = req;
    return;
  }
  fields['cs-method'] = req.slice(0, sp1);
  let target: string;
  const sp2 = req.lastIndexOf(' ');
  if (sp2 > sp1 && req.startsWith('HTTP/', sp2 + 1)) {
    target = req.slice(sp1 + 1, sp2);
    fields['cs-version'] = req.slice(sp2 + 1);
  } else target = req.slice(sp1 + 1);
  const q = target.indexOf('?');
  if (q < 0) fields['cs-uri-stem'] = target;
  else {
    fields['cs-uri-stem'] = target.slice(0, q);
    if (q + 1 < target.length) fields['cs-uri-query'] = target.slice(q + 1);
  }
}

/** Parses one access-log line into webserver fields; returns a reason string on failure. */
export function parseAccessLine(text: string): { fields: Fields; ts: number } | string {
  const open = text.indexOf(' [');
  if (open < 0) return 'no [timestamp]';
  // Up to four space-separated head fields: [vhost[:port]] client ident user.
  const s1 = text.indexOf(' ');
  const s2 = s1 < open ? text.indexOf(' ', s1 + 1) : -1;
  const s3 = s2 >= 0 && s2 < open ? text.indexOf(' ', s2 + 1) : -1;
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
  const clientEnd = text.indexOf(' ', clientStart);
  const client = text.slice(clientStart, clientEnd);
  if (client === '' || client === '-') return 'no client address';
  fields['c-ip'] = client;
  if (!(open - userStart === 1 && text.charCodeAt(userStart) === 45) && open > userStart) fields['cs-username'] = text.slice(userStart, open);
  const close = text.indexOf(']', open + 2);
  if (close < 0) return 'unterminated [timestamp]';
  const ts = clfStamp(text, open + 2, close);
  if (ts === undefined) return `bad timestamp ${excerpt(text.slice(open + 2, close))}`;
  let p = close + 1;
  if (text.charCodeAt(p) !== 32 || text.charCodeAt(p + 1) !== 34) return 'no quoted request line after the timestamp';
  const req = readQuoted(text, p + 1);
  if (!req) return 'unterminated request line';
  setRequest(fields, req.value);
  p = req.end;
  if (text.charCodeAt(p) !== 32) return 'no status after the request line';
  let e = text.indexOf(' ', p + 1);
  if (e < 0) e = text.length;
  if (!setNum(fields, 'sc-status', text, p + 1, e)) return `bad status ${excerpt(text.slice(p + 1, e))}`;
  p = e;
  if (p < text.length) {
    e = text.indexOf(' ', p + 1);
    if (e < 0) e = text.length;
    if (!setNum(fields, 'sc-bytes', text, p + 1, e)) return `bad byte count ${excerpt(text.slice(p + 1, e))}`;
    p = e;
  }
  // Combined format: "referer" "user-agent"; anything after them (nginx extras) is ignored.
  if (p < text.length && text.charCodeAt(p + 1) === 34) {
    const ref = readQuoted(text, p + 1);
    if (!ref) return 'unterminated referer';
    if (ref.value !== '-' && ref.value !== '') fields['cs-referer'] = ref.value;
    p = ref.end;
    if (p < text.length && text.charCodeAt(p + 1) === 34) {
      const ua = readQuoted(text, p + 1);
      if (!ua) return 'unterminated user agent';
      if (ua.value !== '-' && ua.value !== '') fields['cs-user-agent'] = ua.value;
    }
  }
  return { fields, ts };
}

class AccessState implements LineDecoderState {
  constructor(private readonly ctx: DecodeContext) {}
  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const r = parseAccessLine(text);
    if (typeof r === 'string') {
      reportLine(this.ctx, lineNo, `not an access-log line (${r}); skipped: ${excerpt(text)}`);
      return;
    }
    emit(makeEvent(r.fields, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, r.ts, undefined));
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
};
