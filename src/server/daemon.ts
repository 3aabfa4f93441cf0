/**
 * `warden serve` as one object: the runtime (store, rules, sources, service loop) and the
 * HTTP API in front of it, listening; stopped in the safe order — the API first (no new
 * ingest is accepted that could not be processed), then the sources, the pipeline, the store.
 * Also the token administration `warden token` does against a store.
 */
import { readFileSync, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { WardenError } from '../errors.js';
import { openStore, type StoreOptions } from '../store/store.js';
import type { Role, TokenInfo } from '../store/tokens.js';
import { AlertDispatcher } from './alerts-out.js';
import { buildApi, parseListen } from './api/app.js';
import type { ServeConfig } from './config.js';
import { startRetention } from './retention.js';
import { type Runtime, startRuntime } from './runtime.js';
import { buildCoverage } from '../coverage/matrix.js';
import { coverageJson } from '../coverage/render.js';
import { builtinRulesDir } from '../engine/builtin.js';
import { ProblemList } from '../errors.js';
import type { ServiceLogger } from './service.js';

export interface Server {
  /** The URL the API answers at (with the real port when 0 was asked for). */
  url: string;
  runtime: Runtime;
  app: FastifyInstance;
  stop(): Promise<void>;
}

export function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new WardenError('config', `cannot read the TLS ${what} ${file}: ${(e as Error).message}`, { file });
  }
}

/** The coverage of the configured rules, measured on first request and kept (the rules load once per start). */
export function coverageOf(config: ServeConfig): () => unknown {
  let made: unknown;
  return () => {
    if (made === undefined) {
      const builtinDir = config.rules.builtin ? builtinRulesDir() : undefined;
      const paths = [...(builtinDir ? [builtinDir] : []), ...config.rules.paths];
      made = coverageJson(buildCoverage({ paths, builtinDir }, new ProblemList()));
    }
    return made;
  };
}

export async function startServer(config: ServeConfig, opts: { logger: ServiceLogger }): Promise<Server> {
  const { host, port } = parseListen(config.listen);
  const https = config.tls ? { cert: readPem(config.tls.cert, 'certificate'), key: readPem(config.tls.key, 'key') } : undefined;
  let alerts: AlertDispatcher | undefined;
  try {
    alerts = config.alerts.length ? new AlertDispatcher(config.alerts, opts.logger) : undefined;
  } catch (e) {
    throw new WardenError('config', `${config.file}: alerts: ${(e as Error).message}`, { file: config.file });
  }
  const runtime = await startRuntime(config, { logger: opts.logger, alerts });
  alerts?.start(runtime.store);
  let app: FastifyInstance | undefined;
  try {
    const storeFile = runtime.store.db.dialect === 'sqlite' ? runtime.store.location : undefined;
    app = await buildApi({
      view: runtime.service,
      store: runtime.store,
      limits: { maxBodyBytes: config.ingest.maxBodyBytes, maxLines: config.ingest.maxLines, maxLineBytes: config.ingest.maxLineBytes, maxFields: config.ingest.maxFields },
      rateLimitPerMinute: config.api.rateLimitPerMinute,
      logger: opts.logger,
      https,
      coverage: coverageOf(config),
      storeBytes: storeFile
        ? () => {
            try {
              return statSync(storeFile).size;
            } catch {
              return undefined;
            }
          }
        : undefined,
    });
    await app.listen({ host, port });
  } catch (e) {
    await app?.close().catch(() => undefined);
    await alerts?.stop();
    await runtime.stop().catch(() => undefined);
    throw e;
  }
  const addr = app.server.address();
  const realPort = addr && typeof addr === 'object' ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${https ? 'https' : 'http'}://${shownHost}:${realPort}`;
  const retention = startRetention(runtime.store, config.retention, opts.logger);
  const api = app;
  let stopping: Promise<void> | undefined;
  return {
    url,
    runtime,
    app: api,
    stop() {
      stopping ??= (async () => {
        retention.stop();
        await api.close();
        await alerts?.stop();
        await runtime.stop();
      })();
      return stopping;
    },
  };
}

/** `warden token create`: the token text is returned once and never stored. */
export async function createToken(store: StoreOptions, role: Role, name = ''): Promise<{ token: string; info: TokenInfo }> {
  const s = await openStore(store);
  try {
    return await s.tokens.create(role, name);
  } finally {
    await s.close();
  }
}

export async function listTokens(store: StoreOptions): Promise<TokenInfo[]> {
  const s = await openStore(store);
  try {
    return await s.tokens.list();
  } finally {
    await s.close();
  }
}

export async function revokeToken(store: StoreOptions, id: string): Promise<boolean> {
  const s = await openStore(store);
  try {
    return await s.tokens.revoke(id);
  } finally {
    await s.close();
  }
}
