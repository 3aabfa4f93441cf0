/**
 * Syslog files and forwarded lines (RFC 3164, RFC 5424, RFC 3339-stamped) including VMware
 * ESXi's shell.log, hostd.log, esxupdate.log and vobd.log. Generic lines yield
 * `product: linux, service: syslog`; ESXi lines yield `product: esxi, service: <app>` with
 * the ESXi shell command line and user split out (forced VIB installs show up there).
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { analyzable, contextZone, detached, excerpt, makeEvent, reportLine, share, textOptions, type ZoneResolver, UTC_ZONE } from './common.js';
import { esxiLevelName, parseSyslog, structuredData, type SyslogParts, syslogPid } from './syslog-line.js';
import { isSysmonMessage, sysmonEvent, sysmonShare } from './sysmon-linux.js';
import { XmlError } from './xml-lite.js';
import { setField } from '../field-map.js';
import { LazyEvent } from '../../event/lazy-event.js';

const FORMAT = 'syslog';
const LINUX: LogSource = { product: 'linux', service: 'syslog' };
const ESXI_SERVICES = new Set(['shell', 'hostd', 'esxupdate', 'vobd']);
/** Daemons that exist only on ESXi: their lines are ESXi lines even without a severity token. */
const ESXI_APPS = new Set([
  'shell',
  'hostd',
  'hostd-probe',
  'esxupdate',
  'vobd',
  'vpxa',
  'fdm',
  'rhttpproxy',
  'vmkernel',
  'vmkwarning',
  'vmauthd',
  'esxcli',
  'settingsd',
  'vmsyslogd',
  'lifecycle',
]);
const ESXI_SYSLOG: LogSource = { product: 'esxi', service: 'syslog' };
/** The logsource of each ESXi-only daemon (the same object for every line of one service); other ESXi daemons log as `syslog`. */
const ESXI_APP_SOURCES = new Map<string, LogSource>();
for (const app of ESXI_APPS) ESXI_APP_SOURCES.set(app, ESXI_SERVICES.has(app) ? { product: 'esxi', service: app } : ESXI_SYSLOG);

function pidValue(pid: string): string | number {
  const n = Number(pid);
  return pid !== '' && Number.isInteger(n) ? n : pid;
}

/** The field for the hostd Originator key msg[start, end) (`user`, `sub`, `opID`), or undefined. */
function originatorKey(msg: string, start: number, end: number): 'User' | 'Component' | 'OperationId' | undefined {
  const len = end - start;
  const c = msg.charCodeAt(start);
  if (len === 4 && c === 117 && msg.charCodeAt(start + 1) === 115 && msg.charCodeAt(start + 2) === 101 && msg.charCodeAt(start + 3) === 114) return 'User';
  if (len === 3 && c === 115 && msg.charCodeAt(start + 1) === 117 && msg.charCodeAt(start + 2) === 98) return 'Component';
  if (len === 4 && c === 111 && msg.charCodeAt(start + 1) === 112 && msg.charCodeAt(start + 2) === 73 && msg.charCodeAt(start + 3) === 68) return 'OperationId';
  return undefined;
}

/** ESXi message conventions: shell `[user]: command`, hostd `[Originator@6876 k=v ...] text`, esxupdate `pid: module: LEVEL: text`. */
function esxiFields(app: string, parts: SyslogParts, fields: Fields): void {
  let msg = parts.msg.trimStart();
  if (app === 'shell') {
    if (msg[0] === '[') {
      const close = msg.indexOf(']: ');
      if (close > 0) {
        fields.User = msg.slice(1, close);
        msg = msg.slice(close + 3);
        fields.CommandLine = msg;
      }
    }
  } else if (app === 'hostd' && msg.startsWith('[Originator@')) {
    const close = msg.indexOf(']');
    if (close > 0) {
      // The `k=v` words of msg[1, close), read in place: only three keys are kept.
      // (The next '=' is searched again only once a word passes it, so a long run of words without one stays linear.)
      let eq = -2;
      for (let a = 1; a < close; ) {
        let b = msg.indexOf(' ', a);
        if (b < 0 || b > close) b = close;
        if (eq !== -1 && eq < a) eq = msg.indexOf('=', a);
        if (eq > a && eq < b) {
          const name = originatorKey(msg, a, eq);
          if (name !== undefined) fields[name] = msg.slice(eq + 1, b);
        }
        a = b + 1;
      }
      msg = msg.slice(close + 1).trimStart();
    }
  } else if (app === 'esxupdate') {
    const m = /^(\d+): (\S+): (DEBUG|INFO|WARNING|ERROR|CRITICAL): /.exec(msg);
    if (m) {
      fields.ProcessId = Number(m[1]);
      fields.Logger = m[2]!;
      fields.Level = m[3]!.toLowerCase();
      msg = msg.slice(m[0].length);
    }
  } else if (app === 'vobd') {
    const m = /\[((?:vob|esx)\.[^\]\s]+)\]/.exec(analyzable(msg));
    if (m) fields.EventType = m[1]!;
  }
  fields.Message = msg;
}

/**
 * s.toLowerCase(), without the call when s holds no uppercase letter (nearly every tag): lines
 * of a log with any non-ASCII character are two-byte strings, and toLowerCase of those takes a
 * slow path that was a sixth of the decoder's time on such a log.
 */
function lower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (c >= 65 && c <= 90)) return s.toLowerCase();
  }
  return s;
}

/**
 * The lower-cased daemon name of an ESXi line, or undefined for a generic syslog line: an ESXi
 * line has a severity token and a daemon, or comes from an ESXi-only daemon.
 */
function esxiApp(parts: SyslogParts): string | undefined {
  const app = parts.app;
  if (app === undefined) return undefined;
  const appLower = lower(app);
  return parts.level !== undefined || ESXI_APP_SOURCES.has(appLower) ? appLower : undefined;
}

function sourceOf(app: string | undefined): LogSource {
  return app === undefined ? LINUX : (ESXI_APP_SOURCES.get(app) ?? ESXI_SYSLOG);
}

/** The fields of a line whose ESXi daemon (see esxiApp) is `app`. */
function syslogFields(parts: SyslogParts, app: string | undefined): Fields {
  const fields: Fields = {};
  if (parts.pri !== undefined) {
    fields.Facility = parts.pri >> 3;
    fields.Severity = parts.pri & 7;
  }
  if (parts.app !== undefined) fields.Application = parts.app;
  const pid = syslogPid(parts);
  if (pid !== undefined) fields.ProcessId = pidValue(pid);
  if (parts.host !== undefined) fields.Host = parts.host;
  if (app === undefined) {
    if (parts.msgId !== undefined) fields.MessageId = parts.msgId;
    if (parts.sdText !== undefined) {
      fields.StructuredData = parts.sdText;
      for (const el of structuredData(parts.sdText)) for (const [k, v] of el.params) setField(fields, `${el.id}.${k}`, v);
    }
    fields.Message = parts.msg;
    return fields;
  }
  if (parts.level !== undefined) fields.Level = esxiLevelName(parts.level);
  esxiFields(app, parts, fields);
  return fields;
}

export function syslogEvent(parts: SyslogParts): { fields: Fields; logsource: LogSource } {
  const app = esxiApp(parts);
  return { fields: syslogFields(parts, app), logsource: sourceOf(app) };
}

/** A syslog line split into its parts; its fields are made on first read. */
class SyslogEvent extends LazyEvent {
  readonly #parts: SyslogParts;
  readonly #app: string | undefined;

  constructor(parts: SyslogParts, app: string | undefined, logsource: LogSource, file: string, record: number, text: string) {
    super(logsource, { file, record, format: FORMAT }, text, parts.ts, parts.host);
    this.#parts = parts;
    this.#app = app;
  }

  protected buildFields(): Fields {
    return syslogFields(this.#parts, this.#app);
  }
}

/** A daemon name (as written), its lower-cased form and, for an ESXi-only daemon, its logsource. */
interface Daemon {
  name: string;
  lower: string;
  source: LogSource | undefined;
}

/** Slots of the recent-daemon table (a power of two). */
const RECENT_SLOTS = 16;

/** Daemon names remembered per file (past this the table starts again: hostile input can name any number). */
const MAX_DAEMONS = 256;

class SyslogState implements LineDecoderState {
  private readonly daemons = new Map<string, Daemon>();
  /**
   * The daemons last looked up, by a slot from the name's length and ends: a hit costs one
   * string compare, where the map hashes the name (a new string per line) first.
   */
  private readonly recent: Array<Daemon | undefined> = new Array<Daemon | undefined>(RECENT_SLOTS).fill(undefined);
  private readonly zone: ZoneResolver;
  private readonly now: number;
  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
    this.now = textOptions(ctx).now ?? Date.now();
  }
  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const parts = parseSyslog(text, this.zone, this.now);
    if (!parts) {
      reportLine(this.ctx, lineNo, `not a syslog line; skipped: ${excerpt(text)}`);
      return;
    }
    if (isSysmonMessage(parts.msg)) {
      // Sysmon for Linux records in a mixed syslog file: decoded as the sysmon-linux decoder does.
      try {
        const r = sysmonEvent(parts);
        emit(makeEvent(r.fields, r.logsource, FORMAT, this.ctx.file, lineNo, text, r.timestamp, r.host));
      } catch (e) {
        if (!(e instanceof XmlError)) throw e;
        reportLine(this.ctx, lineNo, `bad Sysmon XML: ${e.message}; skipped: ${excerpt(text)}`);
      }
      return;
    }
    // The line's daemon decides its logsource (see esxiApp), through the per-name table.
    const name = parts.app;
    let app: string | undefined;
    let logsource = LINUX;
    if (name !== undefined) {
      const known = this.daemon(name);
      if (parts.level !== undefined || known.source !== undefined) {
        app = known.lower;
        logsource = known.source ?? ESXI_SYSLOG;
      }
    }
    emit(new SyslogEvent(parts, app, logsource, this.ctx.file, lineNo, text));
  }
  /** What a daemon name as written says (cached: a file has few daemons, and the lookup is by one hash of the name). */
  private daemon(name: string): Daemon {
    const slot = (name.length * 7 + name.charCodeAt(0) + name.charCodeAt(name.length - 1)) & (RECENT_SLOTS - 1);
    const r = this.recent[slot];
    if (r !== undefined && r.name === name) return r;
    let d = this.daemons.get(name);
    if (d === undefined) {
      if (this.daemons.size >= MAX_DAEMONS) this.daemons.clear();
      // (Detached: the name is a slice of its line, which a kept slice would keep, and with it the line's read chunk.)
      const key = detached(name);
      const low = lower(key);
      d = { name: key, lower: low, source: ESXI_APP_SOURCES.get(low) };
      this.daemons.set(key, d);
    }
    this.recent[slot] = d;
    return d;
  }

  end(): void {
    // One record per line; nothing is buffered.
  }
}

export const syslogDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Syslog (RFC 3164/5424) and VMware ESXi logs (shell, hostd, esxupdate, vobd)',
  sniff(lines: string[]): number {
    // Files that are mostly Sysmon for Linux records belong to the sysmon-linux decoder.
    if (sysmonShare(lines) >= 0.5) return 0;
    let esxi = 0;
    const s = share(lines, (l) => {
      const p = parseSyslog(l, UTC_ZONE, Date.now());
      if (!p?.tagged) return false;
      if (p.level !== undefined || (p.app !== undefined && ESXI_APPS.has(p.app.toLowerCase()))) esxi++;
      return true;
    });
    if (s < 0.5) return 0;
    return esxi > 0 ? 0.9 * s : 0.85 * s;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new SyslogState(ctx);
  },
  splittable: () => true,
};
