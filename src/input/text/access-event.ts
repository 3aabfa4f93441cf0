/**
 * An access-log line's fields, kept as positions until read. The decoder checks the whole line
 * when it reads it (every problem is reported then, see access.ts) and records where each field
 * lies in `AccessSpans`; the event copies those numbers and makes the field map from them on
 * first read: the slices, the request's split and the vhost's port are made only for events
 * something reads.
 */
import type { Fields, LogSource } from '../../event/event.js';
import { LazyEvent } from '../../event/lazy-event.js';
import { unescapeRange } from './access-quotes.js';

/** Status or byte count `-`. */
export const UNSET = -1;

/** How a request line splits: empty or `-` (no request fields). */
export const REQUEST_NONE = 0;
/** One word (no space after its first character): `cs-request`. */
export const REQUEST_WHOLE = 1;
/** `method target[ version]`. */
export const REQUEST_SPLIT = 2;
export type RequestKind = typeof REQUEST_NONE | typeof REQUEST_WHOLE | typeof REQUEST_SPLIT;

/** The request line ends with no protocol version. */
export const VERSION_NONE = 0;
/** ` HTTP/1.1`, the commonest: the value is the constant, not a slice. */
export const VERSION_HTTP11 = 1;
/** Another ` HTTP/...` ending: the text after the target. */
export const VERSION_OTHER = 2;
export type Version = typeof VERSION_NONE | typeof VERSION_HTTP11 | typeof VERSION_OTHER;

/**
 * Where the fields of the line last checked lie: positions in the line, except the request's,
 * which are in `req` (the line itself, or the request's unescaped text when it had escapes).
 */
export class AccessSpans {
  /** Index of the space after a leading `vhost[:port]`, -1 when the line has none. */
  vhostEnd = -1;
  clientStart = 0;
  clientEnd = 0;
  userStart = 0;
  /** End of the user name; -1 when it is `-` or empty. */
  userEnd = -1;
  /**
   * The request line's text when it is not in the line (it had escapes, undone here); undefined:
   * reqStart and reqEnd are positions in the line. (The decoder's AccessSpans lives long: a new
   * string stored in it per line would cost a write barrier each time.)
   */
  req: string | undefined = undefined;
  reqStart = 0;
  reqEnd = 0;
  reqKind: RequestKind = REQUEST_NONE;
  /** The space after the method. */
  methodEnd = 0;
  /** End of the target (where ` HTTP/...` starts, or reqEnd). */
  targetEnd = 0;
  version: Version = VERSION_NONE;
  status = UNSET;
  bytes = UNSET;
  /** The line's first backslash at or after the request's opening quote, -1 when none. */
  escapes = -1;
  /** The referer's text (between its quotes); start -1 when there is none or it is `-`. */
  refStart = -1;
  refEnd = -1;
  uaStart = -1;
  uaEnd = -1;
  /** The line's time (epoch ms), a double from the start: it is updated in place, where a module variable would box each time. */
  ts = 0.5;

  copyFrom(o: AccessSpans): void {
    this.vhostEnd = o.vhostEnd;
    this.clientStart = o.clientStart;
    this.clientEnd = o.clientEnd;
    this.userStart = o.userStart;
    this.userEnd = o.userEnd;
    this.req = o.req;
    this.reqStart = o.reqStart;
    this.reqEnd = o.reqEnd;
    this.reqKind = o.reqKind;
    this.methodEnd = o.methodEnd;
    this.targetEnd = o.targetEnd;
    this.version = o.version;
    this.status = o.status;
    this.bytes = o.bytes;
    this.escapes = o.escapes;
    this.refStart = o.refStart;
    this.refEnd = o.refEnd;
    this.uaStart = o.uaStart;
    this.uaEnd = o.uaEnd;
    this.ts = o.ts;
  }
}

const PORT = /^\d+$/;
const BRACKETED = /^\[(.*)\]$/;

/** A quoted header field's value: s[start, end) with the server's escapes undone when the line has any there. */
function headerValue(s: string, start: number, end: number, escapes: number): string {
  return escapes < 0 || escapes >= end ? s.slice(start, end) : unescapeRange(s, start, end);
}

/**
 * The fields of the usual combined-format line (no vhost, no user, `method target HTTP/x.y`,
 * status, bytes, user agent), made as one literal per combination of the optional query and
 * referer: one allocation with every property in the object, where adding them one by one
 * grows a property store. Keys in accessFields' order; undefined for any other line.
 */
function usualFields(text: string, sp: AccessSpans): Fields | undefined {
  if (sp.vhostEnd >= 0 || sp.userEnd >= 0 || sp.reqKind !== REQUEST_SPLIT || sp.version === VERSION_NONE || sp.status === UNSET || sp.bytes === UNSET || sp.uaStart < 0)
    return undefined;
  const ua = headerValue(text, sp.uaStart, sp.uaEnd, sp.escapes);
  if (ua === '-' || ua === '') return undefined;
  const req = sp.req ?? text;
  const t = sp.methodEnd + 1;
  const targetEnd = sp.targetEnd;
  const ip = text.slice(sp.clientStart, sp.clientEnd);
  const method = req.slice(sp.reqStart, sp.methodEnd);
  const version = sp.version === VERSION_HTTP11 ? 'HTTP/1.1' : req.slice(targetEnd + 1, sp.reqEnd);
  let q = req.indexOf('?', t);
  if (q >= targetEnd) q = -1;
  const stem = req.slice(t, q < 0 ? targetEnd : q);
  const query = q >= 0 && q + 1 < targetEnd ? req.slice(q + 1, targetEnd) : undefined;
  let ref: string | undefined;
  if (sp.refStart >= 0) {
    ref = headerValue(text, sp.refStart, sp.refEnd, sp.escapes);
    if (ref === '-' || ref === '') ref = undefined;
  }
  const status = sp.status;
  const bytes = sp.bytes;
  if (query === undefined) {
    return ref === undefined
      ? { 'c-ip': ip, 'cs-method': method, 'cs-version': version, 'cs-uri-stem': stem, 'sc-status': status, 'sc-bytes': bytes, 'cs-user-agent': ua }
      : { 'c-ip': ip, 'cs-method': method, 'cs-version': version, 'cs-uri-stem': stem, 'sc-status': status, 'sc-bytes': bytes, 'cs-referer': ref, 'cs-user-agent': ua };
  }
  return ref === undefined
    ? { 'c-ip': ip, 'cs-method': method, 'cs-version': version, 'cs-uri-stem': stem, 'cs-uri-query': query, 'sc-status': status, 'sc-bytes': bytes, 'cs-user-agent': ua }
    : {
        'c-ip': ip,
        'cs-method': method,
        'cs-version': version,
        'cs-uri-stem': stem,
        'cs-uri-query': query,
        'sc-status': status,
        'sc-bytes': bytes,
        'cs-referer': ref,
        'cs-user-agent': ua,
      };
}

/** The webserver fields of `text`, which `sp` describes (keys in the order the decoder has always given). */
export function accessFields(text: string, sp: AccessSpans): Fields {
  const usual = usualFields(text, sp);
  if (usual !== undefined) return usual;
  const fields: Fields = {};
  if (sp.vhostEnd >= 0) {
    const vhost = text.slice(0, sp.vhostEnd);
    const colon = vhost.lastIndexOf(':');
    const port = colon > 0 ? vhost.slice(colon + 1) : '';
    if (colon > 0 && port !== '' && PORT.test(port) && (vhost.indexOf(':') === colon || vhost.startsWith('['))) {
      fields['cs-host'] = vhost.slice(0, colon).replace(BRACKETED, '$1');
      fields['s-port'] = Number(port);
    } else if (vhost !== '-') fields['cs-host'] = vhost;
  }
  fields['c-ip'] = text.slice(sp.clientStart, sp.clientEnd);
  if (sp.userEnd >= 0) fields['cs-username'] = text.slice(sp.userStart, sp.userEnd);
  const req = sp.req ?? text;
  if (sp.reqKind === REQUEST_WHOLE) fields['cs-request'] = req.slice(sp.reqStart, sp.reqEnd);
  else if (sp.reqKind === REQUEST_SPLIT) {
    const t = sp.methodEnd + 1;
    const targetEnd = sp.targetEnd;
    fields['cs-method'] = req.slice(sp.reqStart, sp.methodEnd);
    if (sp.version === VERSION_HTTP11) fields['cs-version'] = 'HTTP/1.1';
    else if (sp.version === VERSION_OTHER) fields['cs-version'] = req.slice(targetEnd + 1, sp.reqEnd);
    let q = req.indexOf('?', t);
    if (q >= targetEnd) q = -1;
    if (q < 0) fields['cs-uri-stem'] = req.slice(t, targetEnd);
    else {
      fields['cs-uri-stem'] = req.slice(t, q);
      if (q + 1 < targetEnd) fields['cs-uri-query'] = req.slice(q + 1, targetEnd);
    }
  }
  if (sp.status !== UNSET) fields['sc-status'] = sp.status;
  if (sp.bytes !== UNSET) fields['sc-bytes'] = sp.bytes;
  if (sp.refStart >= 0) {
    const ref = headerValue(text, sp.refStart, sp.refEnd, sp.escapes);
    if (ref !== '-' && ref !== '') fields['cs-referer'] = ref;
  }
  if (sp.uaStart >= 0) {
    const ua = headerValue(text, sp.uaStart, sp.uaEnd, sp.escapes);
    if (ua !== '-' && ua !== '') fields['cs-user-agent'] = ua;
  }
  return fields;
}

/** Where AccessEvent puts its copy of the spans back together to make its fields. */
const building = new AccessSpans();

/**
 * A checked access-log line; its fields are made on first read, from the positions the check
 * found. The positions are copied into the event (the decoder reuses one AccessSpans): one
 * object per line instead of two.
 */
export class AccessEvent extends LazyEvent {
  readonly #line: string;
  readonly #vhostEnd: number;
  readonly #clientEnd: number;
  readonly #userStart: number;
  readonly #userEnd: number;
  readonly #req: string | undefined;
  readonly #reqStart: number;
  readonly #reqEnd: number;
  readonly #reqKind: RequestKind;
  readonly #methodEnd: number;
  readonly #targetEnd: number;
  readonly #version: Version;
  readonly #status: number;
  readonly #bytes: number;
  readonly #escapes: number;
  readonly #refStart: number;
  readonly #refEnd: number;
  readonly #uaStart: number;
  readonly #uaEnd: number;

  constructor(text: string, sp: AccessSpans, logsource: LogSource, file: string, record: number, format: string) {
    super(logsource, { file, record, format }, text, sp.ts, undefined);
    this.#line = text;
    this.#vhostEnd = sp.vhostEnd;
    this.#clientEnd = sp.clientEnd;
    this.#userStart = sp.userStart;
    this.#userEnd = sp.userEnd;
    this.#req = sp.req;
    this.#reqStart = sp.reqStart;
    this.#reqEnd = sp.reqEnd;
    this.#reqKind = sp.reqKind;
    this.#methodEnd = sp.methodEnd;
    this.#targetEnd = sp.targetEnd;
    this.#version = sp.version;
    this.#status = sp.status;
    this.#bytes = sp.bytes;
    this.#escapes = sp.escapes;
    this.#refStart = sp.refStart;
    this.#refEnd = sp.refEnd;
    this.#uaStart = sp.uaStart;
    this.#uaEnd = sp.uaEnd;
  }

  protected buildFields(): Fields {
    const sp = building;
    sp.vhostEnd = this.#vhostEnd;
    sp.clientStart = this.#vhostEnd + 1;
    sp.clientEnd = this.#clientEnd;
    sp.userStart = this.#userStart;
    sp.userEnd = this.#userEnd;
    sp.req = this.#req;
    sp.reqStart = this.#reqStart;
    sp.reqEnd = this.#reqEnd;
    sp.reqKind = this.#reqKind;
    sp.methodEnd = this.#methodEnd;
    sp.targetEnd = this.#targetEnd;
    sp.version = this.#version;
    sp.status = this.#status;
    sp.bytes = this.#bytes;
    sp.escapes = this.#escapes;
    sp.refStart = this.#refStart;
    sp.refEnd = this.#refEnd;
    sp.uaStart = this.#uaStart;
    sp.uaEnd = this.#uaEnd;
    const f = accessFields(this.#line, sp);
    sp.req = undefined;
    return f;
  }
}
