/**
 * Jenkins controller logs: the current one-line format
 * (`2024-01-10 10:11:12.345+0000 [id=42]\tINFO\tlogger#method: message`) and the older
 * two-line java.util.logging format (`Jan 10, 2024 10:11:12 AM logger method` then
 * `INFO: message`, local time). Plugin installations through the update center get
 * Plugin/User/Action fields. Stack-trace lines continue the previous record.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { analyzable, civilMs, contextZone, digits, excerpt, isoStamp, makeEvent, monthAt, reportLine, type ZoneResolver, UTC_ZONE } from './common.js';
import { PendingRecord } from './multiline.js';

const FORMAT = 'jenkins';
const LOGSOURCE: LogSource = { product: 'jenkins', service: 'jenkins' };
const LEVELS = new Set(['SEVERE', 'WARNING', 'INFO', 'CONFIG', 'FINE', 'FINER', 'FINEST']);

interface Parsed {
  ts: number;
  level: string;
  logger: string;
  thread?: number;
  message: string;
}

/** `2024-01-10 10:11:12.345+0000 [id=42]\tINFO\tlogger#method: message` */
function parseModern(s: string, zone: ZoneResolver): Parsed | undefined {
  const st = isoStamp(s, 0, zone, ' ');
  if (!st || s.charCodeAt(st.end) !== 32 || !s.startsWith('[id=', st.end + 1)) return undefined;
  const close = s.indexOf(']', st.end + 5);
  if (close < 0) return undefined;
  const thread = Number(s.slice(st.end + 5, close));
  let p = close + 1;
  while (s[p] === '\t' || s[p] === ' ') p++;
  let q = p;
  while (q < s.length && s[q] !== '\t' && s[q] !== ' ') q++;
  const level = s.slice(p, q);
  if (!LEVELS.has(level)) return undefined;
  while (s[q] === '\t' || s[q] === ' ') q++;
  const colon = s.indexOf(': ', q);
  const loggerEnd = colon < 0 ? s.length : colon;
  const logger = s.slice(q, loggerEnd);
  const message = colon < 0 ? '' : s.slice(colon + 2);
  return { ts: st.ms, level, logger, thread: Number.isInteger(thread) ? thread : undefined, message };
}

/** `Jan 10, 2024 10:11:12 AM hudson.model.UpdateCenter$DownloadJob run` */
function parseLegacyHeader(s: string, zone: ZoneResolver): { ts: number; logger: string } | undefined {
  const mo = monthAt(s, 0);
  if (mo < 0 || s[3] !== ' ') return undefined;
  const comma = s.indexOf(', ', 4);
  if (comma < 5 || comma > 6) return undefined;
  const d = digits(s, 4, comma - 4);
  const y = digits(s, comma + 2, 4);
  let p = comma + 6;
  if (s[p] !== ' ') return undefined;
  p++;
  const c1 = s.indexOf(':', p);
  if (c1 < p + 1 || c1 > p + 2) return undefined;
  let h = digits(s, p, c1 - p);
  const mi = digits(s, c1 + 1, 2);
  const sec = digits(s, c1 + 4, 2);
  if (s[c1 + 3] !== ':' || s[c1 + 6] !== ' ') return undefined;
  const ampm = s.slice(c1 + 7, c1 + 9);
  if (ampm !== 'AM' && ampm !== 'PM') return undefined;
  if (h < 1 || h > 12) return undefined;
  if (ampm === 'AM' && h === 12) h = 0;
  else if (ampm === 'PM' && h !== 12) h += 12;
  const local = civilMs(y, mo, d, h, mi, sec);
  if (local === undefined || s[c1 + 9] !== ' ') return undefined;
  const rest = s.slice(c1 + 10);
  const sp = rest.indexOf(' ');
  const logger = sp < 0 ? rest : `${rest.slice(0, sp)}#${rest.slice(sp + 1)}`;
  return { ts: zone.toUtc(local), logger };
}

function legacyLevel(s: string): { level: string; message: string } | undefined {
  const colon = s.indexOf(': ');
  if (colon < 4 || colon > 7) return undefined;
  const level = s.slice(0, colon);
  return LEVELS.has(level) ? { level, message: s.slice(colon + 2) } : undefined;
}

const INSTALL_START = /^Starting the installation of (.+?) on behalf of (.+)$/;
const INSTALL_OK = /^Installation successful: (.+)$/;
const INSTALL_FAIL = /^(?:Failed to install |Installation failed: )(.+?)\.?$/;
const DYNAMIC_LOAD = /^Attempting to dynamic load (.+)$/;

function pluginFields(msg: string, f: Fields): void {
  let m = INSTALL_START.exec(msg);
  if (m) {
    f.Action = 'install_started';
    f.Plugin = m[1]!;
    f.User = m[2]!;
    return;
  }
  if ((m = INSTALL_OK.exec(msg))) {
    f.Action = 'install_succeeded';
    f.Plugin = m[1]!;
    return;
  }
  if ((m = INSTALL_FAIL.exec(msg))) {
    f.Action = 'install_failed';
    f.Plugin = m[1]!;
    return;
  }
  if ((m = DYNAMIC_LOAD.exec(msg))) {
    f.Action = 'dynamic_load';
    const file = m[1]!.replace(/^.*[\\/]/, '');
    f.Plugin = file.replace(/\.[jh]pi$/, '');
    f.TargetFilename = m[1]!;
  }
}

class JenkinsState implements LineDecoderState {
  private readonly zone: ZoneResolver;
  private readonly pending = new PendingRecord();
  private legacy: { ts: number; logger: string; line: number; raw: string } | undefined;
  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
  }

  private record(p: Parsed, lineNo: number, raw: string, emit: Emit): void {
    const fields: Fields = { Level: p.level, Logger: p.logger, Message: p.message };
    if (p.thread !== undefined) fields.ThreadId = p.thread;
    pluginFields(analyzable(p.message), fields);
    this.pending.start(makeEvent(fields, LOGSOURCE, FORMAT, this.ctx.file, lineNo, raw, p.ts, undefined), emit);
  }

  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const modern = parseModern(text, this.zone);
    if (modern) {
      this.legacy = undefined;
      this.record(modern, lineNo, text, emit);
      return;
    }
    if (this.legacy) {
      const lv = legacyLevel(text);
      const h = this.legacy;
      this.legacy = undefined;
      if (lv) {
        this.record({ ts: h.ts, logger: h.logger, level: lv.level, message: lv.message }, h.line, `${h.raw}\n${text}`, emit);
        return;
      }
      reportLine(this.ctx, h.line, 'Jenkins log header without a LEVEL: message line; skipped');
    }
    const header = parseLegacyHeader(text, this.zone);
    if (header) {
      this.pending.flush(emit);
      this.legacy = { ...header, line: lineNo, raw: text };
      return;
    }
    if (!this.pending.continueWith(text)) reportLine(this.ctx, lineNo, `not a Jenkins log line; skipped: ${excerpt(text)}`);
  }

  end(emit: Emit): void {
    if (this.legacy) reportLine(this.ctx, this.legacy.line, 'Jenkins log header without a LEVEL: message line at end of input; skipped');
    this.legacy = undefined;
    this.pending.flush(emit);
  }
}

export const jenkinsDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Jenkins controller log (one-line and legacy two-line formats), plugin installs',
  sniff(lines: string[]): number {
    let modern = 0;
    let legacy = 0;
    for (let i = 0; i < lines.length; i++) {
      if (parseModern(lines[i]!, UTC_ZONE)) modern++;
      else if (parseLegacyHeader(lines[i]!, UTC_ZONE) && i + 1 < lines.length && legacyLevel(lines[i + 1]!)) legacy++;
    }
    if (modern > 0) return modern >= Math.min(2, lines.length) ? 0.9 : 0.7;
    return legacy > 0 ? 0.85 : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new JenkinsState(ctx);
  },
};
