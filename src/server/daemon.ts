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
import { buildApi, parseListen } from './api/app.js';
import type { ServeConfig } from './config.js';
import { startRetention } from './retention.js';
import { type Runtime, startRuntime } from './runtime.js';
import type { ServiceLogger } from './service.js';

export interface Server {
  /** The URL the API answers at (with the real port when 0 was asked for). */
  url: string;
  runtime: Runtime;
  app: FastifyInstance;
  stop(): Promise<void>;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new WardenError('config', `cannot read the TLS ${what} ${file}: ${(e as Error).message}`, { file });
  }
}

export async function startServer(config: ServeConfig, opts: { logger: ServiceLogger }): Promise<Server> {
  const { host, port } = parseListen(config.listen);
  const https = config.tls ? { cert: readPem(config.tls.cert, 'certificate'), key: readPem(config.tls.key, 'key') } : undefined;
  const runtime = await startRuntime(config, { logger: opts.logger });
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
