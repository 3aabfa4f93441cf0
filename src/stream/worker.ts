/**
 * A detection worker (`warden worker`, later `warden serve --role worker`): it joins the
 * cluster, takes its fair share of the partitions (ceil(partitions / live workers)), runs a
 * PartitionRunner on each, and keeps the shares fair as workers come and go: a worker with
 * too many hands the extra ones back after their batch in hand is committed; a dead worker's
 * leases expire and the others take its partitions over from the state it last committed.
 */
import { DEFAULT_LIVE_INCIDENT_MEMBERS } from '../engine/incidents.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorMessage } from '../errors.js';
import type { PipelineOptions } from '../engine/pipeline.js';
import { prepareRules, type RuleOptions } from '../engine/rules-setup.js';
import type { Store } from '../store/store.js';
import { connectNats, ensureTopology, type Topology } from './connect.js';
import { type Lease, Leases } from './lease.js';
import { type ClusterLogger, LostPartition, type PartitionContext, PartitionRunner, type PartitionStatus } from './partition.js';
import { type ClusterSettings, clusterSettings } from './settings.js';

export interface WorkerOptions {
  /** nats://HOST:PORT (several separated by commas). */
  url: string;
  store: Store;
  settings?: Partial<ClusterSettings>;
  rules: RuleOptions;
  /** Out-of-order tolerance (ms). Default 60 000. */
  toleranceMs?: number;
  /** Incident grouping window (ms). Default 1 h (as `warden hunt --incidents`). */
  incidentWindowMs?: number;
  maxGroups?: number;
  maxBuffered?: number;
  /** Lease time (ms): how long a dead worker's partitions wait before others take them. Default 15 000. */
  leaseMs?: number;
  fetchMessages?: number;
  ackWaitMs?: number;
  /** This worker's name in the cluster. Default host-pid-random. */
  id?: string;
  logger: ClusterLogger;
}

export interface WorkerStatus {
  id: string;
  partitions: PartitionStatus[];
}

export class ClusterWorker {
  readonly id: string;
  private nc: NatsConnection | undefined;
  private topology: Topology | undefined;
  private leases: Leases | undefined;
  private readonly owned = new Map<number, { lease: Lease; runner: PartitionRunner; renewedAt: number }>();
  private timer: NodeJS.Timeout | undefined;
  private balancing: Promise<void> = Promise.resolve();
  private stopped = false;
  private ctx: PartitionContext | undefined;

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.id ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  }

  private get leaseMs(): number {
    return this.opts.leaseMs ?? 15_000;
  }

  async start(): Promise<void> {
    const { logger } = this.opts;
    const problems = { report: (p: { file: string; message: string }) => logger.warn({ file: p.file }, p.message) };
    const prepared = prepareRules(this.opts.rules, problems);
    this.nc = await connectNats({ url: this.opts.url, name: `warden worker ${this.id}` });
    this.topology = await ensureTopology(this.nc, clusterSettings(this.opts.settings));
    this.leases = new Leases(this.topology.kv, this.id, this.leaseMs);
    const pipeline: PipelineOptions = {
      outOfOrderToleranceMs: this.opts.toleranceMs ?? 60_000,
      maxGroups: this.opts.maxGroups,
      maxBuffered: this.opts.maxBuffered,
      // Every member is stored as it is added: an open incident keeps only its newest in memory.
      incidents: { windowMs: this.opts.incidentWindowMs ?? 3_600_000, maxMembers: DEFAULT_LIVE_INCIDENT_MEMBERS },
      problems: { report: (p) => logger.warn({ file: p.file }, p.message) },
    };
    this.ctx = {
      nc: this.nc,
      topology: this.topology,
      store: this.opts.store,
      rules: { ruleSet: prepared.ruleSet, correlations: prepared.correlations },
      pipeline,
      owner: this.id,
      logger,
      fetchMessages: this.opts.fetchMessages,
      ackWaitMs: this.opts.ackWaitMs,
    };
    await this.leases.heartbeat();
    logger.info(
      { worker: this.id, partitions: this.topology.settings.partitions, rules: prepared.rules.length, correlations: prepared.correlations.length },
      'worker joined the cluster',
    );
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.balancing = this.balance()
        .catch((e: unknown) => this.opts.logger.error({ err: errorMessage(e) }, 'balancing failed; retrying'))
        .finally(() => this.schedule(Math.max(200, Math.floor(this.leaseMs / 3))));
    }, ms);
  }

  /** Heartbeat, renewals, then taking or handing back partitions towards a fair share. */
  private async balance(): Promise<void> {
    const leases = this.leases!;
    const P = this.topology!.settings.partitions;
    await leases.heartbeat();
    await this.renewDue(0);
    if (this.stopped) return;
    const alive = Math.max(1, (await leases.aliveWorkers()).length);
    const share = Math.ceil(P / alive);
    if (this.owned.size > share) {
      const extra = [...this.owned.keys()].sort((a, b) => b - a).slice(0, this.owned.size - share);
      for (const p of extra) await this.handBack(p);
      return;
    }
    if (this.owned.size >= share) return;
    const holders = await leases.holders(P);
    // start at a place of our own so workers starting together do not all race for partition 0
    const start = Number.parseInt(this.id.replace(/[^0-9a-f]/gi, '').slice(-6) || '0', 16) % P;
    for (let i = 0; i < P && this.owned.size < share && !this.stopped; i++) {
      const p = (start + i) % P;
      if (this.owned.has(p) || holders[p] !== undefined) continue;
      const lease = await leases.acquire(p);
      if (!lease) continue;
      const runner = new PartitionRunner(p, lease.epoch, this.ctx!);
      const entry = { lease, runner, renewedAt: Date.now() };
      try {
        await runner.start();
      } catch (e) {
        this.opts.logger.warn({ partition: p, err: errorMessage(e) }, 'could not take the partition over');
        if (!(e instanceof LostPartition)) await leases.release(lease);
        continue;
      }
      this.owned.set(p, entry);
      await this.renewDue(this.leaseMs / 3);
      runner.done.catch((e: unknown) => {
        // the runner ends only when stopped, or when its commit found a newer owner
        this.opts.logger.warn({ partition: p, err: errorMessage(e) }, 'partition runner ended');
        if (this.owned.get(p)?.runner !== runner) return;
        this.owned.delete(p);
        void this.leases!.release(entry.lease);
      });
    }
  }

  /**
   * Renews the leases last renewed more than `age` ms ago. Called between the slow steps of
   * a balancing round too, so taking several partitions over never lets the first lease lapse.
   */
  private async renewDue(age: number): Promise<void> {
    const now = Date.now();
    // a partition whose commit has hung this long goes to the others (fencing keeps the old commit out)
    const stuckAfter = Math.max(4 * this.leaseMs, 60_000);
    for (const [p, o] of this.owned) {
      if (o.runner.stuckFor(now) > stuckAfter) {
        this.opts.logger.error({ partition: p, stuckMs: o.runner.stuckFor(now) }, 'partition stuck in a commit; no longer renewing its lease');
        o.runner.abort();
        this.owned.delete(p);
        continue;
      }
      if (now - o.renewedAt < age) continue;
      if (await this.leases!.renew(o.lease)) o.renewedAt = Date.now();
      else {
        this.opts.logger.warn({ partition: p }, 'lease lost; partition dropped');
        o.runner.abort();
        this.owned.delete(p);
      }
    }
  }

  private async handBack(p: number): Promise<void> {
    const o = this.owned.get(p);
    if (!o) return;
    this.owned.delete(p);
    await o.runner.stop();
    await this.leases!.release(o.lease);
    this.opts.logger.info({ partition: p }, 'partition handed back');
  }

  status(): WorkerStatus {
    return { id: this.id, partitions: [...this.owned.values()].map((o) => ({ ...o.runner.status })).sort((a, b) => a.partition - b.partition) };
  }

  /** Commits what is in hand, hands every partition back and leaves the cluster. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.balancing;
    await Promise.all([...this.owned.keys()].map((p) => this.handBack(p)));
    await this.leases?.leave();
    await this.nc?.drain().catch(() => undefined);
  }
}
