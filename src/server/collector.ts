/**
 * `warden serve --role collector`: the configured sources (tailed files, syslog, spool
 * folders, HTTP ingest through the journal) read and decoded here, their events published to
 * the cluster's JetStream partitions instead of detected locally.
 *
 * Each source has a Shipper of its own and goes batch by batch: the batch's events are
 * published, every publish is acknowledged by JetStream, and only then is the source's new
 * position saved (in the data folder's store). A crash before the save reads the batch again
 * on restart and publishes it again with the same de-duplication ids (the stream keeps it
 * once); a crash after it reads on from there. So nothing read is lost, and nothing is doubled
 * within the stream's de-duplication window. Should the batches read again be cut differently
 * (the file grew meanwhile), the workers still drop the events they already have: every
 * message names the collector (its id lives in the data folder) and the workers keep how far
 * each collector's streams were read (stream/marks.ts). While NATS is unreachable the publishes are
 * retried without end and the sources wait (tailing pauses, the journal refuses ingest with
 * 503 once it is far behind) — backpressure, not loss.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Problem, ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { SourcePosition } from '../event/source.js';
import { TailSource } from '../input/sources/tail.js';
import { openStore, type Store } from '../store/store.js';
import { connectNats, ensureTopology, type Topology } from '../stream/connect.js';
import { type ClusterSettings, clusterSettings } from '../stream/settings.js';
import { Shipper } from '../stream/ship.js';
import type { ServeConfig } from './config.js';
import { IngestJournal, type JournalPosition, JournalSource } from './journal.js';
import type { ServiceLogger, ServiceSource } from './service.js';
import { SpoolSource } from './spool.js';
import { SyslogListener } from './syslog-listener.js';
import type { IngestSink, LiveEvent, MetricsView, RulesView, ServiceView, SourceHealth } from './view.js';

interface Health {
  events: number;
  errors: number;
  shipped: number;
  lastEventAt?: number;
  lastEventTime?: number;
  lastError?: string;
  /** [time, events] pairs of the last minute. */
  recent: number[];
  state: SourceHealth['state'];
}

/** The cluster settings of a role's `jetstream:` configuration. */
export function clusterSettingsOf(js: NonNullable<ServeConfig['jetstream']>): Partial<ClusterSettings> {
  const retention = Object.fromEntries(Object.entries(js.retention).filter(([, v]) => v !== undefined)) as Partial<ClusterSettings['retention']>;
  const out: Partial<ClusterSettings> = { namespace: js.namespace, retention: retention as ClusterSettings['retention'] };
  if (js.partitions !== undefined) out.partitions = js.partitions;
  return out;
}

function collectorId(data: string): string {
  const file = join(data, 'collector-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[\w.-]{1,80}$/.test(id)) return id;
  }
  const id = randomUUID();
  writeFileSync(file, `${id}\n`);
  return id;
}

export class Collector implements ServiceView {
  private nc: NatsConnection | undefined;
  private topology: Topology | undefined;
  private readonly ctl = new AbortController();
  private readonly inputs: ServiceSource[] = [];
  private readonly syslog: SyslogListener[] = [];
  private readonly spools: SpoolSource[] = [];
  private health: Health[] = [];
  private readers: Promise<void>[] = [];
  readonly ingest: IngestSink | null;
  /** This collector's id, the same across restarts (kept in the data folder). */
  readonly id: string;

  private constructor(
    private readonly config: ServeConfig,
    readonly store: Store,
    private readonly journal: IngestJournal,
    private readonly logger: ServiceLogger,
  ) {
    this.ingest = config.ingest.enabled ? journal : null;
    this.id = collectorId(resolve(config.data));
  }

  /** Opens the data folder, connects to NATS (creating the stream when missing) and starts every source. */
  static async start(config: ServeConfig, logger: ServiceLogger): Promise<Collector> {
    const data = resolve(config.data);
    mkdirSync(data, { recursive: true });
    const store = await openStore({ data });
    const journal = new IngestJournal(join(data, 'journal'));
    const c = new Collector(config, store, journal, logger);
    try {
      await journal.open();
      await c.open();
    } catch (e) {
      await c.stop().catch(() => undefined);
      throw e;
    }
    return c;
  }

  private async open(): Promise<void> {
    const js = this.config.jetstream!;
    this.nc = await connectNats({ url: js.url, name: 'warden collector' });
    this.topology = await ensureTopology(this.nc, clusterSettings(clusterSettingsOf(js)));
    this.inputs.push({ name: 'ingest', kind: 'journal', source: new JournalSource(this.journal, { name: 'ingest' }), replayable: true });
    for (const s of this.config.sources) {
      if (s.type === 'tail') {
        const source = new TailSource({ name: s.name, paths: s.paths, format: s.format, host: s.host, timezone: s.timezone, startAt: s.startAt });
        this.inputs.push({ name: s.name, kind: 'tail', source, replayable: true });
      } else if (s.type === 'spool') {
        const sp = new SpoolSource({ name: s.name, dir: resolve(s.path), format: s.format, host: s.host });
        this.spools.push(sp);
        this.inputs.push({ name: s.name, kind: 'spool', source: sp, replayable: true });
      } else if (s.type === 'syslog') {
        const l = new SyslogListener({ name: s.name, udp: s.udp, tcp: s.tcp, tls: s.tls, host: s.host }, this.journal);
        await l.start();
        this.syslog.push(l);
      }
    }
    this.health = this.inputs.map(() => ({ events: 0, errors: 0, shipped: 0, recent: [], state: 'stopped' as const }));
    const saved = await this.store.service.loadPositions();
    this.inputs.forEach((s, i) => {
      const text = saved.get(s.name);
      this.readers.push(this.run(i, text ? (JSON.parse(text) as SourcePosition) : undefined));
    });
    this.logger.info(
      { collector: this.id, namespace: js.namespace, partitions: this.topology.settings.partitions, sources: this.inputs.map((s) => s.name) },
      'collector started: events go to JetStream',
    );
  }

  private problems(i: number): ProblemSink {
    return {
      report: (p: Problem) => {
        const h = this.health[i]!;
        h.errors += 1 + (p.more ?? 0);
        h.lastError = `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`;
        this.logger.warn({ source: this.inputs[i]!.name, file: p.file, line: p.line, record: p.record }, p.message);
      },
    };
  }

  private async run(i: number, from: SourcePosition | undefined): Promise<void> {
    const s = this.inputs[i]!;
    const h = this.health[i]!;
    // NATS down is waited out however long it takes: the source pauses meanwhile
    const shipper = new Shipper(this.nc!, this.topology!, {
      collector: this.id,
      retryForMs: Number.MAX_SAFE_INTEGER,
      onRetry: (p, attempt, err) => {
        h.state = 'paused';
        if (attempt === 1 || attempt % 30 === 0) this.logger.warn({ source: s.name, partition: p, attempt, err }, 'publish retried');
      },
    });
    h.state = 'running';
    try {
      for await (const batch of s.source.batches(this.problems(i), { from, signal: this.ctl.signal })) {
        const n = batch.events.length;
        if (n) {
          await shipper.add(batch.events);
          await shipper.finish();
          h.state = 'running';
          const now = Date.now();
          h.events += n;
          h.shipped += n;
          h.lastEventAt = now;
          h.recent.push(now, n);
          for (const ev of batch.events) if (ev.timestamp !== undefined && (h.lastEventTime === undefined || ev.timestamp > h.lastEventTime)) h.lastEventTime = ev.timestamp;
        }
        // only now, with every event of the batch acknowledged, does the position move on
        if (batch.position !== undefined) await this.saved(s.name, batch.position);
      }
      h.state = 'stopped';
    } catch (e) {
      h.state = 'failed';
      h.lastError = errorMessage(e);
      this.logger.error({ source: s.name, err: errorMessage(e) }, 'source failed');
    }
  }

  private async saved(name: string, position: SourcePosition): Promise<void> {
    await this.store.service.savePositions(new Map([[name, JSON.stringify(position)]]));
    if (name === 'ingest') {
      const jp = position as unknown as JournalPosition;
      if (typeof jp.segment === 'number') await this.journal.prune(jp);
    }
    for (const sp of this.spools) if (sp.name === name) await sp.settle(position);
  }

  /** Stops the listeners and sources; what a source already read is published and its position saved first. */
  async stop(): Promise<void> {
    for (const l of this.syslog) await l.stop().catch(() => undefined);
    this.ctl.abort();
    await Promise.allSettled(this.readers);
    await this.nc?.drain().catch(() => undefined);
    await this.journal.close().catch(() => undefined);
    await this.store.close();
  }

  // ServiceView

  rules(): RulesView {
    return { rules: [], correlations: 0, problems: [] };
  }

  sources(): SourceHealth[] {
    const now = Date.now();
    const out: SourceHealth[] = this.inputs.map((s, i) => {
      const h = this.health[i]!;
      while (h.recent.length && h.recent[0]! < now - 60_000) h.recent.splice(0, 2);
      let n = 0;
      for (let k = 1; k < h.recent.length; k += 2) n += h.recent[k]!;
      const o: SourceHealth = { name: s.name, kind: s.kind, events: h.events, errors: h.errors, eventsPerSecond: Math.round((n / 60) * 10) / 10, state: h.state };
      if (h.lastEventAt !== undefined) o.lastEventAt = h.lastEventAt;
      if (h.lastEventTime !== undefined) o.lastEventTime = h.lastEventTime;
      if (h.lastError !== undefined) o.lastError = h.lastError;
      if (s.source.lagBytes !== undefined) {
        o.lag = s.source.lagBytes;
        o.lagUnit = 'bytes';
      }
      return o;
    });
    for (const l of this.syslog) {
      const o: SourceHealth = { name: l.name, kind: 'syslog', events: l.received, errors: 0, eventsPerSecond: 0, state: 'running' };
      o.dropped = l.dropped;
      out.push(o);
    }
    return out;
  }

  metrics(): MetricsView {
    const sources = this.sources();
    return {
      eventsIn: this.health.reduce((n, h) => n + h.events, 0),
      eventsShipped: this.health.reduce((n, h) => n + h.shipped, 0),
      detections: 0,
      incidentsOpened: 0,
      droppedEvents: sources.reduce((n, s) => n + (s.dropped ?? 0), 0),
      queueDepth: 0,
      sources,
      openCorrelationGroups: 0,
      openIncidents: 0,
      pipelineBuffered: 0,
    };
  }

  /** A collector detects nothing: no live feed. */
  subscribe(_listener: (e: LiveEvent) => void): () => void {
    return () => undefined;
  }
}
