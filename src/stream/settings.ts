/**
 * What a Warden cluster is made of on NATS, by name: one JetStream stream of events whose
 * subjects are `<namespace>.events.<partition>`, a durable pull consumer per partition, and a
 * key-value bucket holding the cluster's shape (the partition count), partition leases and
 * worker heartbeats. Everything hangs off the namespace (default `warden`), so two clusters
 * — or two test runs — can share one NATS server without seeing each other.
 */
import { createHash } from 'node:crypto';

export interface RetentionSettings {
  /** Events older than this leave the stream (ms; 0 = kept until maxBytes). Default 7 days. */
  maxAgeMs: number;
  /** Stream size cap (bytes; -1 = none). Oldest events go first. */
  maxBytes: number;
  /** Window in which a re-published message (same de-duplication id) is dropped (ms). Default 2 min. */
  duplicateWindowMs: number;
  /** Copies of the stream and the bucket in a NATS cluster (1 on a single server). */
  replicas: number;
}

export interface ClusterSettings {
  namespace: string;
  /** Partitions of the event stream; fixed when the stream is first created. Default 8. */
  partitions: number;
  retention: RetentionSettings;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  maxAgeMs: 7 * 24 * 3_600_000,
  maxBytes: -1,
  duplicateWindowMs: 120_000,
  replicas: 1,
};

export const DEFAULT_PARTITIONS = 8;
export const MAX_PARTITIONS = 1024;

export function clusterSettings(over: Partial<ClusterSettings> = {}): ClusterSettings {
  const s: ClusterSettings = {
    namespace: over.namespace ?? 'warden',
    partitions: over.partitions ?? DEFAULT_PARTITIONS,
    retention: { ...DEFAULT_RETENTION, ...over.retention },
  };
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(s.namespace)) throw new Error(`cluster namespace ${JSON.stringify(s.namespace)} must be 1-32 of a-z, 0-9, _ and -, starting with a letter`);
  if (!Number.isInteger(s.partitions) || s.partitions < 1 || s.partitions > MAX_PARTITIONS)
    throw new Error(`partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${s.partitions}`);
  if (!Number.isInteger(s.retention.replicas) || s.retention.replicas < 1 || s.retention.replicas > 5) throw new Error('replicas must be 1 to 5');
  return s;
}

/** The names derived from a namespace. */
export interface ClusterNames {
  stream: string;
  subjectPrefix: string;
  bucket: string;
  subject(partition: number): string;
  /**
   * Partition `partition`'s durable consumer as owned by the lease taken at `epoch`: a new
   * owner makes a consumer of its own, so a former owner that has not noticed yet can never
   * pull messages meant for the new one.
   */
  consumer(partition: number, epoch: number): string;
  /** The prefix of every consumer of a partition, whatever its epoch. */
  consumerPrefix(partition: number): string;
  /** The store's key for a partition's pipeline state. */
  stateKey(partition: number): string;
  /** Core NATS subject (not in the stream) where workers announce what they committed: the API roles' live feed. */
  live: string;
}

export function clusterNames(namespace: string): ClusterNames {
  const subjectPrefix = `${namespace}.events`;
  return {
    stream: `${namespace.toUpperCase().replace(/-/g, '_')}_EVENTS`,
    subjectPrefix,
    bucket: `${namespace}-cluster`,
    subject: (p) => `${subjectPrefix}.${p}`,
    consumer: (p, epoch) => `${namespace}-p${p}-e${epoch}`,
    consumerPrefix: (p) => `${namespace}-p${p}-e`,
    stateKey: (p) => `jetstream:${namespace}:${p}`,
    live: `${namespace}.live`,
  };
}

/**
 * The partition of a host: a hash of its host key, so every spelling of one machine lands
 * in one partition and its correlation and incident state lives with one worker.
 */
export function partitionOf(hostKeyValue: string, partitions: number): number {
  const h = createHash('sha256').update(hostKeyValue).digest();
  return h.readUInt32BE(0) % partitions;
}
