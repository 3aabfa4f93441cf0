/**
 * How far behind each partition of the cluster is, as NATS and the store see it: the pending
 * and unacknowledged messages of the partition's current consumer, the worker holding its
 * lease, and the stream sequence committed to the store. Read by anyone (the API role, a
 * worker's /metrics) without touching the consumers: only their info is asked for.
 *
 * A partition nobody has consumed yet has no consumer; all of its messages count as pending.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { errorMessage } from '../errors.js';
import type { Store } from '../store/store.js';
import { connectNats, ensureTopology, type Topology } from './connect.js';
import { Leases } from './lease.js';
import type { ClusterLogger } from './partition.js';
import { type ClusterSettings, clusterSettings } from './settings.js';

export interface PartitionLag {
  partition: number;
  /** Messages of the partition its consumer has not delivered yet. */
  pending: number;
  /** Messages delivered to the holder and not acknowledged yet (a batch being committed). */
  ackPending: number;
  /** The worker holding the partition's lease, or null when nobody does (waiting for a takeover). */
  holder: string | null;
  /** The partition's consumer (`<ns>-p<partition>-e<epoch>`), or null before anyone consumed it. */
  consumer: string | null;
  /** The stream sequence whose output is committed to the store (0: nothing yet, or no store given). */
  committedSeq: number;
}

/** The current lag of every partition (one consumer list, one lease read per partition). */
export async function partitionLag(t: Topology, store?: Store): Promise<PartitionLag[]> {
  const { names, settings, jsm } = t;
  const P = settings.partitions;
  const best = new Map<number, { epoch: number; name: string; pending: number; ackPending: number }>();
  const re = new RegExp(`^${names.consumerPrefix(0).replace(/p0-e$/, '')}p(\\d+)-e(\\d+)$`);
  for await (const c of jsm.consumers.list(names.stream)) {
    const m = re.exec(c.name);
    if (!m) continue;
    const p = Number(m[1]);
    const epoch = Number(m[2]);
    const cur = best.get(p);
    if (!cur || epoch > cur.epoch) best.set(p, { epoch, name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending });
  }
  let counts: Record<string, number> = {};
  if (best.size < P) {
    const info = await jsm.streams.info(names.stream, { subjects_filter: `${names.subjectPrefix}.*` });
    counts = info.state.subjects ?? {};
  }
  const holders = await new Leases(t.kv, '', 0).holders(P);
  const committed = new Map<string, number>();
  if (store) {
    for (const r of await store.db.query('SELECT partition, positions FROM pipeline_state')) {
      try {
        const v = JSON.parse(String(r.positions)) as { seq?: unknown };
        if (typeof v.seq === 'number') committed.set(String(r.partition), v.seq);
      } catch {
        // a row of another kind of pipeline (role all): not a partition
      }
    }
  }
  const out: PartitionLag[] = [];
  for (let p = 0; p < P; p++) {
    const c = best.get(p);
    out.push({
      partition: p,
      pending: c ? c.pending : (counts[names.subject(p)] ?? 0),
      ackPending: c ? c.ackPending : 0,
      holder: holders[p] ?? null,
      consumer: c?.name ?? null,
      committedSeq: committed.get(names.stateKey(p)) ?? 0,
    });
  }
  return out;
}

export interface LagMonitorOptions {
  url: string;
  settings?: Partial<ClusterSettings>;
  store?: Store;
  /** How often the lag is read (ms). Default 1 000. */
  everyMs?: number;
  logger: ClusterLogger;
}

/** The lag read in the background, so a synchronous view (/metrics, /api/v1/sources) can show the latest. */
export class LagMonitor {
  private nc: NatsConnection | undefined;
  private topology: Topology | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private stopped = false;
  private failures = 0;
  /** The latest reading (empty until the first one). */
  latest: PartitionLag[] = [];
  /** When the latest reading was taken (epoch ms; 0: never). */
  readAt = 0;

  constructor(private readonly opts: LagMonitorOptions) {}

  /**
   * Connects and takes the first reading; returns at once when NATS does not answer yet
   * (the API serves the store meanwhile; the lag shows up once NATS does).
   */
  async start(): Promise<void> {
    const settings = clusterSettings(this.opts.settings);
    const ready = (async () => {
      this.nc = await connectNats({ url: this.opts.url, name: 'warden lag monitor' });
      if (this.stopped) {
        await this.nc.close();
        return;
      }
      this.topology = await ensureTopology(this.nc, settings);
      if (this.stopped) return;
      await this.read();
      this.schedule();
    })();
    this.reading = ready.catch((e: unknown) => this.opts.logger.error({ err: errorMessage(e) }, 'partition lag unavailable'));
    await Promise.race([this.reading, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  get partitions(): number {
    return this.topology?.settings.partitions ?? 0;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.reading = this.read().finally(() => this.schedule());
    }, this.opts.everyMs ?? 1000);
  }

  private async read(): Promise<void> {
    if (!this.topology) return;
    try {
      this.latest = await partitionLag(this.topology!, this.opts.store);
      this.readAt = Date.now();
      this.failures = 0;
    } catch (e) {
      // NATS restarting: keep the last reading (its age is in readAt)
      if (++this.failures === 1 || this.failures % 60 === 0) this.opts.logger.warn({ err: errorMessage(e) }, 'partition lag could not be read');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // a connection still waiting for NATS is closed when it comes (see start)
    await Promise.race([this.reading, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.nc?.drain().catch(() => undefined);
  }
}
