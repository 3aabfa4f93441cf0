/**
 * A running `warden serve`, built from its configuration: the store, the rules, the ingest
 * journal, every configured source, the service loop; stopped cleanly on demand (sources
 * first, then what they queued is processed and committed, the state saved, the store
 * closed).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import type { Problem } from '../errors.js';
import { ProblemList } from '../errors.js';
import type { SourcePosition } from '../event/source.js';
import { prepareRules } from '../engine/rules-setup.js';
import { TailSource } from '../input/sources/tail.js';
import { openStore, type Store } from '../store/store.js';
import type { ServeConfig } from './config.js';
import { IngestJournal, JournalSource, type JournalPosition } from './journal.js';
import { type AlertHook, Service, type ServiceLogger, type ServiceSource } from './service.js';
import { SpoolSource } from './spool.js';
import { SyslogListener } from './syslog-listener.js';
import { WebRootSource } from './webroot.js';

export interface Runtime {
  config: ServeConfig;
  store: Store;
  service: Service;
  journal: IngestJournal;
  syslog: SyslogListener[];
  rulesProblems: Problem[];
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  logger: ServiceLogger;
  /** Given the store before the service starts (the alert outbox lives there). */
  alerts?: AlertHook & { attach?(store: Store): void };
}

export async function startRuntime(config: ServeConfig, opts: RuntimeOptions): Promise<Runtime> {
  const data = resolve(config.data);
  mkdirSync(data, { recursive: true });
  const store = await openStore(config.store ? { url: config.store } : { data });
  opts.alerts?.attach?.(store);
  try {
    const problems = new ProblemList();
    const prepared = prepareRules(
      {
        rulePaths: config.rules.paths,
        builtin: config.rules.builtin,
        filterPaths: config.rules.filters,
        placeholdersFile: config.rules.placeholders,
        logsourceMapFile: config.rules.logsourceMap,
        select: { minLevel: config.rules.minLevel },
      },
      problems,
    );
    for (const p of problems.problems) opts.logger.warn({ file: p.file, line: p.line }, `rule not loaded: ${p.message}`);
    const journal = new IngestJournal(join(data, 'journal'));
    await journal.open();
    const sources: ServiceSource[] = [];
    const syslog: SyslogListener[] = [];
    const spools: SpoolSource[] = [];
    const journalSource = new JournalSource(journal, { name: 'ingest' });
    sources.push({ name: 'ingest', kind: 'journal', source: journalSource, replayable: true });
    for (const s of config.sources) {
      if (s.type === 'tail') {
        sources.push({
          name: s.name,
          kind: 'tail',
          source: new TailSource({ name: s.name, paths: s.paths, format: s.format, host: s.host, timezone: s.timezone, startAt: s.startAt }),
          replayable: true,
        });
      } else if (s.type === 'syslog') {
        const l = new SyslogListener({ name: s.name, udp: s.udp, tcp: s.tcp, tls: s.tls, host: s.host }, journal);
        await l.start();
        syslog.push(l);
      } else if (s.type === 'spool') {
        const sp = new SpoolSource({ name: s.name, dir: resolve(s.path), format: s.format, host: s.host });
        spools.push(sp);
        sources.push({ name: s.name, kind: 'spool', source: sp, replayable: true });
      } else if (s.type === 'webroot') {
        const w = new WebRootSource({
          name: s.name,
          roots: s.paths,
          host: s.host ?? hostname(),
          stateFile: join(data, `webroot-${s.name.replace(/[^\w.-]/g, '_')}.json`),
          rescanMs: s.rescanMs,
        });
        sources.push({ name: s.name, kind: 'webroot', source: w, replayable: false, takeFindings: () => w.takeFindings() });
      } else {
        opts.logger.warn({ source: s.name }, 'components sources run with `warden watch` in this version; this source is ignored');
      }
    }
    // Syslog counts its own losses (UDP under load): shown as the source's health.
    for (const l of syslog) sources.push({ name: l.name, kind: 'syslog', source: syslogHealth(l), replayable: false });
    const service = new Service({
      store,
      rules: {
        ruleSet: prepared.ruleSet,
        rules: prepared.rules,
        correlations: prepared.correlations,
        loaded: prepared.loaded,
        failed: prepared.failed,
        problems: problems.problems,
      },
      sources,
      toleranceMs: config.pipeline.toleranceMs,
      incidentWindowMs: config.pipeline.incidentWindowMs,
      incidentMembersInMemory: config.pipeline.incidentMembersInMemory,
      maxGroups: config.pipeline.maxGroups,
      snapshotEveryMs: config.pipeline.snapshotEveryMs,
      logger: opts.logger,
      alerts: opts.alerts,
      ingest: config.ingest.enabled ? journal : null,
      onSnapshot: async (positions: Record<string, SourcePosition>) => {
        const jp = positions.ingest as unknown as JournalPosition | undefined;
        if (jp && typeof jp.segment === 'number') await journal.prune(jp);
        for (const sp of spools) await sp.settle(positions[sp.name]);
      },
    });
    await service.start();
    return {
      config,
      store,
      service,
      journal,
      syslog,
      rulesProblems: problems.problems,
      async stop() {
        for (const l of syslog) await l.stop();
        await service.stop();
        await journal.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}

/** A syslog listener's counters as a (silent) source: its messages reach the pipeline through the journal. */
function syslogHealth(l: SyslogListener): ServiceSource['source'] & { dropped: number } {
  return {
    name: l.name,
    get dropped() {
      return l.dropped;
    },
    stats: () => ({ events: l.received, records: l.received, format: 'syslog' }),
    // The listener feeds the journal; this source only reports health and ends when the service stops.
    async *batches(_problems, opts = {}) {
      const signal = opts.signal;
      if (!signal || signal.aborted) return;
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    },
  };
}
