/**
 * `warden serve`: the live detection service, and `warden token` to manage its API tokens.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { UsageError, WardenError } from '../api/errors.js';
import {
  createToken,
  defaultConfig,
  EXAMPLE_CONFIG,
  isRole,
  jsonLogger,
  listTokens,
  loadConfig,
  prepareDemo,
  ROLES,
  revokeToken,
  roleProblems,
  SERVE_ROLES,
  type ServeConfig,
  type ServeRole,
  type StoreOptions,
  startRole,
  startServer,
} from '../api/serve.js';
import { natsUrl } from './cluster-options.js';

interface ServeFlags {
  config?: string;
  data?: string;
  listen?: string;
  store?: string;
  demo?: boolean;
  init?: boolean;
  check?: boolean;
  role?: string;
  jetstream?: string;
}

function storeOf(flags: { data?: string; store?: string }, config?: ServeConfig): StoreOptions {
  if (flags.store) return { url: flags.store };
  if (flags.data) return { data: flags.data };
  if (config?.store) return { url: config.store };
  return { data: config?.data ?? defaultConfig().data };
}

function readConfig(flags: ServeFlags): ServeConfig {
  let config: ServeConfig;
  try {
    config = flags.config ? loadConfig(flags.config) : defaultConfig();
  } catch (e) {
    if (e instanceof WardenError) throw new UsageError(`the configuration has problems:\n${e.message}`);
    throw e;
  }
  if (flags.data) config.data = flags.data;
  if (flags.store) {
    if (!/^postgres(ql)?:\/\//i.test(flags.store)) throw new UsageError('--store must be a postgres:// URL (SQLite in the data folder is the default)');
    config.store = flags.store;
    config.origins.store = '--store';
  }
  if (flags.listen) {
    if (!/^(\[[0-9a-f:.]+\]|[^:\s]+):\d{1,5}$/i.test(flags.listen)) throw new UsageError(`--listen must be HOST:PORT, not "${flags.listen}"`);
    config.listen = flags.listen;
    config.origins.listen = '--listen';
  }
  if (flags.role !== undefined) {
    if (!(SERVE_ROLES as readonly string[]).includes(flags.role)) throw new UsageError(`--role must be one of ${SERVE_ROLES.join(', ')}, not "${flags.role}"`);
    config.role = flags.role as ServeRole;
    config.origins.role = '--role';
  }
  if (flags.jetstream !== undefined) {
    const url = natsUrl(flags.jetstream, '--jetstream');
    config.jetstream = { ...(config.jetstream ?? { namespace: 'warden', retention: {}, leaseMs: 15_000 }), url };
    config.origins.jetstream = '--jetstream';
  }
  const problems = roleProblems(config);
  if (problems.length) throw new UsageError(`the configuration does not fit role ${config.role}:\n${problems.join('\n')}`);
  return config;
}

async function serve(flags: ServeFlags): Promise<void> {
  if (flags.init) {
    const file = flags.config ?? 'warden.yaml';
    if (existsSync(file)) throw new UsageError(`${file} exists already; not overwriting it`);
    writeFileSync(file, EXAMPLE_CONFIG);
    process.stdout.write(`wrote ${file}: edit its sources, then run: warden serve --config ${file}\n`);
    return;
  }
  if (flags.demo && (flags.role ?? 'all') !== 'all') throw new UsageError('--demo runs role all (one process); leave out --role');
  const demo = flags.demo ? prepareDemo() : undefined;
  const config = demo ? demo.config : readConfig(flags);
  if (demo && flags.listen) config.listen = flags.listen;
  if (flags.check) {
    process.stdout.write(
      `${config.file}: OK — role ${config.role}${config.jetstream ? ` (JetStream namespace ${config.jetstream.namespace})` : ''}, ${config.sources.length} source(s) (${config.sources.map((s) => `${s.name}: ${s.type}`).join(', ') || 'HTTP ingest only'}), ` +
        `store ${config.store ? 'PostgreSQL' : `${config.data}/warden.db`}, listen ${config.listen}\n`,
    );
    return;
  }
  const logger = jsonLogger(config.log.level);
  if (config.role !== 'all') return serveRole(config, logger);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, { logger });
  } catch (e) {
    if (e instanceof WardenError) throw new UsageError(e.message);
    // the store or the address cannot be had: say so plainly, exit 1
    process.stderr.write(`warden serve: cannot start: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`warden serve: listening on ${server.url}\n`);
  if (demo) {
    const { token } = await server.runtime.store.tokens.create('read', 'demo');
    process.stdout.write(
      `demo data in ${demo.root}; the example logs are replayed now.\nread token: ${token}\n  curl -H 'Authorization: Bearer ${token}' ${server.url}/api/v1/incidents\n`,
    );
    void demo.play();
  }
  await untilSignal(logger, server, () => demo?.stop());
}

/** Runs until SIGTERM/SIGINT, then stops `running` cleanly (a second signal exits at once). */
async function untilSignal(logger: ReturnType<typeof jsonLogger>, running: { stop(): Promise<void> }, before?: () => void): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`warden serve: ${sig} again; exiting without a clean stop\n`);
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal: sig }, 'stopping: closing the API, flushing the pipeline, saving state');
      before?.();
      running.stop().then(
        () => {
          logger.info({}, 'stopped cleanly');
          resolve();
        },
        (e: unknown) => {
          logger.error({ err: (e as Error).message }, 'clean stop failed');
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** A cluster role (worker, api, collector): see docs/cluster.md. */
async function serveRole(config: ServeConfig, logger: ReturnType<typeof jsonLogger>): Promise<void> {
  let server: Awaited<ReturnType<typeof startRole>>;
  try {
    server = await startRole(config, { logger });
  } catch (e) {
    if (e instanceof WardenError) throw new UsageError(e.message);
    process.stderr.write(`warden serve --role ${config.role}: cannot start: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`warden serve: role ${config.role}${server.url ? `, listening on ${server.url}` : ''}\n`);
  await untilSignal(logger, server);
}

function tokenStore(cmd: Command): StoreOptions {
  const o = cmd.optsWithGlobals() as { data?: string; store?: string; config?: string };
  if (o.store && !/^postgres(ql)?:\/\//i.test(o.store)) throw new UsageError('--store must be a postgres:// URL');
  let config: ServeConfig | undefined;
  if (o.config) {
    try {
      config = loadConfig(o.config);
    } catch (e) {
      if (e instanceof WardenError) throw new UsageError(e.message);
      throw e;
    }
  }
  return storeOf(o, config);
}

export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description('run the live detection service: tail logs, listen for syslog and HTTP ingest, watch web roots, detect, store, answer an API')
    .option('-c, --config <file>', 'YAML configuration (see --init)')
    .option('--data <dir>', 'data folder: SQLite store, ingest journal (default ./warden-data)')
    .option('--listen <host:port>', 'API address (default 127.0.0.1:8405)')
    .option('--store <url>', 'postgres://... store instead of SQLite in the data folder')
    .option('--role <role>', `what this process does: ${SERVE_ROLES.join(', ')} (default all: everything; see docs/cluster.md)`)
    .option('--jetstream <url>', 'NATS server(s) of the cluster: nats://HOST:PORT[,...] (roles worker, api, collector)')
    .option('--demo', 'temporary data folder; the bundled examples are replayed as a live feed')
    .option('--init', 'write a commented example configuration to --config (default warden.yaml) and exit')
    .option('--check', 'validate the configuration and exit');
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 1 a failure while running or stopping,
2 bad usage or an invalid configuration (every problem is listed with its file and line).

Roles (one process per part of a cluster, see docs/cluster.md):
  all        everything in this process (the default)
  collector  the configured sources and HTTP ingest, published to JetStream (--jetstream)
  worker     JetStream partitions in, detections into PostgreSQL (--jetstream, --store);
             \`warden worker\` is the same with its settings as flags
  api        API and console over PostgreSQL (--store); with --jetstream, per-partition lag
             in /api/v1/sources and /metrics; HTTP ingest is refused (send it to a collector)

Examples:
  warden serve --demo
  warden serve --init --config warden.yaml && warden serve --config warden.yaml
  warden token create --role ingest --data ./warden-data
  warden serve --role worker --jetstream nats://nats1:4222 --store postgres://warden@db1/warden
  warden serve --role api --store postgres://warden@db1/warden --jetstream nats://nats1:4222 --listen 0.0.0.0:8405`,
  );
  cmd.action(async (flags: ServeFlags) => {
    await serve(flags);
  });

  const token = program.command('token').description("manage the service API's bearer tokens (roles: ingest, read, admin)");
  const storeOpts = (c: Command): Command =>
    c
      .option('--data <dir>', 'data folder of the SQLite store (default ./warden-data)')
      .option('--store <url>', 'postgres://... store')
      .option('-c, --config <file>', 'take the store from this serve configuration');
  storeOpts(
    token
      .command('create')
      .description('make a token and print it once on stdout')
      .addOption(new Option('--role <role>', 'what the token may do').choices([...ROLES]).makeOptionMandatory())
      .option('--name <text>', 'a label to recognise it by in `token list`', ''),
  ).action(async (o: { role: string; name: string }, c: Command) => {
    if (!isRole(o.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const made = await createToken(tokenStore(c), o.role, o.name);
    process.stdout.write(`${made.token}\n`);
    process.stderr.write(`token ${made.info.id} (${made.info.role}) created; it is shown only this once\n`);
  });
  storeOpts(token.command('list').description('list tokens (never their secrets)')).action(async (_o: object, c: Command) => {
    const all = await listTokens(tokenStore(c));
    for (const t of all)
      process.stdout.write(
        `${t.id}\t${t.role}\t${t.revokedAt === null ? 'active' : `revoked ${new Date(t.revokedAt).toISOString()}`}\tcreated ${new Date(t.createdAt).toISOString()}\t${t.lastUsedAt === null ? 'never used' : `last used ${new Date(t.lastUsedAt).toISOString()}`}\t${t.name}\n`,
      );
    if (!all.length) process.stderr.write('no tokens; make one with: warden token create --role read\n');
  });
  storeOpts(token.command('revoke').description('revoke a token by its id').argument('<id>', 'the id shown by `token list`')).action(async (id: string, _o: object, c: Command) => {
    if (!(await revokeToken(tokenStore(c), id))) throw new UsageError(`no active token with id ${id}`);
    process.stderr.write(`token ${id} revoked\n`);
  });
}
