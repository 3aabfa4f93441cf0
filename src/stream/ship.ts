/**
 * The shipper: decoded events onto the event stream, each to its host's partition, in
 * batches, every batch acknowledged by JetStream before it counts as shipped.
 *
 * Within a partition batches go out one after the other (the next waits for the previous
 * acknowledgement), so a retry after a lost acknowledgement or a NATS restart never puts a
 * batch behind a later one: a partition's events reach the worker in the order they were
 * read. Partitions go out side by side. A retried batch carries the same de-duplication id,
 * so the stream keeps it once. Memory is bounded: `add` waits while a partition has more than
 * a few batches queued.
 */
import { randomUUID } from 'node:crypto';
import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { Event } from '../event/event.js';
import { hostKey } from '../event/host.js';
import { ClusterError, type Topology } from './connect.js';
import { partitionOf } from './settings.js';
import { batchId, COLLECTOR_HEADER, encodeEvents, KIND_HEADER } from './wire.js';

export interface ShipOptions {
  /** Events per message. Default 500. */
  batchEvents?: number;
  /** Message size cap in bytes (NATS allows 1 MB by default). Default 512 KB. */
  batchBytes?: number;
  /** Batches queued per partition before `add` waits. Default 4. */
  queuedPerPartition?: number;
  /** How long one publish waits for its acknowledgement (ms). Default 5 000. */
  ackTimeoutMs?: number;
  /** How long a batch is retried before shipping fails (ms). Default 10 minutes. */
  retryForMs?: number;
  /** Sent with every message: the collector's id (see marks.ts). */
  collector?: string;
  /** Told about each retry (NATS down, acknowledgement lost). */
  onRetry?: (partition: number, attempt: number, error: string) => void;
}

export interface ShipStats {
  events: number;
  messages: number;
  bytes: number;
  /** Batches the stream already had (a retry, or the same input shipped again within the window). */
  duplicates: number;
  retries: number;
  perPartition: number[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Shipper {
  private readonly js: JetStreamClient;
  private readonly partitions: number;
  private readonly buffers: { events: Event[]; bytes: number }[];
  private readonly chains: Promise<void>[];
  private readonly queued: number[];
  private failure: unknown;
  private readonly runId = randomUUID();
  readonly stats: ShipStats;

  constructor(
    nc: NatsConnection,
    private readonly topology: Topology,
    private readonly opts: ShipOptions = {},
  ) {
    this.js = jetstream(nc);
    this.partitions = topology.settings.partitions;
    this.buffers = Array.from({ length: this.partitions }, () => ({ events: [], bytes: 0 }));
    this.chains = Array.from({ length: this.partitions }, () => Promise.resolve());
    this.queued = new Array<number>(this.partitions).fill(0);
    this.stats = { events: 0, messages: 0, bytes: 0, duplicates: 0, retries: 0, perPartition: new Array<number>(this.partitions).fill(0) };
  }

  async add(events: readonly Event[]): Promise<void> {
    const maxEvents = this.opts.batchEvents ?? 500;
    const maxBytes = this.opts.batchBytes ?? 512 * 1024;
    for (const ev of events) {
      const p = partitionOf(hostKey(ev.host ?? ''), this.partitions);
      // a rough size: the JSON is made once, when the batch goes out
      const size = (ev.raw?.length ?? 0) + 64 + JSON.stringify(ev.fields).length;
      const full = this.buffers[p]!;
      if (full.events.length > 0 && (full.events.length >= maxEvents || full.bytes + size > maxBytes)) await this.send(p);
      const b = this.buffers[p]!; // send() started a new one
      b.events.push(ev);
      b.bytes += size;
      this.stats.events++;
      this.stats.perPartition[p]!++;
    }
  }

  /**
   * Sends what is buffered and waits for every acknowledgement. With `end`, each partition
   * then gets an end-of-input mark (its windows are judged, its incidents closed).
   */
  async finish(opts: { end?: boolean } = {}): Promise<ShipStats> {
    for (let p = 0; p < this.partitions; p++) if (this.buffers[p]!.events.length) await this.send(p);
    if (opts.end) for (let p = 0; p < this.partitions; p++) this.enqueue(p, '', `end-${this.runId}-${p}`, 'end');
    await Promise.all(this.chains);
    if (this.failure) throw this.failure;
    return this.stats;
  }

  private async send(p: number): Promise<void> {
    const b = this.buffers[p]!;
    const events = b.events;
    this.buffers[p] = { events: [], bytes: 0 };
    this.enqueue(p, encodeEvents(events), batchId(events), 'events');
    if (this.queued[p]! > (this.opts.queuedPerPartition ?? 4)) await this.chains[p];
    if (this.failure) throw this.failure;
  }

  private enqueue(p: number, body: string, id: string, kind: string): void {
    this.queued[p]!++;
    this.chains[p] = this.chains[p]!.then(async () => {
      try {
        if (!this.failure) await this.publish(p, body, id, kind);
      } catch (e) {
        this.failure ??= e;
      } finally {
        this.queued[p]!--;
      }
    });
  }

  private async publish(p: number, body: string, id: string, kind: string): Promise<void> {
    const h = headers();
    h.set(KIND_HEADER, kind);
    if (this.opts.collector) h.set(COLLECTOR_HEADER, this.opts.collector);
    const deadline = Date.now() + (this.opts.retryForMs ?? 600_000);
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await this.js.publish(this.topology.names.subject(p), body, { msgID: id, headers: h, timeout: this.opts.ackTimeoutMs ?? 5000 });
        if (ack.duplicate) this.stats.duplicates++;
        else {
          this.stats.messages++;
          this.stats.bytes += body.length;
        }
        return;
      } catch (e) {
        const msg = (e as Error).message;
        if (Date.now() > deadline)
          throw new ClusterError(`partition ${p}: a batch could not be published for ${Math.round((this.opts.retryForMs ?? 600_000) / 1000)} s: ${msg}`, { cause: e });
        this.stats.retries++;
        this.opts.onRetry?.(p, attempt, msg);
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  }
}
