/**
 * Microsoft SQL Server ERRORLOG (`2024-01-10 10:11:12.34 spid55      message`, local time).
 * Configuration changes (xp_cmdshell, clr enabled, Ole Automation Procedures, ...) get
 * Option/OldValue/NewValue; logons get User/ClientIp. ERRORLOG is UTF-16LE: the reader
 * decodes it by BOM; should a file still arrive as UTF-8-decoded UTF-16 (NUL after every
 * character), the NULs are dropped here so the text stays usable.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { analyzable, contextZone, excerpt, isoStamp, makeEvent, reportLine, type ZoneResolver, UTC_ZONE } from './common.js';
import { PendingRecord } from './multiline.js';

const FORMAT = 'mssql-errorlog';
const LOGSOURCE: LogSource = { product: 'mssql', service: 'errorlog' };

/** Undoes UTF-16-read-as-bytes damage: NULs between characters and a stray BOM. */
export function repairUtf16(s: string): string {
  let t = s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  else if (t.startsWith('\ufffd\ufffd')) t = t.slice(2);
  else if (t.startsWith('\u00ff\u00fe')) t = t.slice(2);
  return t;
}

function parseHeader(s: string, zone: ZoneResolver): { ts: number; process: string; message: string } | undefined {
  const st = isoStamp(s, 0, zone, ' ');
  if (!st || s.charCodeAt(st.end) !== 32) return undefined;
  const p = st.end + 1;
  let q = s.indexOf(' ', p);
  if (q < 0) q = s.length;
  const process = s.slice(p, q);
  if (process === '' || !/^(spid\d+[a-z]?|Server|Logon|Backup|[A-Za-z][\w-]{0,15})$/.test(process)) return undefined;
  while (s.charCodeAt(q) === 32) q++;
  return { ts: st.ms, process, message: s.slice(q) };
}

const CONFIG = /^Configuration option '([^']+)' changed from (-?\d+) to (-?\d+)\./;
const LOGIN = /^Login (succeeded|failed) for user '([^']*)'/;
const CLIENT = /\[CLIENT: ([^\]]+)\]/;

function messageFields(msg: string, f: Fields): void {
  const c = CONFIG.exec(msg);
  if (c) {
    f.Option = c[1]!;
    f.OldValue = Number(c[2]);
    f.NewValue = Number(c[3]);
    return;
  }
  const l = LOGIN.exec(msg);
  if (l) {
    f.Outcome = l[1]!;
    f.User = l[2]!;
    const client = CLIENT.exec(msg);
    if (client) f.ClientIp = client[1]!;
  }
}

class ErrorlogState implements LineDecoderState {
  private readonly zone: ZoneResolver;
  private readonly pending = new PendingRecord();
  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
  }
  line(input: string, lineNo: number, emit: Emit): void {
    const text = repairUtf16(input);
    if (text.trim().length === 0) return;
    const h = parseHeader(text, this.zone);
    if (!h) {
      if (!this.pending.continueWith(text)) reportLine(this.ctx, lineNo, `not an ERRORLOG line; skipped: ${excerpt(text)}`);
      return;
    }
    const fields: Fields = { Process: h.process, Message: h.message };
    messageFields(analyzable(h.message), fields);
    this.pending.start(makeEvent(fields, LOGSOURCE, FORMAT, this.ctx.file, lineNo, text, h.ts, undefined), emit);
  }
  end(emit: Emit): void {
    this.pending.flush(emit);
  }
}

export const mssqlDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Microsoft SQL Server ERRORLOG (configuration changes such as xp_cmdshell, logons)',
  sniff(lines: string[]): number {
    let heads = 0;
    let spid = false;
    for (const l of lines) {
      const h = parseHeader(repairUtf16(l), UTC_ZONE);
      if (!h) continue;
      heads++;
      if (/^(spid\d+[a-z]?|Server|Logon)$/.test(h.process)) spid = true;
    }
    if (heads === 0 || !spid) return 0;
    return heads >= Math.min(2, lines.length) ? 0.9 : 0.7;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new ErrorlogState(ctx);
  },
};
