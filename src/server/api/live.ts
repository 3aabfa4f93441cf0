/**
 * `GET /api/v1/live`: server-sent events telling the console what was just committed, so a
 * new incident appears without a reload. Each message is small (counts, ids, levels; never
 * event content): the console re-reads what it shows through the normal API. Messages are
 * coalesced per client (at most one of each kind per `flushMs`); a client that does not read
 * is dropped once `maxBufferedBytes` wait for it, so a slow browser never holds the service's
 * memory; the number of streams is capped. Works with `fetch` and an Authorization header
 * (EventSource cannot send one, and a token in the URL would end up in logs).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';
import { LEVELS, levelRank, type Level } from '../../event/detection.js';
import type { LiveEvent, ServiceView } from '../view.js';

export interface LiveOptions {
  view: ServiceView;
  /** Concurrent streams (default 64). */
  maxStreams?: number;
  /** Coalescing interval (default 250 ms). */
  flushMs?: number;
  /** Heartbeat comment interval, so proxies keep the stream open (default 15 s). */
  heartbeatMs?: number;
  /** A client with more than this unread is disconnected (default 1 MiB). */
  maxBufferedBytes?: number;
}

/** What one stream has to say at its next flush. */
class Pending {
  detections = 0;
  detectionIds: string[] = [];
  maxLevel: Level | undefined;
  incidents = new Map<string, { id: string; kind: string; severity: Level; hostKey: string }>();
  findings = 0;

  add(e: LiveEvent): void {
    if (e.kind === 'detections') {
      this.detections += e.detections.length;
      for (const d of e.detections) {
        if (this.detectionIds.length < 100) this.detectionIds.push(d.id);
        if (!this.maxLevel || levelRank(d.rule.level) > levelRank(this.maxLevel)) this.maxLevel = d.rule.level;
      }
    } else if (e.kind === 'incidents') {
      for (const u of e.updates) this.addIncident(u.incident.id, u.kind, u.incident.severity, u.incident.hostKey);
    } else if (e.kind === 'summary') {
      const h = e.hint;
      this.detections += h.detections;
      for (const id of h.ids) if (this.detectionIds.length < 100) this.detectionIds.push(id);
      if (h.maxLevel && (!this.maxLevel || levelRank(h.maxLevel) > levelRank(this.maxLevel))) this.maxLevel = h.maxLevel;
      for (const u of h.incidents) this.addIncident(u.id, u.kind, u.severity, u.hostKey);
    } else this.findings += e.count;
  }

  private addIncident(id: string, kind: string, severity: Level, hostKey: string): void {
    // the latest state of each incident wins, except that one opened in this flush stays
    // 'opened' while it only grows; bounded by the incidents touched in one flush
    const before = this.incidents.get(id);
    if (!before && this.incidents.size >= 1000) return;
    this.incidents.set(id, { id, kind: before?.kind === 'opened' && kind === 'grew' ? 'opened' : kind, severity, hostKey });
  }

  /** The SSE text for what is pending, and empties it. */
  take(): string {
    let out = '';
    if (this.detections) out += message('detections', { count: this.detections, ids: this.detectionIds, maxLevel: this.maxLevel });
    if (this.incidents.size) out += message('incidents', { updates: [...this.incidents.values()] });
    if (this.findings) out += message('findings', { count: this.findings });
    this.detections = 0;
    this.detectionIds = [];
    this.maxLevel = undefined;
    this.incidents.clear();
    this.findings = 0;
    return out;
  }
}

/** JSON never holds a raw newline, so one `data:` line is always enough. */
function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const liveRoutes: FastifyPluginAsync<LiveOptions> = async (app, opts) => {
  const maxStreams = opts.maxStreams ?? 64;
  const flushMs = opts.flushMs ?? 250;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1 << 20;
  const open = new Set<() => void>();

  // Streams never end on their own: close them before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get('/api/v1/live', { config: { role: 'read' } }, async (req, reply) => {
    if (opts.view.liveFeed === false)
      return reply.code(501).send({
        statusCode: 501,
        error: 'Not Implemented',
        message: 'this role hears of no commits (workers commit; no NATS connection for their hints): no live feed; re-read the API on a timer',
      });
    if (open.size >= maxStreams)
      return reply
        .code(503)
        .header('retry-after', '10')
        .send({ statusCode: 503, error: 'Service Unavailable', message: `too many live streams (${maxStreams}); try again later` });
    reply.hijack();
    const res: ServerResponse = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // nginx and similar proxies buffer responses unless told not to
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const pending = new Pending();
    let timer: NodeJS.Timeout | undefined;
    const write = (text: string): void => {
      if (res.writableLength > maxBuffered) {
        end();
        return;
      }
      res.write(text);
    };
    const flush = (): void => {
      timer = undefined;
      const text = pending.take();
      if (text) write(text);
    };
    const unsubscribe = opts.view.subscribe((e) => {
      pending.add(e);
      timer ??= setTimeout(flush, flushMs);
    });
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    let ended = false;
    function end(): void {
      if (ended) return;
      ended = true;
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      open.delete(end);
      res.end();
    }
    open.add(end);
    req.raw.on('close', end);
    res.on('error', end);
    // the client reconnects after this long when the stream drops
    write(`retry: 3000\n${message('hello', { levels: LEVELS })}`);
  });
};
