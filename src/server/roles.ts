/**
 * `warden serve --role worker|api|collector`: one part of a cluster per process (role `all`,
 * everything in one process, is daemon.ts's startServer).
 *
 * - worker: a ClusterWorker — JetStream partitions in, detections and incidents into
 *   PostgreSQL. With an explicit `--listen`/`listen:` it also answers /metrics and
 *   /api/v1/sources (every partition's lag and holder) and the API over the store.
 * - api: the API and the console over the PostgreSQL store, no detection pipeline; with
 *   `jetstream` the partitions' lag in /api/v1/sources and /metrics. HTTP ingest is refused
 *   (404 with where to send events instead): a collector takes it.
 * - collector: the configured sources and HTTP ingest, published to JetStream (collector.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ProblemList, WardenError } from '../errors.js';
import { prepareRules, type RuleOptions } from '../engine/rules-setup.js';
import { openStore, type Store } from '../store/store.js';
import { LagMonitor } from '../stream/lag.js';
import { LiveHints } from '../stream/live-hints.js';
import { clusterNames, clusterSettings } from '../stream/settings.js';
import { ClusterWorker } from '../stream/worker.js';
import { buildApi, parseListen } from './api/app.js';
import { ClusterView } from './cluster-view.js';
import { Collector, clusterSettingsOf } from './collector.js';
import { roleProblems, type ServeConfig, type ServeRole } from './config.js';
import { coverageOf, readPem } from './daemon.js';
import { startRetention } from './retention.js';
import type { ServiceLogger } from './service.js';
import type { RulesView, ServiceView } from './view.js';

export interface RoleServer {
  role: ServeRole;
  /** Where the API answers; undefined for a worker without `--listen`. */
  url?: string;
  view: ServiceView;
  stop(): Promise<void>;
}

export const API_ROLE_INGEST_REFUSAL =
  "this is a cluster's API (role api): it detects nothing itself. Send events to a collector (warden serve --role collector) or with warden ship; they publish them to JetStream for the workers";

/** Throws the role's configuration problems (exit 2 on the command line). */
export function checkRole(config: ServeConfig): void {
  const problems = roleProblems(config);
  if (problems.length) throw new WardenError('config', problems.join('\n'), { file: config.file });
}

export function ruleOptionsOf(config: ServeConfig): RuleOptions {
  const r = config.rules;
  return {
    rulePaths: r.paths,
    builtin: r.builtin,
    filterPaths: r.filters,
    placeholdersFile: r.placeholders,
    logsourceMapFile: r.logsourceMap,
    select: { minLevel: r.minLevel },
  };
}

function rulesView(config: ServeConfig, logger: ServiceLogger): RulesView {
  const problems = new ProblemList();
  const prepared = prepareRules(ruleOptionsOf(config), problems);
  for (const p of problems.problems) logger.warn({ file: p.file, line: p.line }, `rule not loaded: ${p.message}`);
  return { rules: prepared.rules, correlations: prepared.correlations.length, problems: problems.problems };
}

async function listen(config: ServeConfig, view: ServiceView, store: Store, logger: ServiceLogger, ingestRefusal?: string): Promise<{ app: FastifyInstance; url: string }> {
  const { host, port } = parseListen(config.listen);
  const https = config.tls ? { cert: readPem(config.tls.cert, 'certificate'), key: readPem(config.tls.key, 'key') } : undefined;
  const app = await buildApi({
    view,
    store,
    limits: { maxBodyBytes: config.ingest.maxBodyBytes, maxLines: config.ingest.maxLines, maxLineBytes: config.ingest.maxLineBytes, maxFields: config.ingest.maxFields },
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    logger,
    https,
    coverage: view.rules().rules.length ? coverageOf(config) : undefined,
    ingestRefusal,
  });
  try {
    await app.listen({ host, port });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const addr = app.server.address();
  const realPort = addr && typeof addr === 'object' ? addr.port : port;
  return { app, url: `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${realPort}` };
}

/** Runs `fn` over what was started so far when a later step fails, then rethrows. */
async function undoing<T>(steps: (() => Promise<unknown>)[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    for (const s of steps.reverse()) await s().catch(() => undefined);
    throw e;
  }
}

export async function startRole(config: ServeConfig, opts: { logger: ServiceLogger }): Promise<RoleServer> {
  checkRole(config);
  const { logger } = opts;
  if (config.role === 'collector') {
    const collector = await Collector.start(config, logger);
    const { app, url } = await undoing([() => collector.stop()], () => listen(config, collector, collector.store, logger));
    return {
      role: 'collector',
      url,
      view: collector,
      async stop() {
        await app.close();
        await collector.stop();
      },
    };
  }
  if (config.role === 'worker') return startWorkerRole(config, logger);
  if (config.role === 'api') return startApiRole(config, logger);
  throw new WardenError('config', `role ${config.role} is served by startServer`);
}

async function startWorkerRole(config: ServeConfig, logger: ServiceLogger): Promise<RoleServer> {
  const js = config.jetstream!;
  const store = await openStore({ url: config.store! });
  const undo: (() => Promise<unknown>)[] = [() => store.close()];
  const worker = new ClusterWorker({
    url: js.url,
    store,
    settings: clusterSettingsOf(js),
    rules: ruleOptionsOf(config),
    toleranceMs: config.pipeline.toleranceMs,
    incidentWindowMs: config.pipeline.incidentWindowMs,
    maxGroups: config.pipeline.maxGroups,
    leaseMs: js.leaseMs,
    fetchMessages: js.fetch,
    logger,
  });
  return undoing(undo, async () => {
    await worker.start();
    undo.push(() => worker.stop());
    let lag: LagMonitor | undefined;
    let api: { app: FastifyInstance; url: string } | undefined;
    let hints: LiveHints | undefined;
    let view: ServiceView = new ClusterView({ rules: { rules: [], correlations: 0, problems: [] }, worker });
    // the API is for scraping a worker's metrics: only when an address was asked for, so workers never fight over the default port
    if (config.origins.listen) {
      lag = new LagMonitor({ url: js.url, settings: clusterSettingsOf(js), store, logger });
      await lag.start();
      undo.push(() => lag!.stop());
      hints = await startHints(js, logger);
      undo.push(() => hints!.stop());
      view = new ClusterView({ rules: rulesView(config, logger), lag, worker, hints });
      api = await listen(config, view, store, logger, API_ROLE_INGEST_REFUSAL.replace('role api', 'role worker'));
    }
    const status = setInterval(() => logger.info(worker.status(), 'status'), 10_000);
    return {
      role: 'worker' as const,
      url: api?.url,
      view,
      async stop() {
        clearInterval(status);
        await api?.app.close();
        await hints?.stop();
        await lag?.stop();
        await worker.stop();
        await store.close();
      },
    };
  });
}

async function startApiRole(config: ServeConfig, logger: ServiceLogger): Promise<RoleServer> {
  const store = await openStore({ url: config.store! });
  const undo: (() => Promise<unknown>)[] = [() => store.close()];
  return undoing(undo, async () => {
    let lag: LagMonitor | undefined;
    let hints: LiveHints | undefined;
    if (config.jetstream) {
      const js = config.jetstream;
      lag = new LagMonitor({ url: js.url, settings: clusterSettingsOf(js), store, logger });
      await lag.start();
      undo.push(() => lag!.stop());
      hints = await startHints(js, logger);
      undo.push(() => hints!.stop());
    }
    const view = new ClusterView({ rules: rulesView(config, logger), lag, hints });
    const { app, url } = await listen(config, view, store, logger, API_ROLE_INGEST_REFUSAL);
    const retention = startRetention(store, config.retention, logger);
    return {
      role: 'api' as const,
      url,
      view,
      async stop() {
        retention.stop();
        await app.close();
        await hints?.stop();
        await lag?.stop();
        await store.close();
      },
    };
  });
}

/** The workers' commit announcements, for this process's live feed. */
async function startHints(js: NonNullable<ServeConfig['jetstream']>, logger: ServiceLogger): Promise<LiveHints> {
  const hints = new LiveHints({ url: js.url, subject: clusterNames(clusterSettings(clusterSettingsOf(js)).namespace).live, logger });
  await hints.start();
  return hints;
}
