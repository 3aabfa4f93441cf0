/** `warden ship PATH... --to nats://...`: decode logs here, publish their events to the cluster's JetStream partitions. */
import type { Command } from 'commander';
import { addClusterOptions, type ClusterFlags, clusterSettingsFrom, natsUrl } from './cluster-options.js';
import { parsePositiveInt, parseTimezone } from './options.js';
import { StderrProblems } from './problems.js';

interface ShipFlags extends ClusterFlags {
  to?: string;
  inputFormat?: string;
  timezone?: string;
  host?: string;
  batch?: string;
  end?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('ship')
    .description('publish the events of logs to a Warden cluster (NATS JetStream), partitioned by host, acknowledged and de-duplicated')
    .argument('<paths...>', 'log files or folders ("-" reads stdin)')
    .option('--to <url>', 'NATS server(s): nats://HOST:PORT[,nats://HOST:PORT...]')
    .option('--input-format <name>', 'force the input decoder instead of detecting it')
    .option('--timezone <zone>', 'zone of logs that record local time without an offset; default UTC')
    .option('--host <name>', 'host for events whose log names none')
    .option('--batch <n>', 'events per message (default 500)')
    .option('--end', 'after the events, mark the end of input on every partition: open correlation windows are judged and incidents closed, as at the end of `warden hunt`')
    .option('--quiet', 'no summary on stderr');
  addClusterOptions(cmd).addHelpText(
    'after',
    `
Credentials come from the environment, never from the command line: WARDEN_NATS_USER and
WARDEN_NATS_PASSWORD(_FILE), WARDEN_NATS_TOKEN(_FILE), WARDEN_NATS_CREDS (creds file), and
WARDEN_NATS_CA / WARDEN_NATS_CERT / WARDEN_NATS_KEY for TLS.

Examples:
  warden ship /var/log/nginx --to nats://nats1:4222
  warden ship ./case --to nats://127.0.0.1:4222 --end

Exit code: 0 all shipped, 1 some input could not be read (see stderr), 2 bad usage; shipping itself failing is an error (3).`,
  );
  cmd.action(async (paths: string[], flags: ShipFlags) => {
    const api = await import('../api/cluster.js');
    const url = natsUrl(flags.to, '--to');
    const settings = clusterSettingsFrom(flags);
    const timezone = await parseTimezone(flags.timezone);
    const problems = new StderrProblems();
    const t0 = performance.now();
    try {
      const st = await api.shipFiles(
        {
          paths,
          url,
          settings,
          read: { inputFormat: flags.inputFormat, timezone, host: flags.host },
          batchEvents: flags.batch !== undefined ? parsePositiveInt('--batch', flags.batch) : undefined,
          end: flags.end,
          onRetry: (p, attempt, err) => {
            if (attempt === 1 || attempt % 10 === 0) process.stderr.write(`warden: partition ${p}: publish retried (${attempt}): ${err}\n`);
          },
        },
        problems,
      );
      if (!flags.quiet) {
        const s = (performance.now() - t0) / 1000;
        process.stderr.write(
          `shipped ${st.events} events in ${st.messages} messages (${st.duplicates} already in the stream, ${st.retries} retries) in ${s.toFixed(1)} s, ${Math.round(st.events / Math.max(s, 1e-3))} events/s\n`,
        );
      }
      process.exitCode = problems.count > 0 ? 1 : 0;
    } catch (e) {
      process.stderr.write(`warden: ship: ${(e as Error).message}\n`);
      process.exitCode = 3;
    }
  });
}
