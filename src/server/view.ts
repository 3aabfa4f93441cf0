/**
 * What the HTTP API (and the console behind it) sees of a running service: the store for
 * detections, incidents and findings, and this view for everything live — loaded rules,
 * coverage, each source's health, metrics, the ingest journal, and a feed of what the
 * pipeline produces. In a cluster's API role the same view is served from the shared store.
 */
import type { Problem } from '../errors.js';
import type { Detection, IncidentUpdate, RuleInfo } from '../event/detection.js';
import type { LiveHint } from '../stream/live-hints.js';

export interface SourceHealth {
  /** Name from the config (or the source's own description). */
  name: string;
  /** tail, journal, syslog, spool, webroot, components, jetstream ... */
  kind: string;
  /** Epoch ms of the last event read, if any. */
  lastEventAt?: number;
  /** Event time of the last event read. */
  lastEventTime?: number;
  /** How far behind the source is: bytes not yet read (files), messages pending (streams). */
  lag?: number;
  lagUnit?: 'bytes' | 'messages' | 'ms';
  events: number;
  errors: number;
  /** Events per second over the last minute. */
  eventsPerSecond: number;
  /** The last problem, for the health page. */
  lastError?: string;
  /** Sources that can lose data under load say so (UDP syslog). */
  dropped?: number;
  state: 'running' | 'paused' | 'stopped' | 'failed';
  /** Cluster roles: a JetStream partition's number, its consumer's pending and unacknowledged messages, and the worker holding it. */
  partition?: number;
  pending?: number;
  ackPending?: number;
  holder?: string | null;
}

/** One JetStream partition of a cluster, for /metrics (see docs/cluster.md). */
export interface PartitionMetrics {
  partition: number;
  pending: number;
  ackPending: number;
  holder: string | null;
  committedSeq: number;
}

export interface RulesView {
  rules: RuleInfo[];
  correlations: number;
  /** Rules and documents that failed to load, with file and line. */
  problems: Problem[];
}

/** Counters and gauges for /metrics (Prometheus names are derived from the keys). */
export interface MetricsView {
  eventsIn: number;
  detections: number;
  incidentsOpened: number;
  droppedEvents: number;
  queueDepth: number;
  /** Per source: events in and lag. */
  sources: SourceHealth[];
  storeBytes?: number;
  openCorrelationGroups: number;
  openIncidents: number;
  /** Events waiting for the pipeline's event-time order. */
  pipelineBuffered: number;
  /** Latency from an event's arrival to its detection being committed (ms): p50, p99. */
  detectionLatencyMs?: { p50: number; p99: number };
  /** Cluster roles (api with JetStream, worker): every partition's lag and holder. */
  partitions?: PartitionMetrics[];
  /** Collector role: events published to JetStream and acknowledged. */
  eventsShipped?: number;
}

/** A line or event given to HTTP ingest, before it is journaled. */
export interface IngestBatch {
  /** Decoder for the lines: 'json' for NDJSON events (Winlogbeat, NXLog, Fluent Bit, Vector ...), else a format name. */
  format: string;
  /** Host for events that name none. */
  host?: string;
  lines: string[];
}

/** The journal refuses work while the pipeline is behind: the API answers 503 with Retry-After. */
export class Backpressure extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'Backpressure';
  }
}

export interface IngestSink {
  /** Resolves once the batch is durable (journaled and synced); throws Backpressure when full. */
  append(batch: IngestBatch): Promise<void>;
}

/** What the pipeline produced, as it is committed: the console's live updates. */
export type LiveEvent =
  | { kind: 'detections'; detections: Detection[] }
  | { kind: 'incidents'; updates: IncidentUpdate[] }
  | { kind: 'findings'; count: number }
  /** What another process committed (a cluster worker's hint: counts and ids, no objects). */
  | { kind: 'summary'; hint: LiveHint };

export interface ServiceView {
  rules(): RulesView;
  sources(): SourceHealth[];
  metrics(): MetricsView;
  /** Null in roles that do not ingest (a cluster's API). */
  readonly ingest: IngestSink | null;
  /** ATT&CK data source id → epoch ms an event of it was last received (for the coverage view). */
  receiving?(): Record<string, number>;
  /** The fields of this event that made the loaded rule of that id match it (undefined: rule not loaded here, or no match). */
  explain?(ruleId: string, event: { fields: Record<string, unknown>; logsource: Record<string, unknown> }): string[] | undefined;
  /** False where no commit can be heard of (a cluster role without NATS hints): /api/v1/live answers 501 and the console polls. */
  readonly liveFeed?: boolean;
  /** Live feed; returns the unsubscribe function. */
  subscribe(listener: (e: LiveEvent) => void): () => void;
}
