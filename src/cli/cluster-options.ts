/** Flags shared by `warden ship` and `warden worker`: where the cluster lives on NATS and how its stream keeps events. */
import type { Command } from 'commander';
import { UsageError } from '../api/errors.js';
import type { ClusterSettings } from '../api/cluster.js';
import { parseDuration, parsePositiveInt } from './options.js';

export interface ClusterFlags {
  namespace: string;
  partitions?: string;
  retention?: string;
  maxBytes?: string;
  replicas?: string;
  dedupWindow?: string;
}

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--namespace <name>', 'cluster name on NATS: stream <NAME>_EVENTS, subjects <name>.events.<partition>, bucket <name>-cluster', 'warden')
    .option('--partitions <n>', 'partitions of the event stream, when this creates it (default 8; an existing cluster keeps its own)')
    .option('--retention <duration>', 'when this creates the stream: how long events are kept (default 7d)')
    .option('--max-bytes <n>', 'when this creates the stream: size cap in bytes, oldest events dropped first (default none)')
    .option('--replicas <n>', 'when this creates the stream and bucket: copies in a NATS cluster (default 1)')
    .option('--dedup-window <duration>', 'when this creates the stream: how long a re-published batch is recognized (default 2m)');
}

export function clusterSettingsFrom(flags: ClusterFlags): Partial<ClusterSettings> {
  const retention: Partial<ClusterSettings['retention']> = {};
  if (flags.retention !== undefined) retention.maxAgeMs = parseDuration(flags.retention);
  if (flags.maxBytes !== undefined) retention.maxBytes = parsePositiveInt('--max-bytes', flags.maxBytes);
  if (flags.replicas !== undefined) retention.replicas = parsePositiveInt('--replicas', flags.replicas);
  if (flags.dedupWindow !== undefined) retention.duplicateWindowMs = parseDuration(flags.dedupWindow);
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(flags.namespace)) throw new UsageError(`--namespace must be 1-32 of a-z, 0-9, _ and -, starting with a letter`);
  const out: Partial<ClusterSettings> = { namespace: flags.namespace, retention: retention as ClusterSettings['retention'] };
  if (flags.partitions !== undefined) out.partitions = parsePositiveInt('--partitions', flags.partitions);
  return out;
}

export function natsUrl(url: string | undefined, flag: string): string {
  if (!url) throw new UsageError(`${flag} nats://HOST:PORT is required`);
  if (/\/\/[^/]*@/.test(url))
    throw new UsageError(
      `${flag}: credentials in the URL are refused (they would show in process lists); use WARDEN_NATS_USER/WARDEN_NATS_PASSWORD_FILE, WARDEN_NATS_TOKEN_FILE or WARDEN_NATS_CREDS`,
    );
  return url;
}
