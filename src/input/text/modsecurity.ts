/**
 * ModSecurity audit logs as WAF alerts: the native multi-part format (`--id-A--` ... `--id-Z--`,
 * v2 and v3 boundaries) grouped into one event per transaction, and the JSON formats of
 * ModSecurity 2.9 (`{"transaction":{...},"request":{...},"audit_data":{...}}`) and v3
 * (`{"transaction":{..., "messages":[...]}}`), one object per line. Every format maps to the
 * same fields (see docs/formats.md); logsource `product: modsecurity, category: waf`.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { civilMs, contextZone, excerpt, jsonLineObject, makeEvent, monthIndex, reportLine, type ZoneResolver } from './common.js';
import { clfStamp } from './access.js';

const FORMAT = 'modsecurity';
const LOGSOURCE: LogSource = { product: 'modsecurity', category: 'waf' };
const BOUNDARY = /^-{2,3}([0-9A-Za-z]+)-{1,3}([A-Z])--$/;
const MAX_SECTION_LINES = 2000;
/** Text of the sections fields are read from (A, B, F, H) kept per transaction; request bodies are the sender's to make huge. */
const MAX_SECTION_CHARS = 1024 * 1024;
/** Sections nativeFields reads; the others (bodies, matched-data dumps) only go into the raw text. */
const READ_SECTIONS = new Set(['A', 'B', 'F', 'H']);
const MAX_RAW_CHARS = 256 * 1024;
const SEVERITY_NAMES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Is the character at `i` preceded by an odd number of backslashes? */
function isEscaped(s: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && s.charCodeAt(i - n - 1) === 92) n++;
  return (n & 1) === 1;
}

/** Accumulates the rule matches of one transaction. */
class Matches {
  readonly ruleIds: string[] = [];
  readonly msgs: string[] = [];
  readonly tags: string[] = [];
  readonly severities: string[] = [];
  readonly data: string[] = [];
  readonly messages: string[] = [];

  /** One `Message:`/`ModSecurity:` line with `[id "..."] [msg "..."]` tokens. */
  addText(line: string): void {
    this.messages.push(line);
    // A linear scan (a regex here could go quadratic on hostile lines with unclosed tokens).
    let p = line.indexOf('[');
    while (p >= 0) {
      let k = p + 1;
      while (k < line.length && isWordChar(line.charCodeAt(k))) k++;
      if (k === p + 1 || line.charCodeAt(k) !== 32 || line.charCodeAt(k + 1) !== 34) {
        p = line.indexOf('[', p + 1);
        continue;
      }
      let close = line.indexOf('"]', k + 2);
      while (close >= 0 && isEscaped(line, close)) close = line.indexOf('"]', close + 1);
      if (close < 0) break; // no token can be closed after this point
      const raw = line.slice(k + 2, close);
      this.addDetail(line.slice(p + 1, k), raw.includes('\\') ? raw.replace(/\\(.)/g, '$1') : raw);
      p = line.indexOf('[', close + 2);
    }
  }

  addDetail(key: string, v: string): void {
    switch (key) {
      case 'id':
      case 'ruleId':
        if (v !== '') this.ruleIds.push(v);
        break;
      case 'msg':
        if (v !== '') this.msgs.push(v);
        break;
      case 'tag':
        this.tags.push(v);
        break;
      case 'severity': {
        const n = Number(v);
        this.severities.push(v !== '' && Number.isInteger(n) && n >= 0 && n < 8 ? SEVERITY_NAMES[n]! : v.toUpperCase());
        break;
      }
      case 'data':
        if (v !== '') this.data.push(v);
        break;
      default:
        break;
    }
  }

  into(f: Fields): void {
    if (this.ruleIds.length) f.RuleId = this.ruleIds;
    if (this.msgs.length) f.RuleMessage = this.msgs;
    if (this.tags.length) f.Tag = [...new Set(this.tags)];
    if (this.severities.length) f.Severity = [...new Set(this.severities)];
    if (this.data.length) f.MatchedData = this.data;
    if (this.messages.length) f.Message = this.messages;
  }
}

function setRequestLine(f: Fields, line: string): void {
  f.RequestLine = line;
  const parts = line.split(' ');
  if (parts.length >= 2) {
    f.Method = parts[0]!;
    f.Uri = parts[1]!;
    if (parts.length >= 3) f.Protocol = parts[parts.length - 1]!;
  }
}

function setHeader(f: Fields, name: string, value: string): void {
  switch (name.toLowerCase()) {
    case 'host':
      f.Host = value;
      break;
    case 'user-agent':
      f.UserAgent = value;
      break;
    case 'referer':
      f.Referer = value;
      break;
    case 'content-type':
      f.ContentType = value;
      break;
    default:
      break;
  }
}

function portOrString(v: unknown): number | string | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isInteger(n) ? n : v;
  }
  return undefined;
}

/** `Wed Jan 10 10:11:12 2024` (ModSecurity v3 JSON, local time). */
function ctimeStamp(s: string, zone: ZoneResolver): number | undefined {
  const m = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})$/.exec(s);
  if (!m) return undefined;
  const local = civilMs(Number(m[6]), monthIndex(m[1]!), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return local === undefined ? undefined : zone.toUtc(local);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Both JSON shapes to fields; undefined when the object is no ModSecurity record. */
export function jsonFields(o: Record<string, unknown>, zone: ZoneResolver): { fields: Fields; ts?: number } | undefined {
  const tx = obj(o.transaction);
  if (!tx) return undefined;
  const f: Fields = {};
  const matches = new Matches();
  let ts: number | undefined;
  if ('client_ip' in tx || 'messages' in tx || 'request' in tx) {
    // ModSecurity v3
    const set = (k: string, v: unknown): void => {
      const p = portOrString(v);
      if (p !== undefined) f[k] = p;
    };
    set('ClientIp', tx.client_ip);
    set('ClientPort', tx.client_port);
    set('ServerIp', tx.host_ip);
    set('ServerPort', tx.host_port);
    const id = str(tx.unique_id);
    if (id) f.TransactionId = id;
    const req = obj(tx.request);
    if (req) {
      const method = str(req.method);
      const uri = str(req.uri);
      const ver = str(req.http_version);
      if (method) f.Method = method;
      if (uri) f.Uri = uri;
      if (ver) f.Protocol = `HTTP/${ver}`;
      if (method && uri) f.RequestLine = `${method} ${uri}${ver ? ` HTTP/${ver}` : ''}`;
      const headers = obj(req.headers);
      if (headers) for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') setHeader(f, k, v);
    }
    const res = obj(tx.response);
    const code = res ? portOrString(res.http_code) : undefined;
    if (code !== undefined) f.Status = code;
    if (Array.isArray(tx.messages)) {
      for (const m of tx.messages) {
        const mo = obj(m);
        if (!mo) continue;
        const text = str(mo.message);
        if (text !== undefined) matches.messages.push(text);
        const d = obj(mo.details);
        if (!d) continue;
        for (const k of ['ruleId', 'severity', 'data']) {
          const v = str(d[k]);
          if (v !== undefined) matches.addDetail(k, v);
        }
        if (text !== undefined && text !== '') matches.addDetail('msg', text);
        if (Array.isArray(d.tags)) for (const t of d.tags) if (typeof t === 'string') matches.addDetail('tag', t);
      }
    }
    const stamp = str(tx.time_stamp);
    if (stamp) ts = ctimeStamp(stamp, zone);
  } else {
    // ModSecurity 2.9 JSON
    const set = (k: string, v: unknown): void => {
      const p = portOrString(v);
      if (p !== undefined) f[k] = p;
    };
    set('ClientIp', tx.remote_address);
    set('ClientPort', tx.remote_port);
    set('ServerIp', tx.local_address);
    set('ServerPort', tx.local_port);
    const id = str(tx.transaction_id);
    if (id) f.TransactionId = id;
    const time = str(tx.time);
    if (time) ts = clfStamp(time);
    const req = obj(o.request);
    if (req) {
      const line = str(req.request_line);
      if (line) setRequestLine(f, line);
      const headers = obj(req.headers);
      if (headers) for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') setHeader(f, k, v);
    }
    const res = obj(o.response);
    const status = res ? portOrString(res.status) : undefined;
    if (status !== undefined) f.Status = status;
    const audit = obj(o.audit_data);
    if (audit) {
      if (Array.isArray(audit.messages)) for (const m of audit.messages) if (typeof m === 'string') matches.addText(m);
      const action = obj(audit.action);
      if (action && typeof action.intercepted === 'boolean') f.Intercepted = action.intercepted;
      const mode = str(audit.engine_mode);
      if (mode) f.EngineMode = mode;
    }
  }
  matches.into(f);
  return { fields: f, ts };
}

interface Transaction {
  id: string;
  line: number;
  section: string;
  lines: Map<string, string[]>;
  /** Characters held in `lines`. */
  chars: number;
  raw: string[];
  rawChars: number;
}

function nativeFields(tx: Transaction): { fields: Fields; ts?: number } {
  const f: Fields = { TransactionId: tx.id };
  let ts: number | undefined;
  const a = tx.lines.get('A')?.find((l) => l.startsWith('['));
  if (a) {
    const close = a.indexOf(']');
    ts = clfStamp(a.slice(1, close));
    const parts = a
      .slice(close + 1)
      .trim()
      .split(/\s+/);
    if (parts.length >= 5) {
      f.TransactionId = parts[0]!;
      f.ClientIp = parts[1]!;
      f.ClientPort = portOrString(parts[2]!) ?? parts[2]!;
      f.ServerIp = parts[3]!;
      f.ServerPort = portOrString(parts[4]!) ?? parts[4]!;
    }
  }
  const b = tx.lines.get('B');
  if (b?.length) {
    setRequestLine(f, b[0]!);
    for (const h of b.slice(1)) {
      const c = h.indexOf(': ');
      if (c > 0) setHeader(f, h.slice(0, c), h.slice(c + 2));
    }
  }
  const resp = tx.lines.get('F')?.[0];
  if (resp) {
    const m = /^HTTP\/[\d.]+ (\d{3})/.exec(resp);
    if (m) f.Status = Number(m[1]);
  }
  const matches = new Matches();
  for (const l of tx.lines.get('H') ?? []) {
    if (l.startsWith('Message: ')) matches.addText(l.slice(9));
    else if (l.startsWith('ModSecurity: ')) matches.addText(l.slice(13));
    else if (l.startsWith('Action: ')) f.Intercepted = l.startsWith('Action: Intercepted');
    else if (l.startsWith('Engine-Mode: ')) f.EngineMode = l.slice(13).replace(/^"(.*)"$/, '$1');
  }
  if (f.Intercepted === undefined && tx.lines.has('H')) f.Intercepted = false;
  matches.into(f);
  return { fields: f, ts };
}

class ModSecState implements LineDecoderState {
  private tx: Transaction | undefined;
  private strayReported = false;
  private readonly zone: ZoneResolver;
  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
  }

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.charCodeAt(0) === 123 /* { */ && !this.tx) {
      this.json(text, lineNo, emit);
      return;
    }
    const b = text.charCodeAt(0) === 45 ? BOUNDARY.exec(text) : null;
    if (b) {
      this.boundary(b[1]!, b[2]!, text, lineNo, emit);
      return;
    }
    const tx = this.tx;
    if (!tx) {
      if (text.trim() === '') return;
      if (!this.strayReported)
        reportLine(this.ctx, lineNo, `line outside a ModSecurity transaction; skipped (further such lines are not reported until the next transaction): ${excerpt(text)}`);
      this.strayReported = true;
      return;
    }
    this.keepRaw(tx, text);
    let lines = tx.lines.get(tx.section);
    if (!lines) tx.lines.set(tx.section, (lines = []));
    if (text === '' || !READ_SECTIONS.has(tx.section)) return;
    if (lines.length < MAX_SECTION_LINES && tx.chars + text.length <= MAX_SECTION_CHARS) {
      lines.push(text);
      tx.chars += text.length;
    }
  }

  private keepRaw(tx: Transaction, text: string): void {
    if (tx.rawChars > MAX_RAW_CHARS) return;
    tx.raw.push(text.length > MAX_RAW_CHARS ? text.slice(0, MAX_RAW_CHARS) + '…' : text);
    tx.rawChars += text.length + 1;
  }

  private boundary(id: string, section: string, text: string, lineNo: number, emit: Emit): void {
    if (section === 'A') {
      if (this.tx) {
        reportLine(this.ctx, this.tx.line, `ModSecurity transaction ${this.tx.id} has no closing Z section`);
        this.finish(emit);
      }
      this.tx = { id, line: lineNo, section: 'A', lines: new Map(), chars: 0, raw: [text], rawChars: text.length };
      this.strayReported = false;
      return;
    }
    const tx = this.tx;
    if (!tx || tx.id !== id) {
      reportLine(this.ctx, lineNo, `ModSecurity section ${section} of transaction ${id} without its A section; skipped`);
      if (tx) {
        reportLine(this.ctx, tx.line, `ModSecurity transaction ${tx.id} has no closing Z section`);
        this.finish(emit);
      }
      return;
    }
    this.keepRaw(tx, text);
    tx.section = section;
    if (section === 'Z') this.finish(emit);
  }

  private finish(emit: Emit): void {
    const tx = this.tx;
    if (!tx) return;
    this.tx = undefined;
    const { fields, ts } = nativeFields(tx);
    emit(makeEvent(fields, LOGSOURCE, FORMAT, this.ctx.file, tx.line, tx.raw.join('\n'), ts, undefined));
  }

  private json(text: string, lineNo: number, emit: Emit): void {
    const o = jsonLineObject(this.ctx, text, lineNo, 'ModSecurity');
    if (!o) return;
    const r = jsonFields(o, this.zone);
    if (!r) {
      reportLine(this.ctx, lineNo, 'JSON line is not a ModSecurity audit record; skipped');
      return;
    }
    emit(makeEvent(r.fields, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, r.ts, undefined));
  }

  end(emit: Emit): void {
    if (this.tx) {
      reportLine(this.ctx, this.tx.line, `ModSecurity transaction ${this.tx.id} has no closing Z section (end of input)`);
      this.finish(emit);
    }
  }
}

export const modsecurityDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'ModSecurity audit log (native multi-part or JSON), WAF alerts',
  sniff(lines: string[]): number {
    const first = lines.find((l) => l.trim() !== '') ?? '';
    const b = BOUNDARY.exec(first);
    if (b && b[2] === 'A') return 0.95;
    if (first.startsWith('{"transaction"') || first.startsWith('{ "transaction"')) {
      try {
        const o = obj(JSON.parse(first));
        if (o && obj(o.transaction)) return 0.95;
      } catch {
        return 0;
      }
    }
    return 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new ModSecState(ctx);
  },
};
