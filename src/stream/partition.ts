/**
 * One partition on one worker: its durable pull consumer → a Pipeline → PostgreSQL.
 *
 * Every fetched batch of messages is one transaction: the detections (keyed by id: a second
 * write of one changes nothing), the incident updates, and the pipeline's whole state with the
 * stream sequence it stands at. Only after the commit are the messages acknowledged. So at any
 * moment the store holds a state and exactly the output of the events before its sequence: a
 * crash before the commit loses nothing (the messages come again), a crash after it doubles
 * nothing (the next owner starts after the sequence; a message redelivered at or before it is
 * skipped).
 *
 * Taking a partition over reads the state, writes the new owner's fencing token (its lease
 * epoch) next to it, and starts the consumer right after the saved sequence. Each commit
 * locks the row and checks the token first: a worker that lost its lease without noticing
 * (paused, partitioned from NATS) fails its commit instead of writing beside the new owner.
 *
 * Backpressure: one fetch of at most `fetchMessages` is in flight, and the next waits for the
 * commit; a slow store slows the fetching, the stream holds the rest.
 */
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Problem } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { Detection, IncidentUpdate } from '../event/detection.js';
import { Pipeline, type PipelineOptions, type PipelineRules, type PipelineSnapshot } from '../engine/pipeline.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import { resetConsumer, type Topology } from './connect.js';
import { detectionRow, incidentRows } from '../output/store-rows.js';
import { encodeHint, hintOf } from './live-hints.js';
import { StreamMarks } from './marks.js';
import { COLLECTOR_HEADER, decodeEvents, KIND_HEADER } from './wire.js';

export interface ClusterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PartitionContext {
  nc: NatsConnection;
  topology: Topology;
  store: Store;
  rules: PipelineRules;
  pipeline: PipelineOptions;
  owner: string;
  logger: ClusterLogger;
  /** Messages per fetch (and so per commit). Default 64. */
  fetchMessages?: number;
  /** Unacknowledged messages come again after this (ms). Default 60 000. */
  ackWaitMs?: number;
}

interface Position {
  seq: number;
  epoch: number;
  owner: string;
  /** How far each collector's streams were read (marks.ts). */
  marks?: unknown;
}

/** The partition is no longer this worker's: another took it over. */
export class LostPartition extends Error {
  constructor(partition: number, why: string) {
    super(`partition ${partition}: ${why}`);
    this.name = 'LostPartition';
  }
}

export interface PartitionStatus {
  partition: number;
  /** The stream sequence committed last. */
  seq: number;
  events: number;
  detections: number;
  commits: number;
  /** Messages in the stream after the consumer's position (when last known). */
  lag?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function parsePosition(text: string): Position {
  try {
    const v = JSON.parse(text) as Partial<Position>;
    return { seq: typeof v.seq === 'number' ? v.seq : 0, epoch: typeof v.epoch === 'number' ? v.epoch : 0, owner: typeof v.owner === 'string' ? v.owner : '', marks: v.marks };
  } catch {
    return { seq: 0, epoch: 0, owner: '' };
  }
}

export class PartitionRunner {
  private pipeline!: Pipeline;
  private marks = new StreamMarks();
  private seq = 0;
  private stopping = false;
  private aborted = false;
  private loop: Promise<void> | undefined;
  private readonly js: JetStreamClient;
  private readonly key: string;
  private consumerName = '';
  /** When the commit in progress started (0: none), to tell a stuck partition from a busy one. */
  private committingSince = 0;
  private lagAt = 0;
  readonly status: PartitionStatus;

  constructor(
    readonly partition: number,
    private readonly epoch: number,
    private readonly ctx: PartitionContext,
  ) {
    this.js = jetstream(ctx.nc);
    this.key = ctx.topology.names.stateKey(partition);
    this.status = { partition, seq: 0, events: 0, detections: 0, commits: 0 };
  }

  /** Takes the partition over in the store and starts consuming; resolves once it runs. */
  async start(): Promise<void> {
    const { store } = this.ctx;
    const saved = await store.db.transaction(async (tx) => {
      await tx.run('INSERT INTO pipeline_state (partition, state, positions, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (partition) DO NOTHING', [
        this.key,
        'null',
        JSON.stringify({ seq: 0, epoch: 0, owner: '' }),
        Date.now(),
      ]);
      const row = await store.service.lockState(this.key, tx);
      const pos = parsePosition(row?.positions ?? '{}');
      if (pos.epoch > this.epoch) throw new LostPartition(this.partition, `a newer owner (${pos.owner}) holds it`);
      await store.service.saveState(this.key, row?.state ?? 'null', JSON.stringify({ seq: pos.seq, epoch: this.epoch, owner: this.ctx.owner, marks: pos.marks }), tx);
      return { state: row?.state ?? 'null', seq: pos.seq, marks: pos.marks };
    });
    this.seq = saved.seq;
    this.marks = new StreamMarks(saved.marks);
    this.status.seq = saved.seq;
    const snap = JSON.parse(saved.state) as PipelineSnapshot | null;
    this.pipeline = snap ? Pipeline.restore(this.ctx.rules, snap, this.ctx.pipeline) : new Pipeline(this.ctx.rules, this.ctx.pipeline);
    this.consumerName = await resetConsumer(this.ctx.topology, this.partition, this.epoch, this.seq + 1, this.ctx.ackWaitMs ?? 60_000);
    this.ctx.logger.info({ partition: this.partition, seq: this.seq, epoch: this.epoch, restored: snap !== null }, 'partition taken over');
    this.loop = this.run();
  }

  /** Finishes the batch in hand (committed and acknowledged), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop?.catch(() => undefined);
  }

  /** Stops at once without another commit (the lease is gone). */
  abort(): void {
    this.aborted = true;
    this.stopping = true;
  }

  /** How long the commit in progress has been going on (ms; 0 when none). */
  stuckFor(now = Date.now()): number {
    return this.committingSince ? now - this.committingSince : 0;
  }

  /** Resolves when the loop ends; rejects with why it failed. */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async consumer(): Promise<Consumer> {
    return this.js.consumers.get(this.ctx.topology.names.stream, this.consumerName);
  }

  /**
   * Our consumer again, starting right after the committed sequence: after an error while
   * fetching, or when a delivery went missing, so no message is ever skipped. Only while the
   * store still names us the owner, and only our own consumer is touched.
   */
  private async restartConsumer(): Promise<Consumer> {
    const row = (await this.ctx.store.db.query('SELECT positions FROM pipeline_state WHERE partition = $1', [this.key]))[0];
    const pos = parsePosition(String(row?.positions ?? '{}'));
    if (pos.epoch !== this.epoch) throw new LostPartition(this.partition, `taken over by ${pos.owner} (epoch ${pos.epoch}, ours ${this.epoch})`);
    const { jsm, names } = this.ctx.topology;
    await jsm.consumers.delete(names.stream, this.consumerName).catch(() => undefined);
    await resetConsumer(this.ctx.topology, this.partition, this.epoch, this.seq + 1, this.ctx.ackWaitMs ?? 60_000, { keepOthers: true });
    this.ctx.logger.info({ partition: this.partition, from: this.seq + 1 }, 'consumer restarted after the committed sequence');
    return this.consumer();
  }

  private async run(): Promise<void> {
    let consumer: Consumer | undefined;
    let failures = 0;
    let broken = false;
    // the consumer's delivery sequence must go 1, 2, 3, ...: a gap is a delivery we never saw
    let nextDelivery = 1;
    while (!this.stopping) {
      const msgs: JsMsg[] = [];
      try {
        if (broken) {
          consumer = await this.restartConsumer();
          nextDelivery = 1;
          broken = false;
        }
        consumer ??= await this.consumer();
        const it = await consumer.fetch({ max_messages: this.ctx.fetchMessages ?? 64, expires: 1000 });
        for await (const m of it) msgs.push(m);
        failures = 0;
      } catch (e) {
        if (e instanceof LostPartition) throw e;
        // NATS restarting, our consumer lost: wait, then start again after the committed sequence
        consumer = undefined;
        broken = true;
        if (++failures === 1 || failures % 20 === 0) this.ctx.logger.warn({ partition: this.partition, err: errorMessage(e) }, 'fetch failed; retrying');
        await sleep(Math.min(2000, 100 * failures));
        continue;
      }
      if (msgs.length === 0 || this.aborted) continue;
      if (msgs.some((m, i) => m.info.deliverySequence !== nextDelivery + i)) {
        this.ctx.logger.warn(
          { partition: this.partition, expected: nextDelivery, got: msgs[0]!.info.deliverySequence },
          'a delivery went missing; reading again from the committed sequence',
        );
        broken = true;
        continue;
      }
      nextDelivery += msgs.length;
      const detections: Detection[] = [];
      const updates: IncidentUpdate[] = [];
      const problems: Problem[] = [];
      let last = this.seq;
      let events = 0;
      for (const m of msgs) {
        if (m.seq <= last) continue; // redelivered after the commit that already has it
        last = m.seq;
        let out: { detections: Detection[]; incidents: IncidentUpdate[] };
        if (m.headers?.get(KIND_HEADER) === 'end') out = this.endOfInput();
        else {
          const evs = this.marks.fresh(decodeEvents(m.string(), `${this.ctx.topology.names.subject(this.partition)}#${m.seq}`, problems), m.headers?.get(COLLECTOR_HEADER));
          events += evs.length;
          out = this.pipeline.push(evs);
        }
        for (const d of out.detections) detections.push(d);
        for (const u of out.incidents) updates.push(u);
      }
      for (const p of problems) this.ctx.logger.warn({ partition: this.partition, where: p.file, line: p.line }, p.message);
      if (last > this.seq) {
        if (!(await this.commitWithRetry(detections, updates, last))) return;
        this.status.detections += detections.length;
        this.status.events += events;
      }
      // AckAll: the last message acknowledges every one before it
      msgs[msgs.length - 1]!.ack();
      if (Date.now() - this.lagAt > 5000) {
        this.lagAt = Date.now();
        const info = await consumer.info().catch(() => undefined);
        if (info) this.status.lag = info.num_pending + info.num_ack_pending;
      }
    }
  }

  /** A shipper's end of input: every window judged, every incident closed, a fresh pipeline after. */
  private endOfInput(): { detections: Detection[]; incidents: IncidentUpdate[] } {
    const out = this.pipeline.flush();
    this.pipeline = new Pipeline(this.ctx.rules, this.ctx.pipeline);
    return out;
  }

  /**
   * The store being down is waited out (the batch stays in hand, nothing more is fetched);
   * losing the partition is not. False when aborted meanwhile.
   */
  private async commitWithRetry(detections: Detection[], updates: IncidentUpdate[], seq: number): Promise<boolean> {
    this.committingSince = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (this.aborted) return false;
      try {
        await this.commit(detections, updates, seq);
        this.committingSince = 0;
        this.announce(detections, updates);
        return true;
      } catch (e) {
        if (e instanceof LostPartition) throw e;
        if (attempt === 1 || attempt % 20 === 0) this.ctx.logger.error({ partition: this.partition, err: errorMessage(e) }, 'commit failed; retrying');
        await sleep(Math.min(5000, 200 * attempt));
      }
    }
  }

  /** Tells the API processes' live feeds what was committed (a hint: lost ones cost only a later refresh). */
  private announce(detections: readonly Detection[], updates: readonly IncidentUpdate[]): void {
    const hint = hintOf(detections, updates);
    if (!hint) return;
    try {
      this.ctx.nc.publish(this.ctx.topology.names.live, encodeHint(hint));
    } catch {
      // the connection is closing or reconnecting: the next commit announces again
    }
  }

  private async commit(detections: Detection[], updates: IncidentUpdate[], seq: number): Promise<void> {
    const { store } = this.ctx;
    const rows = detections.map(detectionRow);
    const inc = incidentRows(updates);
    const state = JSON.stringify(this.pipeline.snapshot());
    await store.db.transaction(async (tx: Db) => {
      const row = await store.service.lockState(this.key, tx);
      const pos = parsePosition(row?.positions ?? '{}');
      if (pos.epoch !== this.epoch) throw new LostPartition(this.partition, `taken over by ${pos.owner} (epoch ${pos.epoch}, ours ${this.epoch})`);
      await store.alerts.insertDetections(rows, tx);
      if (inc.incidents.length) await store.alerts.upsertIncidents(inc.incidents, inc.members, tx);
      await store.service.saveState(this.key, state, JSON.stringify({ seq, epoch: this.epoch, owner: this.ctx.owner, marks: this.marks }), tx);
    });
    this.seq = seq;
    this.status.seq = seq;
    this.status.commits++;
  }
}
