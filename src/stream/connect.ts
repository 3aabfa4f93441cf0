/**
 * Connecting to NATS and creating what the cluster needs there when it is missing: the event
 * stream (with the retention settings) and the cluster bucket (with the partition count,
 * fixed by whoever creates it first).
 *
 * Secrets never come from the command line: a `nats://user:pass@` URL is refused. User and
 * password, token, creds (nkey) file and TLS files come from the environment:
 * WARDEN_NATS_USER, WARDEN_NATS_PASSWORD(_FILE), WARDEN_NATS_TOKEN(_FILE), WARDEN_NATS_CREDS
 * (a file), WARDEN_NATS_CA / WARDEN_NATS_CERT / WARDEN_NATS_KEY (files; any of them turns TLS on).
 */
import { readFileSync } from 'node:fs';
import { AckPolicy, DeliverPolicy, DiscardPolicy, type JetStreamManager, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, credsAuthenticator, type NatsConnection, nanos } from '@nats-io/transport-node';
import { type ClusterNames, type ClusterSettings, clusterNames, clusterSettings } from './settings.js';

export class ClusterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterError';
  }
}

/** The URL as it may be shown: without any credentials. */
export function redactNatsUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return env[name];
}

export interface NatsOptions {
  /** nats://host:port, several separated by commas. */
  url: string;
  /** A name the server shows for this connection. */
  name?: string;
  env?: NodeJS.ProcessEnv;
}

export async function connectNats(opts: NatsOptions): Promise<NatsConnection> {
  const env = opts.env ?? process.env;
  const servers = opts.url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of servers) {
    if (!/^(nats|tls):\/\//i.test(s) && !/^[^/:]+(:\d+)?$/.test(s)) throw new ClusterError(`not a NATS server address: ${JSON.stringify(redactNatsUrl(s))} (use nats://HOST:PORT)`);
    if (/\/\/[^/]*@/.test(s))
      throw new ClusterError(
        'credentials in the NATS URL are refused (they would show in process lists); use WARDEN_NATS_USER/WARDEN_NATS_PASSWORD, WARDEN_NATS_TOKEN or WARDEN_NATS_CREDS',
      );
  }
  const user = env.WARDEN_NATS_USER;
  const pass = secret(env, 'WARDEN_NATS_PASSWORD');
  const token = secret(env, 'WARDEN_NATS_TOKEN');
  const creds = env.WARDEN_NATS_CREDS;
  const tlsFiles = { caFile: env.WARDEN_NATS_CA, certFile: env.WARDEN_NATS_CERT, keyFile: env.WARDEN_NATS_KEY };
  const tls = tlsFiles.caFile || tlsFiles.certFile || tlsFiles.keyFile ? Object.fromEntries(Object.entries(tlsFiles).filter(([, v]) => v)) : undefined;
  try {
    return await connect({
      servers,
      name: opts.name,
      user,
      pass,
      token,
      authenticator: creds ? credsAuthenticator(readFileSync(creds)) : undefined,
      tls,
      // a server that is down (at the start, or restarting later) is waited for, however long it takes
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 10_000,
    });
  } catch (e) {
    throw new ClusterError(`cannot connect to NATS ${servers.map(redactNatsUrl).join(',')}: ${(e as Error).message}`, { cause: e });
  }
}

export interface Topology {
  settings: ClusterSettings;
  names: ClusterNames;
  jsm: JetStreamManager;
  kv: KV;
}

const CONFIG_KEY = 'config';

/**
 * Creates the stream and the bucket when missing; an existing stream keeps its settings
 * (changing retention is an operator's decision, not a side effect of starting a worker).
 * The partition count comes from the bucket when the cluster exists already.
 */
export async function ensureTopology(nc: NatsConnection, wanted: ClusterSettings): Promise<Topology> {
  const names = clusterNames(wanted.namespace);
  const jsm = await jetstreamManager(nc);
  const r = wanted.retention;
  try {
    await jsm.streams.info(names.stream);
  } catch {
    try {
      await jsm.streams.add({
        name: names.stream,
        subjects: [`${names.subjectPrefix}.*`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(r.maxAgeMs),
        max_bytes: r.maxBytes,
        duplicate_window: nanos(r.duplicateWindowMs),
        num_replicas: r.replicas,
      });
    } catch (e) {
      // another process created it at the same moment
      await jsm.streams.info(names.stream).catch(() => {
        throw new ClusterError(`cannot create stream ${names.stream}: ${(e as Error).message}`, { cause: e });
      });
    }
  }
  const kv = await new Kvm(nc).create(names.bucket, { history: 1, replicas: r.replicas });
  let partitions = wanted.partitions;
  try {
    await kv.create(CONFIG_KEY, JSON.stringify({ partitions }));
  } catch {
    const got = await kv.get(CONFIG_KEY);
    const cfg = got ? (JSON.parse(got.string()) as { partitions?: unknown }) : {};
    if (typeof cfg.partitions !== 'number') throw new ClusterError(`bucket ${names.bucket} has no readable cluster configuration`);
    partitions = cfg.partitions;
  }
  return { settings: clusterSettings({ ...wanted, partitions }), names, jsm, kv };
}

/**
 * Gives partition `p` a durable consumer of the owner at `epoch`, starting at stream sequence
 * `from`; the consumers of former owners are deleted.
 */
export async function resetConsumer(t: Topology, p: number, epoch: number, from: number, ackWaitMs: number): Promise<string> {
  const name = t.names.consumer(p, epoch);
  const prefix = t.names.consumerPrefix(p);
  const old: string[] = [];
  for await (const c of t.jsm.consumers.list(t.names.stream)) if (c.name.startsWith(prefix) && c.name !== name) old.push(c.name);
  for (const o of old) await t.jsm.consumers.delete(t.names.stream, o).catch(() => undefined);
  await t.jsm.consumers.add(t.names.stream, {
    durable_name: name,
    filter_subject: t.names.subject(p),
    ack_policy: AckPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_ack_pending: 10_000,
    ...(from > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from } : { deliver_policy: DeliverPolicy.All }),
  });
  return name;
}

/** Removes the stream and the bucket (tests, `warden cluster destroy`-like cleanups). */
export async function destroyTopology(nc: NatsConnection, namespace: string): Promise<void> {
  const names = clusterNames(namespace);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(names.stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${names.bucket}`).catch(() => undefined);
}
