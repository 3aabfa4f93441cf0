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
  type ServeConfig,
  type StoreOptions,
  startServer,
} from '../api/serve.js';

interface ServeFlags {
  config?: string;
  data?: string;
  listen?: string;
  store?: string;
  demo?: boolean;
  init?: boolean;
  check?: boolean;
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
  }
  if (flags.listen) {
    if (!/^(\[[0-9a-f:.]+\]|[^:\s]+):\d{1,5}$/i.test(flags.listen)) throw new UsageError(`--listen must be HOST:PORT, not "${flags.listen}"`);
    config.listen = flags.listen;
  }
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
  const demo = flags.demo ? prepareDemo() : undefined;
  const config = demo ? demo.config : readConfig(flags);
  if (demo && flags.listen) config.listen = flags.listen;
  if (flags.check) {
    process.stdout.write(
      `${config.file}: OK — ${config.sources.length} source(s) (${config.sources.map((s) => `${s.name}: ${s.type}`).join(', ') || 'HTTP ingest only'}), ` +
        `store ${config.store ? 'PostgreSQL' : `${config.data}/warden.db`}, listen ${config.listen}\n`,
    );
    return;
  }
  const logger = jsonLogger(config.log.level);
  const server = await startServer(config, { logger });
  process.stdout.write(`warden serve: listening on ${server.url}\n`);
  if (demo) {
    const { token } = await server.runtime.store.tokens.create('read', 'demo');
    process.stdout.write(
      `demo data in ${demo.root}; the example logs are replayed now.\nread token: ${token}\n  curl -H 'Authorization: Bearer ${token}' ${server.url}/api/v1/incidents\n`,
    );
    void demo.play();
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`warden serve: ${sig} again; exiting without a clean stop\n`);
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal: sig }, 'stopping: closing the API, flushing the pipeline, saving state');
      demo?.stop();
      server.stop().then(
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
    .option('--demo', 'temporary data folder; the bundled examples are replayed as a live feed')
    .option('--init', 'write a commented example configuration to --config (default warden.yaml) and exit')
    .option('--check', 'validate the configuration and exit');
  cmd.addHelpText(
    'after',
    `
Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 1 a failure while running or stopping,
2 bad usage or an invalid configuration (every problem is listed with its file and line).

Examples:
  warden serve --demo
  warden serve --init --config warden.yaml && warden serve --config warden.yaml
  warden token create --role ingest --data ./warden-data`,
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
