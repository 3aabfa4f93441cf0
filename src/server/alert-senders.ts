/**
 * How an alert leaves: a signed JSON POST (webhook), a syslog message in CEF or RFC 5424 over
 * UDP, TCP or TLS (to a SIEM), or a line in a JSONL file. Each send resolves when the
 * receiver took it, and throws otherwise — the outbox retries.
 */
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { appendFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { LEVELS, type Level } from '../event/detection.js';

/** What one alert says: an incident opened or rose to a higher level. */
export interface AlertPayload {
  type: 'incident.opened' | 'incident.escalated';
  id: string;
  incident: {
    id: string;
    severity: Level;
    host: string | null;
    start: string | null;
    end: string | null;
    techniques: string[];
    users: string[];
    memberCount: number;
    /** Titles of the rules behind it, most recent last. */
    rules: string[];
  };
  sentBy: string;
}

export function hmacSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function sendWebhook(url: string, body: string, secret: string | undefined, deliveryId: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'warden-serve', 'x-warden-delivery': deliveryId };
  if (secret !== undefined) headers['x-warden-signature'] = hmacSignature(secret, body);
  const r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  await r.arrayBuffer().catch(() => undefined);
  if (r.status < 200 || r.status >= 300) throw new Error(`webhook answered ${r.status}`);
}

const SYSLOG_SEVERITY: Record<Level, number> = { critical: 2, high: 3, medium: 4, low: 5, informational: 6 };
const CEF_SEVERITY: Record<Level, number> = { critical: 10, high: 8, medium: 5, low: 3, informational: 1 };
/** Facility local4 (20). */
const FACILITY = 20;

function cefHeader(s: string): string {
  return s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

function cefValue(s: string): string {
  return s.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

export function formatCef(a: AlertPayload, version: string): string {
  const i = a.incident;
  const ext: [string, string][] = [
    ['externalId', i.id],
    ['dhost', i.host ?? ''],
    ['start', i.start ? String(Date.parse(i.start)) : ''],
    ['end', i.end ? String(Date.parse(i.end)) : ''],
    ['cnt', String(i.memberCount)],
    ['cs1Label', 'techniques'],
    ['cs1', i.techniques.join(',')],
    ['cs2Label', 'rules'],
    ['cs2', i.rules.join('; ')],
    ['duser', i.users.join(',')],
    ['act', a.type],
  ];
  const name = `${a.type === 'incident.opened' ? 'Incident' : 'Incident escalated'}: ${i.rules[0] ?? 'detections'} on ${i.host ?? 'unknown host'}`;
  return `CEF:0|Warden|Warden|${cefHeader(version)}|${cefHeader(a.type)}|${cefHeader(name)}|${CEF_SEVERITY[i.severity]}|${ext
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${cefValue(v)}`)
    .join(' ')}`;
}

/** The message in RFC 5424 (body JSON), or RFC 3164-style framing around CEF as SIEMs expect. */
export function formatSyslog(a: AlertPayload, format: 'cef' | 'rfc5424', version: string, now = new Date()): string {
  const pri = FACILITY * 8 + SYSLOG_SEVERITY[a.incident.severity];
  const host = hostname().replace(/\s/g, '') || '-';
  if (format === 'cef') return `<${pri}>1 ${now.toISOString()} ${host} warden - - - ${formatCef(a, version)}`;
  const sd = `[warden@32473 incident="${a.incident.id.replace(/["\\\]]/g, (c) => `\\${c}`)}" severity="${a.incident.severity}"]`;
  return `<${pri}>1 ${now.toISOString()} ${host} warden - ${a.type} ${sd} ${JSON.stringify(a)}`;
}

export async function sendSyslog(target: string, message: string): Promise<void> {
  const u = /^(udp|tcp|tls):\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(target);
  if (!u) throw new Error(`syslog target must be udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT, not ${target}`);
  const [, proto, rawHost, portText] = u as unknown as [string, string, string, string];
  const host = rawHost.replace(/^\[|\]$/g, '');
  const port = Number(portText);
  if (proto === 'udp') {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => sock.send(message, port, host, (e) => (e ? reject(e) : resolve())));
    } finally {
      sock.close();
    }
    return;
  }
  // TCP and TLS: octet-counted framing (RFC 6587), one connection per alert
  const framed = `${Buffer.byteLength(message)} ${message}`;
  await new Promise<void>((resolve, reject) => {
    const s = proto === 'tls' ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
    s.setTimeout(10_000, () => s.destroy(new Error('syslog connection timed out')));
    s.once('error', reject);
    s.once(proto === 'tls' ? 'secureConnect' : 'connect', () => s.end(framed, () => resolve()));
  });
}

export async function sendJsonl(path: string, body: string): Promise<void> {
  await appendFile(path, `${body}\n`);
}

export function levelRank(l: Level): number {
  return LEVELS.indexOf(l);
}
