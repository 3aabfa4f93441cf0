/**
 * The live detection service: sources → one Pipeline → the store (and alerts), committed so
 * that a crash at any moment neither loses nor doubles a detection.
 *
 * - Every batch's detections, incident updates and the source's new position are committed in
 *   one transaction. Detections are keyed by their id, so writing one again changes nothing.
 * - Every few seconds the pipeline's whole state is saved together with every source's
 *   position at that moment. A restart restores that state and replays each replayable source
 *   (tailed files, the ingest journal) from those positions: the pipeline sees exactly the
 *   events it had not yet folded into the saved state, produces exactly the detections it did
 *   before (same ids: already stored, nothing doubles) and continues every open correlation
 *   window and incident.
 * - Sources wait when the processing queue is full (backpressure: tailing pauses, the journal
 *   refuses appends, syslog over TCP stops reading).
 */
import type { Problem, ProblemSink } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { Detection, IncidentUpdate, RuleInfo } from '../event/detection.js';
import type { Event } from '../event/event.js';
import type { EventSource, SourceBatch, SourcePosition } from '../event/source.js';
import { Pipeline, type PipelineSnapshot } from '../engine/pipeline.js';
import { DEFAULT_LIVE_INCIDENT_MEMBERS } from '../engine/incidents.js';
import type { RuleSet } from '../engine/ruleset.js';
import type { ResolvedCorrelation } from '../sigma/correlations.js';
import type { Db } from '../store/db.js';
import type { FindingRow } from '../store/alerts.js';
import type { Store } from '../store/store.js';
import { detectionRow, incidentRows } from '../output/store-rows.js';
import { BoundedQueue } from './bounded-queue.js';
import { RateWindow } from './rate-window.js';
import type { LiveEvent, MetricsView, RulesView, ServiceView, SourceHealth, IngestSink } from './view.js';
import { ReceivingSources } from './receiving.js';

export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ServiceSource {
  name: string;
  kind: string;
  source: EventSource & { lagBytes?: number };
  /** Can it be read again from a saved position (files, the journal)? Others start fresh. */
  replayable: boolean;
  /** Scanner findings the source made (web-root watch), for the findings table. */
  takeFindings?: () => FindingRow[];
}

export interface ServiceRules {
  ruleSet: RuleSet;
  rules: RuleInfo[];
  correlations: ResolvedCorrelation[];
  loaded: number;
  failed: number;
  problems: Problem[];
}

export interface AlertHook {
  /** Queues alerts for these updates inside the commit's transaction. */
  onIncidentUpdates(updates: readonly IncidentUpdate[], tx: Db): Promise<void>;
}

export interface ServiceOptions {
  store: Store;
  rules: ServiceRules;
  sources: ServiceSource[];
  /** Out-of-order tolerance (ms). Default 5 000. */
  toleranceMs?: number;
  incidentWindowMs?: number;
  /** Members of one open incident held in memory (the store has them all). Default 1 000. */
  incidentMembersInMemory?: number;
  maxGroups?: number;
  /** How often the pipeline state is saved (ms). Default 5 000. */
  snapshotEveryMs?: number;
  /** Batches waiting for the pipeline before sources are paused. Default 32. */
  queueBatches?: number;
  /** Events waiting for the pipeline before sources are paused (whatever the batches' sizes). Default 8 192. */
  queueEvents?: number;
  /** The partition this pipeline owns (one per JetStream partition in a cluster). */
  partition?: string;
  logger: ServiceLogger;
  alerts?: AlertHook;
  ingest?: IngestSink | null;
  /** After each snapshot: the positions it saved (the journal prunes segments before them). */
  onSnapshot?: (positions: Record<string, SourcePosition>) => Promise<void>;
}

interface Queued {
  src: number;
  batch: SourceBatch;
  at: number;
}

interface Health {
  events: number;
  errors: number;
  lastEventAt?: number;
  lastEventTime?: number;
  lastError?: string;
  recent: RateWindow;
  state: SourceHealth['state'];
}

/**
 * Events waiting between the sources and the pipeline before sources are paused. Enough to keep
 * the pipeline busy while a source reads its next batch; more only holds events longer (and
 * makes V8's old generation, and RSS, grow with the backlog instead of with the live state).
 */
export const DEFAULT_QUEUE_EVENTS = 8_192;

const LATENCY_SAMPLES = 4096;

export class Service implements ServiceView {
  private pipeline!: Pipeline;
  private readonly queue: BoundedQueue<Queued>;
  private readonly ctl = new AbortController();
  private readonly positions = new Map<string, SourcePosition>();
  private readonly health: Health[];
  private readonly listeners = new Set<(e: LiveEvent) => void>();
  private readonly receivingSources = new ReceivingSources();
  private readers: Promise<void>[] = [];
  private processor: Promise<void> | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private lastSnapshot = Date.now();
  private lastArrival = Date.now();
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private busy: Promise<void> = Promise.resolve();
  private readonly latencies: number[] = [];
  private latencyAt = 0;
  readonly counters = { eventsIn: 0, detections: 0, incidentsOpened: 0, droppedEvents: 0, commits: 0, snapshots: 0 };
  readonly ingest: IngestSink | null;

  constructor(private readonly opts: ServiceOptions) {
    this.queue = new BoundedQueue<Queued>(opts.queueBatches ?? 32, opts.queueEvents ?? DEFAULT_QUEUE_EVENTS, (q) => q.batch.events.length);
    this.health = opts.sources.map(() => ({ events: 0, errors: 0, recent: new RateWindow(), state: 'stopped' as const }));
    this.ingest = opts.ingest ?? null;
  }

  private pipelineOptions(): ConstructorParameters<typeof Pipeline>[1] {
    return {
      outOfOrderToleranceMs: this.opts.toleranceMs ?? 5000,
      maxGroups: this.opts.maxGroups,
      incidents: { windowMs: this.opts.incidentWindowMs, maxMembers: this.opts.incidentMembersInMemory ?? DEFAULT_LIVE_INCIDENT_MEMBERS },
      problems: this.problemSink(-1),
    };
  }

  private get partition(): string {
    return this.opts.partition ?? 'main';
  }

  /** Restores the saved state (if any) and starts every source from its saved position. */
  async start(): Promise<void> {
    const { store, rules } = this.opts;
    const pr = { ruleSet: rules.ruleSet, correlations: rules.correlations };
    const saved = await store.service.loadState(this.partition);
    let from: Record<string, SourcePosition> = {};
    if (saved) {
      try {
        this.pipeline = Pipeline.restore(pr, JSON.parse(saved.state) as PipelineSnapshot, this.pipelineOptions());
        from = JSON.parse(saved.positions) as Record<string, SourcePosition>;
        this.opts.logger.info(
          { partition: this.partition, savedAt: new Date(saved.updatedAt).toISOString() },
          'pipeline state restored; replaying sources from the saved positions',
        );
      } catch (e) {
        this.opts.logger.error(
          { err: errorMessage(e) },
          'saved pipeline state is unreadable (rule set changed?); starting with an empty pipeline and reading sources from their last committed positions',
        );
        this.pipeline = new Pipeline(pr, this.pipelineOptions());
        from = Object.fromEntries([...(await store.service.loadPositions())].map(([k, v]) => [k, JSON.parse(v) as SourcePosition]));
      }
    } else this.pipeline = new Pipeline(pr, this.pipelineOptions());
    for (const [k, v] of Object.entries(from)) this.positions.set(k, v);
    this.opts.sources.forEach((s, i) => {
      this.readers.push(this.read(i, s.replayable ? from[s.name] : undefined));
    });
    this.processor = this.process();
    this.ticker = setInterval(() => {
      this.busy = this.busy.then(() => this.idle()).catch((e: unknown) => this.opts.logger.error({ err: errorMessage(e) }, 'idle tick failed'));
    }, 250);
  }

  /** Stops the sources, processes what they already queued, saves the state, and returns. */
  async stop(): Promise<void> {
    this.ctl.abort();
    await Promise.allSettled(this.readers);
    this.queue.close();
    await this.processor;
    if (this.ticker) clearInterval(this.ticker);
    await this.busy;
    await this.snapshot();
  }

  private problemSink(src: number): ProblemSink {
    return {
      report: (p: Problem) => {
        const h = src >= 0 ? this.health[src] : undefined;
        if (h) {
          h.errors += 1 + (p.more ?? 0);
          h.lastError = `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`;
        }
        this.opts.logger.warn({ source: src >= 0 ? this.opts.sources[src]?.name : 'pipeline', file: p.file, line: p.line, record: p.record }, p.message);
      },
    };
  }

  private async read(i: number, from: SourcePosition | undefined): Promise<void> {
    const s = this.opts.sources[i]!;
    const h = this.health[i]!;
    h.state = 'running';
    try {
      for await (const batch of s.source.batches(this.problemSink(i), { from, signal: this.ctl.signal })) {
        h.state = this.queue.full ? 'paused' : 'running';
        await this.queue.put({ src: i, batch, at: Date.now() });
        h.state = 'running';
      }
      h.state = 'stopped';
    } catch (e) {
      h.state = 'failed';
      h.lastError = errorMessage(e);
      this.opts.logger.error({ source: s.name, err: errorMessage(e) }, 'source failed');
    }
  }

  private async process(): Promise<void> {
    for (;;) {
      const first = await this.queue.take();
      if (!first) return;
      const items = [first, ...this.queue.drain(63)];
      const task = this.busy.then(() => this.handle(items));
      this.busy = task.catch(() => undefined);
      try {
        await task;
      } catch (e) {
        // A failed commit must not be retried blindly or skipped: stop, and let the restart replay.
        this.opts.logger.error({ err: errorMessage(e) }, 'commit failed; stopping the service (a restart replays from the last saved state)');
        this.ctl.abort();
        this.queue.close();
        throw e;
      }
    }
  }

  private async handle(items: Queued[]): Promise<void> {
    const detections: Detection[] = [];
    const updates: IncidentUpdate[] = [];
    const changed = new Map<string, string>();
    const now = Date.now();
    for (const it of items) {
      const s = this.opts.sources[it.src]!;
      const h = this.health[it.src]!;
      const events: readonly Event[] = it.batch.events;
      if (events.length) {
        const out = this.pipeline.push(events);
        this.receivingSources.note(events, now);
        detections.push(...out.detections);
        updates.push(...out.incidents);
        h.events += events.length;
        h.lastEventAt = now;
        this.counters.eventsIn += events.length;
        this.lastArrival = now;
        for (const ev of events) {
          if (ev.timestamp !== undefined && ev.timestamp > this.maxEventTime) this.maxEventTime = ev.timestamp;
          if (ev.timestamp !== undefined && (h.lastEventTime === undefined || ev.timestamp > h.lastEventTime)) h.lastEventTime = ev.timestamp;
        }
        h.recent.add(now, events.length);
      }
      if (it.batch.position !== undefined) {
        this.positions.set(s.name, it.batch.position);
        changed.set(s.name, JSON.stringify(it.batch.position));
      }
    }
    const findings = this.opts.sources.flatMap((s) => s.takeFindings?.() ?? []);
    await this.commit(detections, updates, changed, findings);
    for (const it of items) this.recordLatency(Date.now() - it.at);
    if (Date.now() - this.lastSnapshot >= (this.opts.snapshotEveryMs ?? 5000)) await this.snapshot();
  }

  private async commit(detections: Detection[], updates: IncidentUpdate[], positions: Map<string, string>, findings: FindingRow[]): Promise<void> {
    if (!detections.length && !updates.length && !positions.size && !findings.length) return;
    const { store, alerts } = this.opts;
    const rows = detections.map(detectionRow);
    const inc = incidentRows(updates);
    await store.db.transaction(async (tx) => {
      await store.alerts.insertDetections(rows, tx);
      if (inc.incidents.length) await store.alerts.upsertIncidents(inc.incidents, inc.members, tx);
      if (findings.length) await store.alerts.insertFindings(findings, tx);
      if (positions.size) await store.service.savePositions(positions, tx);
      if (alerts && updates.length) await alerts.onIncidentUpdates(updates, tx);
    });
    this.counters.commits++;
    this.counters.detections += detections.length;
    this.counters.incidentsOpened += updates.filter((u) => u.kind === 'opened').length;
    if (detections.length) this.publish({ kind: 'detections', detections });
    if (updates.length) this.publish({ kind: 'incidents', updates });
    if (findings.length) this.publish({ kind: 'findings', count: findings.length });
  }

  /** Saves the pipeline's state with every source's position. */
  async snapshot(): Promise<void> {
    if (!this.pipeline) return;
    const positions = Object.fromEntries(this.positions);
    const state = JSON.stringify(this.pipeline.snapshot());
    await this.opts.store.service.saveState(this.partition, state, JSON.stringify(positions));
    this.lastSnapshot = Date.now();
    this.counters.snapshots++;
    await this.opts.onSnapshot?.(positions);
  }

  /**
   * A quiet stream still closes windows and incidents: after a second without events, event
   * time is taken to advance with the wall clock from the newest event seen.
   */
  private async idle(): Promise<void> {
    if (!this.pipeline || !Number.isFinite(this.maxEventTime)) return;
    const quiet = Date.now() - this.lastArrival;
    if (quiet < 1000 || this.queue.size > 0) return;
    const out = this.pipeline.tick(this.maxEventTime + quiet);
    if (out.detections.length || out.incidents.length) await this.commit(out.detections, out.incidents, new Map(), []);
    if (Date.now() - this.lastSnapshot >= (this.opts.snapshotEveryMs ?? 5000)) await this.snapshot();
  }

  private recordLatency(ms: number): void {
    if (this.latencies.length < LATENCY_SAMPLES) this.latencies.push(ms);
    else this.latencies[this.latencyAt++ % LATENCY_SAMPLES] = ms;
  }

  private publish(e: LiveEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  // ServiceView

  rules(): RulesView {
    const r = this.opts.rules;
    return { rules: r.rules, correlations: r.correlations.length, problems: r.problems };
  }

  sources(): SourceHealth[] {
    const now = Date.now();
    return this.opts.sources.map((s, i) => {
      const h = this.health[i]!;
      const out: SourceHealth = { name: s.name, kind: s.kind, events: h.events, errors: h.errors, eventsPerSecond: Math.round(h.recent.perSecond(now) * 10) / 10, state: h.state };
      if (h.lastEventAt !== undefined) out.lastEventAt = h.lastEventAt;
      if (h.lastEventTime !== undefined) out.lastEventTime = h.lastEventTime;
      if (h.lastError !== undefined) out.lastError = h.lastError;
      if (s.source.lagBytes !== undefined) {
        out.lag = s.source.lagBytes;
        out.lagUnit = 'bytes';
      }
      const dropped = (s.source as { dropped?: number }).dropped;
      if (dropped !== undefined) out.dropped = dropped;
      return out;
    });
  }

  metrics(): MetricsView {
    const st = this.pipeline?.stats();
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
    const sources = this.sources();
    const m: MetricsView = {
      eventsIn: this.counters.eventsIn,
      detections: this.counters.detections,
      incidentsOpened: this.counters.incidentsOpened,
      droppedEvents: sources.reduce((n, s) => n + (s.dropped ?? 0), 0),
      queueDepth: this.queue.size,
      sources,
      openCorrelationGroups: st?.correlationGroups ?? 0,
      openIncidents: st?.openIncidents ?? 0,
      pipelineBuffered: st?.ordering ?? 0,
    };
    if (sorted.length) m.detectionLatencyMs = { p50: q(0.5), p99: q(0.99) };
    return m;
  }

  explain(ruleId: string, event: { fields: Record<string, unknown>; logsource: Record<string, unknown> }): string[] | undefined {
    const ev: Event = { fields: event.fields as Event['fields'], logsource: event.logsource as Event['logsource'], origin: { file: '', record: 0, format: 'json' } };
    return this.opts.rules.ruleSet.explain(ruleId, ev);
  }

  receiving(): Record<string, number> {
    return this.receivingSources.snapshot();
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
