/**
 * `warden worker --jetstream nats://... --store postgres://...`: a detection worker of the
 * cluster, the same ClusterWorker as `warden serve --role worker` with its settings as flags
 * instead of a configuration file. Runs until SIGINT/SIGTERM, then commits what it holds,
 * hands its partitions back and exits.
 */
import type { Command } from 'commander';
import { UsageError } from '../api/errors.js';
import { addClusterOptions, type ClusterFlags, clusterSettingsFrom, natsUrl } from './cluster-options.js';
import { addRuleOptions, parseDuration, parsePositiveInt, type RuleFlags, ruleOptionsFrom } from './options.js';

interface WorkerFlags extends ClusterFlags, RuleFlags {
  jetstream?: string;
  store?: string;
  tolerance: string;
  incidentWindow: string;
  lease: string;
  fetch?: string;
  id?: string;
  logLevel: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('worker')
    .description('the same as `warden serve --role worker`, with flags instead of a config file: JetStream partitions in, detections and incidents into PostgreSQL')
    .option('--jetstream <url>', 'NATS server(s): nats://HOST:PORT[,nats://HOST:PORT...]')
    .option('--store <url>', 'PostgreSQL: postgres://USER@HOST:PORT/DB (password from PGPASSWORD or ~/.pgpass, sslmode in the URL)')
    .option('--tolerance <duration>', 'how far events of a partition may be out of time order', '60s')
    .option('--incident-window <duration>', 'incident grouping window', '1h')
    .option('--lease <duration>', "partition lease: how long a dead worker's partitions wait before others take them", '15s')
    .option('--fetch <n>', 'messages per fetch and commit (default 64)')
    .option('--id <name>', "this worker's name in the cluster (default host-pid-random)")
    .option('--log-level <level>', 'debug, info, warn or error', 'info');
  addRuleOptions(addClusterOptions(cmd)).addHelpText(
    'after',
    `
This is \`warden serve --role worker\` (same worker, same guarantees) with its settings as flags;
\`serve --role worker --listen HOST:PORT\` also answers /metrics with every partition's lag.
Every worker of a cluster must run the same rules. NATS credentials come from the environment
(see \`warden ship --help\`); the PostgreSQL password from PGPASSWORD or ~/.pgpass.

Example:
  warden worker --jetstream nats://nats1:4222 --store postgres://warden@db1/warden`,
  );
  cmd.action(async (flags: WorkerFlags) => {
    const api = await import('../api/cluster.js');
    const { jsonLogger } = await import('../api/serve.js');
    const url = natsUrl(flags.jetstream, '--jetstream');
    if (!flags.store || !/^postgres(ql)?:\/\//i.test(flags.store)) throw new UsageError('--store postgres://... is required (workers share one PostgreSQL store)');
    if (/\/\/[^/@]*:[^/@]*@/.test(flags.store)) throw new UsageError('--store: a password in the URL is refused (it would show in process lists); use PGPASSWORD or ~/.pgpass');
    if (!['debug', 'info', 'warn', 'error'].includes(flags.logLevel)) throw new UsageError('--log-level must be debug, info, warn or error');
    const logger = jsonLogger(flags.logLevel as 'info');
    const store = await api.openStore({ url: flags.store });
    const worker = new api.ClusterWorker({
      url,
      store,
      settings: clusterSettingsFrom(flags),
      rules: ruleOptionsFrom(flags),
      toleranceMs: parseDuration(flags.tolerance),
      incidentWindowMs: parseDuration(flags.incidentWindow),
      leaseMs: parseDuration(flags.lease),
      fetchMessages: flags.fetch !== undefined ? parsePositiveInt('--fetch', flags.fetch) : undefined,
      id: flags.id,
      logger,
    });
    await worker.start();
    const status = setInterval(() => logger.info(worker.status(), 'status'), 10_000);
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    clearInterval(status);
    // a second signal while the batch in hand waits for a store that does not answer: leave now
    // (nothing is lost: the next owner starts from the last commit)
    const now = (): never => process.exit(1);
    process.once('SIGINT', now);
    process.once('SIGTERM', now);
    await worker.stop();
    await store.close();
    logger.info({ worker: worker.id }, 'worker stopped');
  });
}
