/**
 * The service's HTTP API as one Fastify app: security headers, a per-caller rate limit,
 * bearer-token auth, and the route plugins (ingest, queries, status). Built without listening
 * so tests drive it with `inject`; `listen` binds it. Errors answer as
 * `{statusCode, error, message}` and never take the service down.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { ServiceLogger } from '../service.js';
import type { ServiceView } from '../view.js';
import { auth } from './auth.js';
import { ingestRoutes } from './ingest.js';
import { liveRoutes } from './live.js';
import type { IngestLimits } from './limits.js';
import { queryRoutes } from './queries.js';
import { statusRoutes } from './status.js';
import { registerConsole } from '../../web/console-routes.js';

export interface ApiOptions {
  view: ServiceView;
  store: Store;
  limits: IngestLimits;
  /** Requests per minute per token (or per address before authentication). Default 6000. */
  rateLimitPerMinute?: number;
  logger?: ServiceLogger;
  https?: { cert: Buffer | string; key: Buffer | string };
  storeBytes?: () => number | undefined;
  /** Serve the web console at `/` (default true). */
  console?: boolean;
  /** The T1505 coverage matrix of the loaded rules (`warden coverage --format json`), for the console. */
  coverage?: () => unknown;
  /** The answer to HTTP ingest when the view takes none (see ingest.ts). */
  ingestRefusal?: string;
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // the largest body any route takes is ingest's; query routes carry none of size
    bodyLimit: opts.limits.maxBodyBytes,
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key } } : {}),
    // a cursor or filter in a URL is short; anything longer is an attack or a mistake
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
    connectionTimeout: 120_000,
    requestTimeout: 120_000,
  }) as unknown as FastifyInstance;
  const ingestCounters = { requests: 0, lines: 0, refused: 0 };
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (code >= 500) opts.logger?.error({ method: req.method, url: req.url, err: err.message }, 'API request failed');
    const msg = code >= 500 ? 'internal error; see the service log' : err.message;
    return reply.code(code).send({ statusCode: code, error: errorName(code), message: msg });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
  await app.register(helmet, { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"] } } });
  await app.register(auth, { tokens: opts.store.tokens });
  await app.register(rateLimit, {
    max: opts.rateLimitPerMinute ?? 6000,
    timeWindow: 60_000,
    // after auth, so the key is the token and one busy shipper does not throttle another
    hook: 'preHandler',
    keyGenerator: (req) => (req.principal ? `token:${req.principal.id}` : `ip:${req.ip}`),
  });
  await app.register(ingestRoutes, { sink: opts.view.ingest, limits: opts.limits, counters: ingestCounters, refusal: opts.ingestRefusal });
  await app.register(queryRoutes, { store: opts.store, view: opts.view });
  await app.register(liveRoutes, { view: opts.view });
  await app.register(statusRoutes, { store: opts.store, view: opts.view, startedAt: Date.now(), ingestCounters, storeBytes: opts.storeBytes });
  // the console's page and code are open (they hold no data); everything they show comes from the API above, with the token
  if (opts.console !== false) registerConsole(app);
  const coverage = opts.coverage;
  if (coverage)
    app.get('/api/v1/coverage', { config: { role: 'read' } }, async () => {
      // which data sources are being received, as ISO times: the console marks the cells that are fed now
      const seen = opts.view.receiving?.() ?? {};
      const receiving = Object.fromEntries(Object.entries(seen).map(([id, ms]) => [id, new Date(ms).toISOString()]));
      return { ...(coverage() as object), receiving };
    });
  return app;
}

function errorName(code: number): string {
  const names: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    406: 'Not Acceptable',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
    503: 'Service Unavailable',
  };
  return names[code] ?? (code >= 500 ? 'Internal Server Error' : 'Error');
}

/** "HOST:PORT" (IPv6 in brackets) → listen options. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:\s]+)):(\d{1,5})$/i.exec(listen);
  if (!m) throw new Error(`listen must be HOST:PORT, not "${listen}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`listen: port ${port} is out of range`);
  return { host: m[1] ?? m[2]!, port };
}
