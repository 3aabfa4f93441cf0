/**
 * A stand-in for `warden serve` in the console's browser tests and bench: the console's own
 * routes (src/web/console-routes.ts) plus the API routes the console reads, answering from
 * recorded responses in the API's shapes ({"items": [...], "next": CURSOR|null}, bearer
 * token). It records every API request so a test can check what the console asked for.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consoleResponse } from '../../src/web/console-routes.js';
import { hostKey } from '../../src/event/host.js';

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];

export interface ApiDetection {
  id: string;
  timestamp: string | null;
  host: string | null;
  rule: { id: string; level: string; title: string; tags: string[] };
  [k: string]: unknown;
}

export interface ApiIncident {
  id: string;
  severity: string;
  host: string | null;
  start: string | null;
  techniques: string[];
  timeline?: unknown[];
  triage?: string;
  note?: string;
  [k: string]: unknown;
}

export interface Recorded {
  token: string;
  rules: unknown[];
  ruleProblems?: unknown[];
  /** Newest first, as the API lists them. */
  detections: ApiDetection[];
  /** Detection id → the fields its rule matched on (the detail route adds them, as the API does). */
  matched?: Record<string, string[]>;
  incidents: ApiIncident[];
  findings: unknown[];
  sources: unknown[];
  coverage?: unknown;
}

export interface FakeService {
  url: string;
  data: Recorded;
  requests: { method: string; url: string; body?: string }[];
  /** Incidents kept back until `release` (a new incident arriving while the console is open). */
  held: ApiIncident[];
  release(): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

function page<T>(items: T[], q: URLSearchParams): { items: T[]; next: string | null } {
  const start = Number(q.get('cursor') ?? 0) || 0;
  const limit = Math.min(1000, Number(q.get('limit') ?? 100) || 100);
  const slice = items.slice(start, start + limit);
  return { items: slice, next: start + limit < items.length ? String(start + limit) : null };
}

export async function startFakeService(data: Recorded, opts: { hold?: string[] } = {}): Promise<FakeService> {
  const requests: FakeService['requests'] = [];
  const held = data.incidents.filter((i) => opts.hold?.includes(i.id));
  const shown = data.incidents.filter((i) => !opts.hold?.includes(i.id));
  const state = { incidents: shown };
  // the live feed (/api/v1/live): open streams get an `incidents` message on release
  const streams = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = req.method === 'PATCH' ? await readBody(req) : undefined;
    const c = consoleResponse(url.pathname);
    if (c && req.method === 'GET') {
      res.writeHead(c.status, c.headers);
      res.end(c.body);
      return;
    }
    if (!url.pathname.startsWith('/api/v1/')) return send(res, 404, { statusCode: 404, error: 'Not Found', message: 'no route' });
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search, body });
    if (req.headers.authorization !== `Bearer ${data.token}`) return send(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'the token is unknown or was revoked' });
    const q = url.searchParams;
    const path = url.pathname.slice('/api/v1/'.length);
    if (path === 'live') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
      res.write('retry: 3000\nevent: hello\ndata: {}\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (path === 'rules') return send(res, 200, { items: data.rules, next: null, problems: data.ruleProblems ?? [] });
    if (path === 'sources') return send(res, 200, { items: data.sources, next: null });
    if (path === 'findings') return send(res, 200, page(data.findings, q));
    if (path === 'coverage') return data.coverage ? send(res, 200, data.coverage) : send(res, 404, { statusCode: 404, error: 'Not Found', message: 'no route' });
    if (path === 'detections') {
      const level = q.get('level');
      const host = q.get('host');
      const from = q.get('from') ? Number(q.get('from')) : undefined;
      const to = q.get('to') ? Number(q.get('to')) : undefined;
      const list = data.detections.filter((d) => {
        if (level && LEVELS.indexOf(d.rule.level) < LEVELS.indexOf(level)) return false;
        if (host && hostKey(d.host ?? '') !== hostKey(host)) return false;
        const t = d.timestamp ? Date.parse(d.timestamp) : 0;
        if (from !== undefined && t < from) return false;
        if (to !== undefined && t > to) return false;
        return true;
      });
      return send(res, 200, page(list, q));
    }
    if (path.startsWith('detections/')) {
      const d = data.detections.find((x) => x.id === decodeURIComponent(path.slice('detections/'.length)));
      if (!d) return send(res, 404, { statusCode: 404, error: 'Not Found', message: 'no detection' });
      const matched = data.matched?.[d.id];
      return send(res, 200, matched ? { ...d, matched } : d);
    }
    if (path === 'incidents') {
      const level = q.get('level');
      const list = state.incidents.filter((i) => !level || LEVELS.indexOf(i.severity) >= LEVELS.indexOf(level));
      return send(
        res,
        200,
        page(
          list.map(({ timeline: _t, ...header }) => header),
          q,
        ),
      );
    }
    if (path.startsWith('incidents/')) {
      const id = decodeURIComponent(path.slice('incidents/'.length));
      const inc = state.incidents.find((i) => i.id === id);
      if (!inc) return send(res, 404, { statusCode: 404, error: 'Not Found', message: `no incident ${id}` });
      if (req.method === 'PATCH') {
        const b = JSON.parse(body ?? '{}') as { triage: string; note?: string };
        inc.triage = b.triage;
        if (b.note !== undefined) inc.note = b.note;
        return send(res, 200, { id, triage: b.triage });
      }
      return send(res, 200, inc);
    }
    return send(res, 404, { statusCode: 404, error: 'Not Found', message: 'no route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    data,
    requests,
    held,
    release() {
      state.incidents = [...held, ...state.incidents];
      const updates = held.map((i) => ({ id: i.id, kind: 'opened', severity: i.severity, hostKey: hostKey(i.host ?? '') }));
      for (const r of streams) r.write(`event: incidents\ndata: ${JSON.stringify({ updates })}\n\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of streams) r.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
