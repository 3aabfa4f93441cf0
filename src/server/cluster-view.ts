/**
 * What the API shows in a cluster's worker and api roles: no local pipeline, but every
 * JetStream partition as a source — its consumer's pending and unacknowledged messages and
 * the worker holding it (read by a LagMonitor) — and, in a worker, what its own partitions
 * have done. Detections and incidents come from the shared store as always.
 */
import type { LagMonitor } from '../stream/lag.js';
import type { LiveHint } from '../stream/live-hints.js';
import type { WorkerStatus } from '../stream/worker.js';
import type { IngestSink, LiveEvent, MetricsView, RulesView, ServiceView, SourceHealth } from './view.js';

export interface ClusterViewOptions {
  rules: RulesView;
  lag?: LagMonitor;
  /** The worker of this process (worker role). */
  worker?: { status(): WorkerStatus };
  /** What the workers announce after each commit (live-hints.ts); without it there is no live feed. */
  hints?: { subscribe(listener: (h: LiveHint) => void): () => void };
}

export class ClusterView implements ServiceView {
  readonly ingest: IngestSink | null = null;

  constructor(private readonly opts: ClusterViewOptions) {}

  rules(): RulesView {
    return this.opts.rules;
  }

  sources(): SourceHealth[] {
    const own = new Map((this.opts.worker?.status().partitions ?? []).map((p) => [p.partition, p]));
    const lag = this.opts.lag?.latest ?? [];
    const seen = new Set<number>();
    const out: SourceHealth[] = [];
    for (const l of lag) {
      seen.add(l.partition);
      const mine = own.get(l.partition);
      out.push({
        name: `partition ${l.partition}`,
        kind: 'jetstream',
        events: mine?.events ?? 0,
        errors: 0,
        eventsPerSecond: 0,
        state: l.holder ? 'running' : 'stopped',
        lag: l.pending + l.ackPending,
        lagUnit: 'messages',
        partition: l.partition,
        pending: l.pending,
        ackPending: l.ackPending,
        holder: l.holder,
      });
    }
    // a worker without a lag reading yet still shows its own partitions
    for (const [p, s] of own) {
      if (seen.has(p)) continue;
      const h: SourceHealth = { name: `partition ${p}`, kind: 'jetstream', events: s.events, errors: 0, eventsPerSecond: 0, state: 'running', partition: p };
      if (s.lag !== undefined) {
        h.lag = s.lag;
        h.lagUnit = 'messages';
      }
      out.push(h);
    }
    return out.sort((a, b) => (a.partition ?? 0) - (b.partition ?? 0));
  }

  metrics(): MetricsView {
    const own = this.opts.worker?.status().partitions ?? [];
    const m: MetricsView = {
      eventsIn: own.reduce((n, p) => n + p.events, 0),
      detections: own.reduce((n, p) => n + p.detections, 0),
      incidentsOpened: 0,
      droppedEvents: 0,
      queueDepth: 0,
      sources: this.sources(),
      openCorrelationGroups: 0,
      openIncidents: 0,
      pipelineBuffered: 0,
    };
    if (this.opts.lag)
      m.partitions = this.opts.lag.latest.map((l) => ({ partition: l.partition, pending: l.pending, ackPending: l.ackPending, holder: l.holder, committedSeq: l.committedSeq }));
    return m;
  }

  /** Workers commit in other processes: the live feed is what they announce over NATS. */
  get liveFeed(): boolean {
    return this.opts.hints !== undefined;
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    return this.opts.hints?.subscribe((hint) => listener({ kind: 'summary', hint })) ?? (() => undefined);
  }
}
