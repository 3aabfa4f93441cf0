/**
 * `warden serve`'s configuration: one YAML file, validated at start with errors that name the
 * file, the line and what is wrong. Every setting has a default; the smallest useful file
 * names one log path or one web root.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { WardenError } from '../errors.js';
import { LEVELS, type Level } from '../event/detection.js';
import { DEFAULT_LIVE_INCIDENT_MEMBERS } from '../engine/incidents.js';

export interface TailConfig {
  type: 'tail';
  name: string;
  paths: string[];
  format?: string;
  host?: string;
  timezone?: string;
  startAt: 'beginning' | 'end';
}

export interface SyslogConfig {
  type: 'syslog';
  name: string;
  udp?: string;
  tcp?: string;
  tls?: { listen: string; cert: string; key: string };
  /** Host for messages that name none: the sender's address (default) or a fixed name. */
  host?: string;
}

export interface SpoolConfig {
  type: 'spool';
  name: string;
  path: string;
  format?: string;
  host?: string;
}

export interface WebRootConfig {
  type: 'webroot';
  name: string;
  paths: string[];
  host?: string;
  rescanMs: number;
}

export interface ComponentsConfig {
  type: 'components';
  name: string;
  root: string;
  rescanMs: number;
}

export type SourceConfig = TailConfig | SyslogConfig | SpoolConfig | WebRootConfig | ComponentsConfig;

export interface AlertChannelConfig {
  type: 'webhook' | 'syslog' | 'jsonl';
  name: string;
  minLevel: Level;
  tags: string[];
  /** webhook: URL; syslog: udp://host:port, tcp://..., tls://...; jsonl: file path. */
  target: string;
  /** webhook: file holding the HMAC secret (or env:NAME). */
  secret?: string;
  /** syslog: cef or rfc5424. */
  syslogFormat?: 'cef' | 'rfc5424';
}

/** What a `warden serve` process does (see docs/cluster.md): everything, or one part of a cluster. */
export const SERVE_ROLES = ['all', 'worker', 'api', 'collector'] as const;
export type ServeRole = (typeof SERVE_ROLES)[number];

/** Where the cluster lives on NATS and how its stream keeps events (created at start when missing). */
export interface JetStreamConfig {
  /** nats://HOST:PORT, several separated by commas; credentials come from the environment. */
  url: string;
  namespace: string;
  /** Partitions, when this process creates the stream (an existing cluster keeps its own). */
  partitions?: number;
  retention: { maxAgeMs?: number; maxBytes?: number; duplicateWindowMs?: number; replicas?: number };
  /** Worker role: partition lease time (ms). */
  leaseMs: number;
  /** Worker role: messages per fetch and commit. */
  fetch?: number;
}

export interface ServeConfig {
  /** The file it was read from (for messages), or '(defaults)'. */
  file: string;
  role: ServeRole;
  jetstream?: JetStreamConfig;
  /** Where the settings that roles care about were given ("file:line" or "--flag"), for messages. */
  origins: Partial<Record<'role' | 'store' | 'listen' | 'sources' | 'jetstream' | 'alerts', string>>;
  data: string;
  store?: string;
  listen: string;
  tls?: { cert: string; key: string };
  rules: { paths: string[]; builtin: boolean; filters: string[]; placeholders?: string; minLevel?: Level; logsourceMap?: string };
  pipeline: { toleranceMs: number; incidentWindowMs: number; maxGroups: number; incidentMembersInMemory: number; snapshotEveryMs: number };
  sources: SourceConfig[];
  ingest: { enabled: boolean; maxBodyBytes: number; maxLines: number; maxLineBytes: number; maxFields: number };
  alerts: AlertChannelConfig[];
  retention: { maxAgeMs?: number; maxDetections?: number };
  api: { rateLimitPerMinute: number; console?: string };
  log: { level: 'debug' | 'info' | 'warn' | 'error' };
}

export const DEFAULT_LISTEN = '127.0.0.1:8405';

export function defaultConfig(): ServeConfig {
  return {
    file: '(defaults)',
    role: 'all',
    origins: {},
    data: './warden-data',
    listen: DEFAULT_LISTEN,
    rules: { paths: [], builtin: true, filters: [] },
    pipeline: { toleranceMs: 5000, incidentWindowMs: 3_600_000, maxGroups: 100_000, incidentMembersInMemory: DEFAULT_LIVE_INCIDENT_MEMBERS, snapshotEveryMs: 5000 },
    sources: [],
    ingest: { enabled: true, maxBodyBytes: 16 << 20, maxLines: 100_000, maxLineBytes: 1 << 20, maxFields: 2000 },
    alerts: [],
    retention: {},
    api: { rateLimitPerMinute: 6000 },
    log: { level: 'info' },
  };
}

/** "30s", "5m", "2h", "90d", "250ms", or a number of seconds. */
export function parseDurationText(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000));
}

class Reader {
  readonly errors: string[] = [];
  constructor(
    private readonly file: string,
    private readonly lc: LineCounter,
  ) {}

  line(n: YamlNode | null | undefined): number {
    const off = n?.range?.[0];
    return off === undefined ? 1 : this.lc.linePos(off).line;
  }

  err(n: YamlNode | null | undefined, msg: string): void {
    this.errors.push(`${this.file}:${this.line(n)}: ${msg}`);
  }

  /** The map's value nodes by key; unknown keys are errors (a typo must not be silently ignored). */
  fields(n: YamlNode | null | undefined, where: string, known: readonly string[]): Map<string, YamlNode | null> {
    const out = new Map<string, YamlNode | null>();
    if (n === null || n === undefined) return out;
    if (!isMap(n)) {
      this.err(n, `${where} must be a map`);
      return out;
    }
    for (const pair of n.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k === undefined) {
        this.err(pair.key as YamlNode, `${where}: keys must be plain names`);
        continue;
      }
      if (!known.includes(k)) this.err(pair.key as YamlNode, `${where}: unknown setting "${k}" (known: ${known.join(', ')})`);
      else out.set(k, (pair.value as YamlNode | null) ?? null);
    }
    return out;
  }

  str(n: YamlNode | null | undefined, where: string): string | undefined {
    if (n === undefined || n === null) return undefined;
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
    this.err(n, `${where} must be a text value`);
    return undefined;
  }

  bool(n: YamlNode | null | undefined, where: string): boolean | undefined {
    if (n === undefined || n === null) return undefined;
    if (isScalar(n) && typeof n.value === 'boolean') return n.value;
    this.err(n, `${where} must be true or false`);
    return undefined;
  }

  num(n: YamlNode | null | undefined, where: string, min = 0): number | undefined {
    if (n === undefined || n === null) return undefined;
    if (isScalar(n) && typeof n.value === 'number' && Number.isFinite(n.value) && n.value >= min) return n.value;
    this.err(n, `${where} must be a number of at least ${min}`);
    return undefined;
  }

  duration(n: YamlNode | null | undefined, where: string): number | undefined {
    const s = n === undefined || n === null ? undefined : isScalar(n) ? String(n.value) : undefined;
    if (s === undefined) {
      if (n !== undefined && n !== null) this.err(n, `${where} must be a duration such as 30s, 5m, 2h`);
      return undefined;
    }
    const ms = parseDurationText(s);
    if (ms === undefined) this.err(n, `${where}: "${s}" is not a duration (use e.g. 500ms, 30s, 5m, 2h, 90d)`);
    return ms;
  }

  strings(n: YamlNode | null | undefined, where: string): string[] | undefined {
    if (n === undefined || n === null) return undefined;
    if (isScalar(n)) {
      const s = this.str(n, where);
      return s === undefined ? undefined : [s];
    }
    if (!isSeq(n)) {
      this.err(n, `${where} must be a list of text values`);
      return undefined;
    }
    const out: string[] = [];
    for (const it of n.items) {
      const s = this.str(it as YamlNode, `${where} item`);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  oneOf<T extends string>(n: YamlNode | null | undefined, where: string, choices: readonly T[]): T | undefined {
    const s = this.str(n, where);
    if (s === undefined) return undefined;
    if ((choices as readonly string[]).includes(s)) return s as T;
    this.err(n, `${where} must be one of ${choices.join(', ')}, not "${s}"`);
    return undefined;
  }
}

/** Reads and validates a config file; throws a WardenError listing every problem with its line. */
export function loadConfig(file: string): ServeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new WardenError('config', `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): ServeConfig {
  const lc = new LineCounter();
  // The document is walked as nodes, never expanded: an alias is an error, not a billion laughs.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const r = new Reader(file, lc);
  for (const e of doc.errors) r.errors.push(`${file}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`);
  const c = defaultConfig();
  c.file = file;
  if (r.errors.length) throw new WardenError('config', r.errors.join('\n'), { file });
  const top = r.fields(doc.contents as YamlNode | null, 'the config', [
    'data',
    'store',
    'listen',
    'tls',
    'rules',
    'pipeline',
    'sources',
    'ingest',
    'alerts',
    'retention',
    'api',
    'log',
    'role',
    'jetstream',
  ]);
  // the key's line: a block list's value starts on the line after it
  if (isMap(doc.contents))
    for (const pair of doc.contents.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (k === 'role' || k === 'store' || k === 'listen' || k === 'sources' || k === 'jetstream' || k === 'alerts') c.origins[k] = `${file}:${r.line(pair.key as YamlNode)}`;
    }
  c.role = r.oneOf(top.get('role'), 'role', SERVE_ROLES) ?? c.role;
  if (top.has('jetstream')) c.jetstream = readJetStream(r, top.get('jetstream'));
  c.data = r.str(top.get('data'), 'data') ?? c.data;
  c.store = r.str(top.get('store'), 'store');
  if (c.store !== undefined && !/^postgres(ql)?:\/\//.test(c.store)) r.err(top.get('store'), 'store must be a postgres:// URL (SQLite in the data folder is the default)');
  c.listen = r.str(top.get('listen'), 'listen') ?? c.listen;
  if (!/^(\[[0-9a-f:.]+\]|[^:\s]+):\d{1,5}$/i.test(c.listen)) r.err(top.get('listen'), `listen must be HOST:PORT, not "${c.listen}"`);
  if (top.has('tls')) {
    const t = r.fields(top.get('tls'), 'tls', ['cert', 'key']);
    const cert = r.str(t.get('cert'), 'tls.cert');
    const key = r.str(t.get('key'), 'tls.key');
    if (cert === undefined || key === undefined) r.err(top.get('tls'), 'tls needs both cert and key (PEM files)');
    else c.tls = { cert, key };
  }
  const ru = r.fields(top.get('rules'), 'rules', ['paths', 'builtin', 'filters', 'placeholders', 'min_level', 'logsource_map']);
  c.rules.paths = r.strings(ru.get('paths'), 'rules.paths') ?? [];
  c.rules.builtin = r.bool(ru.get('builtin'), 'rules.builtin') ?? true;
  c.rules.filters = r.strings(ru.get('filters'), 'rules.filters') ?? [];
  c.rules.placeholders = r.str(ru.get('placeholders'), 'rules.placeholders');
  c.rules.minLevel = r.oneOf(ru.get('min_level'), 'rules.min_level', LEVELS);
  c.rules.logsourceMap = r.str(ru.get('logsource_map'), 'rules.logsource_map');
  const pi = r.fields(top.get('pipeline'), 'pipeline', ['tolerance', 'incident_window', 'max_groups', 'incident_members_in_memory', 'snapshot_every']);
  c.pipeline.toleranceMs = r.duration(pi.get('tolerance'), 'pipeline.tolerance') ?? c.pipeline.toleranceMs;
  c.pipeline.incidentWindowMs = r.duration(pi.get('incident_window'), 'pipeline.incident_window') ?? c.pipeline.incidentWindowMs;
  c.pipeline.maxGroups = r.num(pi.get('max_groups'), 'pipeline.max_groups', 1) ?? c.pipeline.maxGroups;
  c.pipeline.incidentMembersInMemory = r.num(pi.get('incident_members_in_memory'), 'pipeline.incident_members_in_memory', 1) ?? c.pipeline.incidentMembersInMemory;
  c.pipeline.snapshotEveryMs = r.duration(pi.get('snapshot_every'), 'pipeline.snapshot_every') ?? c.pipeline.snapshotEveryMs;
  c.sources = readSources(r, top.get('sources'));
  const ing = r.fields(top.get('ingest'), 'ingest', ['enabled', 'max_body', 'max_lines', 'max_line', 'max_fields']);
  c.ingest.enabled = r.bool(ing.get('enabled'), 'ingest.enabled') ?? c.ingest.enabled;
  c.ingest.maxBodyBytes = r.num(ing.get('max_body'), 'ingest.max_body', 1024) ?? c.ingest.maxBodyBytes;
  c.ingest.maxLines = r.num(ing.get('max_lines'), 'ingest.max_lines', 1) ?? c.ingest.maxLines;
  c.ingest.maxLineBytes = r.num(ing.get('max_line'), 'ingest.max_line', 64) ?? c.ingest.maxLineBytes;
  c.ingest.maxFields = r.num(ing.get('max_fields'), 'ingest.max_fields', 1) ?? c.ingest.maxFields;
  c.alerts = readAlerts(r, top.get('alerts'));
  const re = r.fields(top.get('retention'), 'retention', ['max_age', 'max_detections']);
  c.retention.maxAgeMs = r.duration(re.get('max_age'), 'retention.max_age');
  c.retention.maxDetections = r.num(re.get('max_detections'), 'retention.max_detections', 1);
  const api = r.fields(top.get('api'), 'api', ['rate_limit', 'console']);
  c.api.rateLimitPerMinute = r.num(api.get('rate_limit'), 'api.rate_limit', 1) ?? c.api.rateLimitPerMinute;
  c.api.console = r.str(api.get('console'), 'api.console');
  const lg = r.fields(top.get('log'), 'log', ['level']);
  c.log.level = r.oneOf(lg.get('level'), 'log.level', ['debug', 'info', 'warn', 'error'] as const) ?? c.log.level;
  if (r.errors.length) throw new WardenError('config', r.errors.join('\n'), { file });
  return c;
}

function readJetStream(r: Reader, n: YamlNode | null | undefined): JetStreamConfig {
  const f = r.fields(n, 'jetstream', ['url', 'namespace', 'partitions', 'retention', 'lease', 'fetch']);
  // the URL may come from --jetstream instead (roleProblems says when it comes from neither)
  const url = r.str(f.get('url'), 'jetstream.url') ?? '';
  if (/\/\/[^/]*@/.test(url))
    r.err(f.get('url'), 'jetstream.url: credentials in the URL are refused; use WARDEN_NATS_USER/WARDEN_NATS_PASSWORD_FILE, WARDEN_NATS_TOKEN_FILE or WARDEN_NATS_CREDS');
  const namespace = r.str(f.get('namespace'), 'jetstream.namespace') ?? 'warden';
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(namespace)) r.err(f.get('namespace'), 'jetstream.namespace must be 1-32 of a-z, 0-9, _ and -, starting with a letter');
  const partitions = r.num(f.get('partitions'), 'jetstream.partitions', 1);
  if (partitions !== undefined && (!Number.isInteger(partitions) || partitions > 1024)) r.err(f.get('partitions'), 'jetstream.partitions must be a whole number from 1 to 1024');
  const re = r.fields(f.get('retention'), 'jetstream.retention', ['max_age', 'max_bytes', 'dedup_window', 'replicas']);
  const replicas = r.num(re.get('replicas'), 'jetstream.retention.replicas', 1);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas > 5)) r.err(re.get('replicas'), 'jetstream.retention.replicas must be 1 to 5');
  const fetch = r.num(f.get('fetch'), 'jetstream.fetch', 1);
  return {
    url,
    namespace,
    partitions,
    retention: {
      maxAgeMs: r.duration(re.get('max_age'), 'jetstream.retention.max_age'),
      maxBytes: r.num(re.get('max_bytes'), 'jetstream.retention.max_bytes', 1),
      duplicateWindowMs: r.duration(re.get('dedup_window'), 'jetstream.retention.dedup_window'),
      replicas,
    },
    leaseMs: r.duration(f.get('lease'), 'jetstream.lease') ?? 15_000,
    fetch: fetch === undefined ? undefined : Math.floor(fetch),
  };
}

/**
 * What the role cannot do with the rest of the configuration; each message names where the
 * setting came from. Checked after the command line's flags are applied.
 */
export function roleProblems(c: ServeConfig): string[] {
  const out: string[] = [];
  const at = (k: keyof ServeConfig['origins']): string => (c.origins[k] ? `${c.origins[k]}: ` : '');
  const role = `role ${c.role}${c.origins.role ? ` (${c.origins.role})` : ''}`;
  const kinds = (types: string[]): string[] => c.sources.filter((s) => types.includes(s.type)).map((s) => `${s.name} (${s.type})`);
  if (c.role === 'all') {
    if (c.jetstream) out.push(`${at('jetstream')}jetstream is for the roles worker, api and collector; role all detects in this process (set role: or --role)`);
    return out;
  }
  if ((c.role === 'worker' || c.role === 'collector') && !c.jetstream?.url) out.push(`${role} needs jetstream: give --jetstream nats://HOST:PORT or jetstream.url in the config`);
  if (c.role === 'api' && c.jetstream && !c.jetstream.url) out.push(`${at('jetstream')}jetstream needs url: nats://HOST:PORT (or --jetstream)`);
  if ((c.role === 'worker' || c.role === 'api') && !c.store) out.push(`${role} needs --store postgres://... (the cluster's shared store)`);
  if ((c.role === 'worker' || c.role === 'api') && c.sources.length)
    out.push(
      `${at('sources')}${role} reads no sources (${c.sources.map((s) => s.name).join(', ')}); run them in a collector (role collector), which publishes their events to JetStream`,
    );
  if (c.role === 'collector') {
    if (c.store) out.push(`${at('store')}${role} stores no detections (the workers do); its source positions live in the data folder: remove store / --store`);
    const local = kinds(['webroot', 'components']);
    if (local.length) out.push(`${at('sources')}${role} cannot run ${local.join(', ')}: web-root and component watching run in role all`);
  }
  if (c.alerts.length) out.push(`${at('alerts')}${role} sends no alerts in this version (only role all does); remove alerts or run role all`);
  return out;
}

function readSources(r: Reader, n: YamlNode | null | undefined): SourceConfig[] {
  if (n === undefined || n === null) return [];
  if (!isSeq(n)) {
    r.err(n, 'sources must be a list');
    return [];
  }
  const out: SourceConfig[] = [];
  const names = new Set<string>();
  n.items.forEach((item, i) => {
    const node = item as YamlNode;
    const type = r.oneOf(isMap(node) ? (node.get('type', true) as YamlNode) : node, `sources[${i}].type`, ['tail', 'syslog', 'spool', 'webroot', 'components'] as const);
    if (!type) return;
    const where = `sources[${i}] (${type})`;
    const common = ['type', 'name'];
    const known: Record<string, string[]> = {
      tail: [...common, 'paths', 'format', 'host', 'timezone', 'start_at'],
      syslog: [...common, 'udp', 'tcp', 'tls', 'host'],
      spool: [...common, 'path', 'format', 'host'],
      webroot: [...common, 'paths', 'host', 'rescan'],
      components: [...common, 'root', 'rescan'],
    };
    const f = r.fields(node, where, known[type]!);
    const name = r.str(f.get('name'), `${where}.name`) ?? `${type}-${i + 1}`;
    if (names.has(name)) r.err(f.get('name') ?? node, `${where}: another source is already named "${name}"`);
    names.add(name);
    if (type === 'tail') {
      const paths = r.strings(f.get('paths'), `${where}.paths`);
      if (!paths?.length) r.err(node, `${where} needs paths: the files or globs to follow`);
      out.push({
        type,
        name,
        paths: paths ?? [],
        format: r.str(f.get('format'), `${where}.format`),
        host: r.str(f.get('host'), `${where}.host`),
        timezone: r.str(f.get('timezone'), `${where}.timezone`),
        startAt: r.oneOf(f.get('start_at'), `${where}.start_at`, ['beginning', 'end'] as const) ?? 'beginning',
      });
    } else if (type === 'syslog') {
      const s: SyslogConfig = { type, name, udp: r.str(f.get('udp'), `${where}.udp`), tcp: r.str(f.get('tcp'), `${where}.tcp`), host: r.str(f.get('host'), `${where}.host`) };
      if (f.has('tls')) {
        const t = r.fields(f.get('tls'), `${where}.tls`, ['listen', 'cert', 'key']);
        const listen = r.str(t.get('listen'), `${where}.tls.listen`);
        const cert = r.str(t.get('cert'), `${where}.tls.cert`);
        const key = r.str(t.get('key'), `${where}.tls.key`);
        if (!listen || !cert || !key) r.err(f.get('tls'), `${where}.tls needs listen, cert and key`);
        else s.tls = { listen, cert, key };
      }
      if (!s.udp && !s.tcp && !s.tls) r.err(node, `${where} needs at least one of udp, tcp, tls (e.g. udp: 0.0.0.0:514)`);
      out.push(s);
    } else if (type === 'spool') {
      const path = r.str(f.get('path'), `${where}.path`);
      if (!path) r.err(node, `${where} needs path: the folder files are dropped into`);
      out.push({ type, name, path: path ?? '', format: r.str(f.get('format'), `${where}.format`), host: r.str(f.get('host'), `${where}.host`) });
    } else if (type === 'webroot') {
      const paths = r.strings(f.get('paths'), `${where}.paths`);
      if (!paths?.length) r.err(node, `${where} needs paths: the web roots to watch`);
      out.push({ type, name, paths: paths ?? [], host: r.str(f.get('host'), `${where}.host`), rescanMs: r.duration(f.get('rescan'), `${where}.rescan`) ?? 600_000 });
    } else {
      const root = r.str(f.get('root'), `${where}.root`) ?? '/';
      out.push({ type, name, root, rescanMs: r.duration(f.get('rescan'), `${where}.rescan`) ?? 600_000 });
    }
  });
  return out;
}

function readAlerts(r: Reader, n: YamlNode | null | undefined): AlertChannelConfig[] {
  if (n === undefined || n === null) return [];
  if (!isSeq(n)) {
    r.err(n, 'alerts must be a list');
    return [];
  }
  const out: AlertChannelConfig[] = [];
  n.items.forEach((item, i) => {
    const node = item as YamlNode;
    const type = r.oneOf(isMap(node) ? (node.get('type', true) as YamlNode) : node, `alerts[${i}].type`, ['webhook', 'syslog', 'jsonl'] as const);
    if (!type) return;
    const where = `alerts[${i}] (${type})`;
    const f = r.fields(node, where, ['type', 'name', 'url', 'target', 'path', 'secret', 'format', 'min_level', 'tags']);
    const target = r.str(f.get(type === 'webhook' ? 'url' : type === 'jsonl' ? 'path' : 'target'), `${where} target`);
    if (!target) r.err(node, `${where} needs ${type === 'webhook' ? 'url' : type === 'jsonl' ? 'path' : 'target (udp://host:514, tcp://..., tls://...)'}`);
    const ch: AlertChannelConfig = {
      type,
      name: r.str(f.get('name'), `${where}.name`) ?? `${type}-${i + 1}`,
      target: target ?? '',
      minLevel: r.oneOf(f.get('min_level'), `${where}.min_level`, LEVELS) ?? 'medium',
      tags: r.strings(f.get('tags'), `${where}.tags`) ?? [],
    };
    const secret = r.str(f.get('secret'), `${where}.secret`);
    if (secret !== undefined) ch.secret = secret;
    const fmt = r.oneOf(f.get('format'), `${where}.format`, ['cef', 'rfc5424'] as const);
    if (fmt !== undefined) ch.syslogFormat = fmt;
    out.push(ch);
  });
  return out;
}

/** The commented example `warden serve --init` writes. */
export const EXAMPLE_CONFIG = `# warden serve configuration. Every setting has a default; only sources are needed.
# Validate with: warden serve --config warden.yaml --check

# data: ./warden-data              # data folder: SQLite store, ingest journal, spool
# store: postgres://warden@db/warden   # PostgreSQL instead of SQLite (password from PGPASSWORD or ~/.pgpass)
# listen: 127.0.0.1:8405           # API and console; use 0.0.0.0:8405 to listen on every interface
# tls: { cert: server.crt, key: server.key }

# role: all                        # all: this process does everything (the default). In a cluster
#                                  # (docs/cluster.md): collector (sources -> JetStream), worker
#                                  # (JetStream -> detections in PostgreSQL), api (API and console
#                                  # over the PostgreSQL store; HTTP ingest goes to a collector)
# jetstream:                       # roles worker, api (per-partition lag) and collector
#   url: nats://nats1:4222,nats://nats2:4222   # credentials from WARDEN_NATS_* variables, never here
#   namespace: warden              # stream WARDEN_EVENTS, subjects warden.events.<partition>
#   partitions: 8                  # when this process creates the stream; fixed afterwards
#   retention:                     # applied when the stream is created (an existing one keeps its own)
#     max_age: 7d                  # events older than this leave the stream
#     max_bytes: 200000000000      # size cap, oldest events dropped first (default: none)
#     dedup_window: 2m             # a re-published batch is recognised within this time
#     replicas: 3                  # copies in a NATS cluster
#   lease: 15s                     # worker: how long a dead worker's partitions wait
#   fetch: 64                      # worker: messages per fetch and commit

rules:
  builtin: true                    # Warden's T1505 pack
  # paths: [/opt/sigma/rules/windows]   # your own Sigma rules and correlations
  # filters: [/etc/warden/filters]      # Sigma filters for site tuning
  # min_level: low

pipeline:
  tolerance: 5s                    # how far events from different sources may arrive out of time order
  incident_window: 1h              # largest gap between related detections of one incident
  # max_groups: 100000             # memory budget: open groups per correlation
  # incident_members_in_memory: 1000  # memory budget: newest members an open incident holds (the store has all)
  # snapshot_every: 5s             # how often the pipeline state is saved (a restart replays from it)

sources:
  - name: iis
    type: tail                     # files and globs, followed across rotation
    paths: ["/var/log/iis/W3SVC1/u_ex*.log"]
    # format: w3c                  # detected from the content when absent
    # host: WEB01                  # for logs that do not name their machine
  # - name: syslog
  #   type: syslog                 # ESXi, Linux hosts, network devices
  #   udp: 0.0.0.0:514
  #   tcp: 0.0.0.0:514
  # - name: drop
  #   type: spool                  # EVTX/JSON/log files copied here are read once, then moved to done/
  #   path: ./warden-data/spool
  # - name: www
  #   type: webroot                # scripts created or changed here are scanned at once
  #   paths: [/var/www/html]
  #   rescan: 10m

# ingest: { enabled: true }        # POST /api/v1/ingest (NDJSON), needs an ingest token

# alerts:
#   - type: webhook
#     url: https://soar.example/hooks/warden
#     secret: env:WARDEN_WEBHOOK_SECRET   # HMAC-SHA256 of the body in X-Warden-Signature
#     min_level: high
#   - type: syslog
#     target: tcp://siem.example:514
#     format: cef

# retention: { max_age: 90d }
# log: { level: info }
`;
