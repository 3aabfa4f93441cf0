/**
 * Sysmon for Linux as it lands in syslog: an RFC 5424 or RFC 3164 header whose message is
 * one `<Event>` XML record (`<System>` + `<EventData>`), as Sysmon for Windows writes them.
 * Events get the Windows Sysmon field names and the Sigma `product: linux` category of
 * their event id, so SigmaHQ's linux process_creation / network_connection / file_event
 * rules apply. The syslog decoder uses `sysmonEvent` too, for Sysmon lines in a mixed
 * /var/log/syslog.
 */
import type { DecodeContext, Emit, LineDecoder, LineDecoderState } from '../decoder.js';
import type { Fields, LogSource } from '../../event/event.js';
import { contextZone, excerpt, hasAt, isoStamp, makeEvent, reportLine, share, textOptions, UTC_ZONE, type ZoneResolver } from './common.js';
import { parseSyslog, type SyslogParts } from './syslog-line.js';
import { syslogEvent } from './syslog.js';
import { XmlError, attr, childNamed, parseXml, textOf, type XmlElement } from './xml-lite.js';
import { hasField, setField } from '../field-map.js';

const FORMAT = 'sysmon-linux';
const CHANNEL = 'Linux-Sysmon/Operational';

/** Sigma categories of the Sysmon for Linux event ids (the ones it emits). */
const CATEGORIES: Record<number, string> = {
  1: 'process_creation',
  3: 'network_connection',
  5: 'process_termination',
  9: 'raw_access_thread',
  11: 'file_event',
  23: 'file_delete',
};
const SOURCES = new Map<number, LogSource>();

function sourceFor(id: number | undefined): LogSource {
  const key = id ?? -1;
  let s = SOURCES.get(key);
  if (!s) {
    const category = id !== undefined ? CATEGORIES[id] : undefined;
    // 4 (service state), 16 (configuration change), 255 (error): about Sysmon itself.
    s = category ? { product: 'linux', category } : { product: 'linux', service: 'sysmon' };
    if (SOURCES.size < 512) SOURCES.set(key, s);
  }
  return s;
}

/** EventData items that Sysmon's schema declares as integers. */
const NUMERIC = new Set(['ProcessId', 'ParentProcessId', 'SourcePort', 'DestinationPort', 'TerminalSessionId']);

/** True when a syslog message is a Sysmon for Linux `<Event>` record. */
export function isSysmonMessage(msg: string): boolean {
  // Checked in place: the syslog decoder asks this for every line it reads.
  let lt = 0;
  while (lt < msg.length && (msg.charCodeAt(lt) === 32 || msg.charCodeAt(lt) === 9)) lt++;
  if (!hasAt(msg, '<Event', lt)) return false;
  const provider = msg.indexOf('<Provider ', lt);
  return provider > 0 && provider < lt + 400 && msg.startsWith('Name="Linux-Sysmon"', provider + 10);
}

function decimal(v: string): number | string {
  return /^\d{1,15}$/.test(v) ? Number(v) : v;
}

/** Flattens `<System>` like Warden's Windows normalization: leaves by name, attributes as `Element_Attribute`. */
function systemFields(system: XmlElement, f: Fields): void {
  for (const c of system.children) {
    if (typeof c === 'string') continue;
    for (const [a, v] of c.attrs) setField(f, `${c.name}_${a}`, v);
    // Empty elements (`<Correlation/>`) are left out, as in the EVTX JSON layout.
    const text = textOf(c);
    if (text !== '') setField(f, c.name, text);
  }
}

export interface SysmonResult {
  fields: Fields;
  logsource: LogSource;
  timestamp?: number;
  host?: string;
}

/** Decodes the `<Event>` XML of a Sysmon message; throws XmlError for malformed XML. */
export function sysmonEvent(parts: SyslogParts): SysmonResult {
  const start = parts.msg.indexOf('<Event');
  const root = parseXml(parts.msg, start);
  if (root.name !== 'Event') throw new XmlError(`root element is <${root.name}>, not <Event>`, 0);
  const fields: Fields = {};
  const system = childNamed(root, 'System');
  if (system) systemFields(system, fields);
  const id = typeof fields.EventID === 'string' && /^\d{1,6}$/.test(fields.EventID) ? Number(fields.EventID) : undefined;
  if (id !== undefined) fields.EventID = id;
  if (fields.Channel === undefined) fields.Channel = CHANNEL;
  const data = childNamed(root, 'EventData');
  if (data) {
    const unnamed: string[] = [];
    for (const c of data.children) {
      if (typeof c === 'string' || c.name !== 'Data') continue;
      const name = attr(c, 'Name');
      const v = textOf(c);
      if (name === undefined || name === '') unnamed.push(v);
      else if (!hasField(fields, name)) setField(fields, name, NUMERIC.has(name) ? decimal(v) : v);
    }
    if (unnamed.length > 0 && fields.Data === undefined) fields.Data = unnamed.length === 1 ? unnamed[0]! : unnamed;
  }
  let timestamp = parts.ts;
  const created = fields.TimeCreated_SystemTime;
  if (typeof created === 'string') {
    const st = isoStamp(created, 0, UTC_ZONE);
    if (st) timestamp = st.ms;
  }
  const host = typeof fields.Computer === 'string' && fields.Computer !== '' ? fields.Computer : parts.host;
  return { fields, logsource: sourceFor(id), timestamp, host };
}

/** Decodes one syslog line as Sysmon (or plain syslog when it carries no `<Event>`); a reason string on failure. */
export function decodeSyslogOrSysmon(text: string, zone: ZoneResolver, now: number): SysmonResult | string {
  const parts = parseSyslog(text, zone, now);
  if (!parts) return 'not a syslog line';
  if (!isSysmonMessage(parts.msg)) {
    const { fields, logsource } = syslogEvent(parts);
    return { fields, logsource, timestamp: parts.ts, host: parts.host };
  }
  try {
    return sysmonEvent(parts);
  } catch (e) {
    if (e instanceof XmlError) return `bad Sysmon XML: ${e.message}`;
    throw e;
  }
}

class SysmonState implements LineDecoderState {
  private readonly zone: ZoneResolver;
  private readonly now: number;
  constructor(private readonly ctx: DecodeContext) {
    this.zone = contextZone(ctx);
    this.now = textOptions(ctx).now ?? Date.now();
  }
  line(text: string, lineNo: number, emit: Emit): void {
    if (text.length === 0) return;
    const r = decodeSyslogOrSysmon(text, this.zone, this.now);
    if (typeof r === 'string') {
      reportLine(this.ctx, lineNo, `${r}; skipped: ${excerpt(text)}`);
      return;
    }
    emit(makeEvent(r.fields, r.logsource, FORMAT, this.ctx.file, lineNo, text, r.timestamp, r.host));
  }
  end(): void {
    // One record per line; nothing is buffered.
  }
}

/** Share of lines that are syslog-framed Sysmon for Linux records. */
export function sysmonShare(lines: string[]): number {
  return share(lines, (l) => {
    const p = parseSyslog(l, UTC_ZONE, Date.now());
    return p !== undefined && isSysmonMessage(p.msg);
  });
}

export const sysmonLinuxDecoder: LineDecoder = {
  kind: 'line',
  format: FORMAT,
  description: 'Sysmon for Linux events in syslog (RFC 5424/3164 + <Event> XML), Windows Sysmon field names',
  sniff(lines: string[]): number {
    const s = sysmonShare(lines);
    return s >= 0.5 ? 0.95 * s : 0;
  },
  open(ctx: DecodeContext): LineDecoderState {
    return new SysmonState(ctx);
  },
};
