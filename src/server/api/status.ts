/**
 * The service's own state: health (open, for load balancers and probes), source health,
 * Prometheus metrics, API tokens (admin), and the OpenAPI document.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../../store/store.js';
import { isRole, ROLES } from '../../store/tokens.js';
import type { MetricsView, ServiceView } from '../view.js';
import { heapUsedAfterGc } from '../heap-after-gc.js';
import { OPENAPI } from './openapi.js';

export interface StatusOptions {
  store: Store;
  view: ServiceView;
  startedAt: number;
  ingestCounters: { requests: number; lines: number; refused: number };
  /** Size of the store, when it is a file. */
  storeBytes?: () => number | undefined;
}

function label(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** The metrics in Prometheus' text exposition format. */
export interface ProcessMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** V8 heap in use right after the last full collection (live data), once there was one. */
  heapAfterGc?: number;
}

export function prometheus(m: MetricsView, extra: { ingestRequests: number; ingestRefused: number; storeBytes?: number; uptimeSeconds: number; memory?: ProcessMemory }): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) out.push(`${name}${labels} ${Number.isFinite(v) ? v : 0}`);
  };
  metric('warden_events_in_total', 'counter', 'Events read by the pipeline.', [['', m.eventsIn]]);
  metric('warden_detections_total', 'counter', 'Detections committed to the store.', [['', m.detections]]);
  metric('warden_incidents_opened_total', 'counter', 'Incidents opened.', [['', m.incidentsOpened]]);
  metric('warden_dropped_events_total', 'counter', 'Events lost (only UDP syslog can lose events).', [['', m.droppedEvents]]);
  metric('warden_queue_depth', 'gauge', 'Batches waiting for the pipeline.', [['', m.queueDepth]]);
  metric('warden_pipeline_buffered_events', 'gauge', 'Events waiting for event-time order.', [['', m.pipelineBuffered]]);
  metric('warden_open_correlation_groups', 'gauge', 'Open correlation groups.', [['', m.openCorrelationGroups]]);
  metric('warden_open_incidents', 'gauge', 'Open incidents.', [['', m.openIncidents]]);
  metric('warden_ingest_requests_total', 'counter', 'HTTP ingest requests accepted.', [['', extra.ingestRequests]]);
  metric('warden_ingest_refused_total', 'counter', 'HTTP ingest requests refused for their content.', [['', extra.ingestRefused]]);
  metric('warden_uptime_seconds', 'gauge', 'Seconds since the service started.', [['', extra.uptimeSeconds]]);
  // Resident set and V8 heap apart: RSS that grows while heapUsed stays level is V8 (or the
  // allocator) keeping pages, not state the service holds on to.
  if (extra.memory) {
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory of the service process.', [['', extra.memory.rss]]);
    metric('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use (live objects and garbage not yet collected).', [['', extra.memory.heapUsed]]);
    metric('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap reserved.', [['', extra.memory.heapTotal]]);
    metric('nodejs_external_memory_bytes', 'gauge', 'Memory of buffers and other objects outside the V8 heap.', [['', extra.memory.external]]);
    if (extra.memory.heapAfterGc !== undefined)
      metric('warden_heap_used_after_gc_bytes', 'gauge', 'V8 heap in use right after the last full collection: live data, no garbage.', [['', extra.memory.heapAfterGc]]);
  }
  if (extra.storeBytes !== undefined) metric('warden_store_bytes', 'gauge', 'Size of the store file.', [['', extra.storeBytes]]);
  if (m.detectionLatencyMs)
    metric('warden_detection_latency_ms', 'gauge', 'Arrival to commit of recent batches (ms).', [
      ['{quantile="0.5"}', m.detectionLatencyMs.p50],
      ['{quantile="0.99"}', m.detectionLatencyMs.p99],
    ]);
  const src = (s: { name: string; kind: string }): string => `{source="${label(s.name)}",kind="${label(s.kind)}"}`;
  metric(
    'warden_source_events_total',
    'counter',
    'Events read per source.',
    m.sources.map((s) => [src(s), s.events]),
  );
  metric(
    'warden_source_errors_total',
    'counter',
    'Problems per source.',
    m.sources.map((s) => [src(s), s.errors]),
  );
  metric(
    'warden_source_lag',
    'gauge',
    'How far behind each source is (unit in the label).',
    m.sources.filter((s) => s.lag !== undefined).map((s) => [`{source="${label(s.name)}",kind="${label(s.kind)}",unit="${s.lagUnit ?? 'bytes'}"}`, s.lag!]),
  );
  if (m.eventsShipped !== undefined) metric('warden_events_shipped_total', 'counter', 'Events published to JetStream and acknowledged (collector role).', [['', m.eventsShipped]]);
  if (m.partitions) {
    const part = (p: { partition: number }): string => `{partition="${p.partition}"}`;
    metric(
      'warden_partition_pending_messages',
      'gauge',
      'Messages of a partition its consumer has not delivered yet.',
      m.partitions.map((p) => [part(p), p.pending]),
    );
    metric(
      'warden_partition_ack_pending_messages',
      'gauge',
      'Messages of a partition delivered to its worker and not yet acknowledged.',
      m.partitions.map((p) => [part(p), p.ackPending]),
    );
    metric(
      'warden_partition_committed_sequence',
      'gauge',
      'Stream sequence whose detections are committed to the store.',
      m.partitions.map((p) => [part(p), p.committedSeq]),
    );
    metric(
      'warden_partition_owner',
      'gauge',
      'The worker holding a partition (1; worker="" while nobody does).',
      m.partitions.map((p) => [`{partition="${p.partition}",worker="${label(p.holder ?? '')}"}`, 1]),
    );
  }
  return `${out.join('\n')}\n`;
}

export const statusRoutes: FastifyPluginAsync<StatusOptions> = async (app, opts) => {
  // watched from the start, so the first scrape after a full collection has the figure
  heapUsedAfterGc();
  app.get('/api/v1/health', async () => {
    const sources = opts.view.sources();
    const failed = sources.filter((s) => s.state === 'failed').map((s) => s.name);
    return { status: failed.length ? 'degraded' : 'ok', uptimeSeconds: Math.round((Date.now() - opts.startedAt) / 1000), failedSources: failed };
  });

  app.get('/api/v1/sources', { config: { role: 'read' } }, async () => ({ items: opts.view.sources(), next: null }));

  app.get('/metrics', { config: { role: 'read' } }, async (_req, reply) => {
    const text = prometheus(opts.view.metrics(), {
      ingestRequests: opts.ingestCounters.requests,
      ingestRefused: opts.ingestCounters.refused,
      storeBytes: opts.storeBytes?.(),
      uptimeSeconds: Math.round((Date.now() - opts.startedAt) / 1000),
      memory: { ...process.memoryUsage(), heapAfterGc: heapUsedAfterGc() },
    });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });

  app.get('/api/v1/openapi.json', { config: { role: 'read' } }, async () => OPENAPI);

  app.get('/api/v1/tokens', { config: { role: 'admin' } }, async () => ({ items: await opts.store.tokens.list(), next: null }));

  app.post<{ Body: { role: string; name?: string } }>(
    '/api/v1/tokens',
    {
      config: { role: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['role'],
          properties: { role: { type: 'string', enum: [...ROLES] }, name: { type: 'string', maxLength: 200 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      if (!isRole(req.body.role)) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'unknown role' });
      const made = await opts.store.tokens.create(req.body.role, req.body.name ?? '');
      return reply.code(201).send({ token: made.token, ...made.info });
    },
  );

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', { config: { role: 'admin' } }, async (req, reply) => {
    if (!(await opts.store.tokens.revoke(req.params.id))) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no active token ${req.params.id}` });
    return reply.code(204).send();
  });
};
