/**
 * Who owns which partition, in the cluster bucket: a lease per partition (`lease.<p>`:
 * owner and expiry) and a heartbeat per worker (`worker.<id>`). A lease is taken with a
 * create (nobody ever held it) or an update at the revision read (it had expired), and
 * renewed with an update at the revision the last write returned: if anyone else wrote in
 * between, the renewal fails and the worker knows at once that the partition is no longer
 * its own. The revision at which a lease was taken grows with every owner, so it is also the
 * owner's fencing token in the store (see partition.ts).
 *
 * Expiry is wall-clock time written by the owner: the machines' clocks must agree to well
 * within the lease time (NTP does).
 */
import type { KV } from '@nats-io/kv';

interface LeaseValue {
  owner: string;
  until: number;
}

export interface Lease {
  partition: number;
  /** The revision the lease was taken at: the fencing token. */
  epoch: number;
  /** The revision of the latest write, for the next renewal. */
  revision: number;
}

function parse(bytes: string): LeaseValue | undefined {
  try {
    const v = JSON.parse(bytes) as Partial<LeaseValue>;
    if (typeof v.owner === 'string' && typeof v.until === 'number') return { owner: v.owner, until: v.until };
  } catch {
    // not a lease of ours: treat as free
  }
  return undefined;
}

export class Leases {
  constructor(
    private readonly kv: KV,
    private readonly owner: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private value(until = this.now() + this.ttlMs): string {
    return JSON.stringify({ owner: this.owner, until });
  }

  /** Takes partition `p` if nobody holds it; undefined when someone does (or won the race). */
  async acquire(p: number): Promise<Lease | undefined> {
    const key = `lease.${p}`;
    const e = await this.kv.get(key);
    try {
      if (e?.operation !== 'PUT') {
        const rev = await this.kv.create(key, this.value());
        return { partition: p, epoch: rev, revision: rev };
      }
      const cur = parse(e.string());
      if (cur && cur.until > this.now() && cur.owner !== this.owner) return undefined;
      const rev = await this.kv.update(key, this.value(), e.revision);
      return { partition: p, epoch: rev, revision: rev };
    } catch {
      return undefined; // someone else wrote first
    }
  }

  /** Extends the lease; false when it is no longer ours. */
  async renew(l: Lease): Promise<boolean> {
    try {
      l.revision = await this.kv.update(`lease.${l.partition}`, this.value(), l.revision);
      return true;
    } catch {
      return false;
    }
  }

  /** Gives the partition up (expired at once), if still ours. */
  async release(l: Lease): Promise<void> {
    await this.kv.update(`lease.${l.partition}`, this.value(0), l.revision).catch(() => undefined);
  }

  async heartbeat(): Promise<void> {
    await this.kv.put(`worker.${this.owner}`, this.value());
  }

  async leave(): Promise<void> {
    await this.kv.put(`worker.${this.owner}`, this.value(0)).catch(() => undefined);
  }

  /** Workers whose heartbeat has not expired (this one included). */
  async aliveWorkers(): Promise<string[]> {
    const out: string[] = [];
    const now = this.now();
    const keys: string[] = [];
    for await (const k of await this.kv.keys('worker.*')) keys.push(k);
    for (const k of keys) {
      const e = await this.kv.get(k);
      const v = e && e.operation === 'PUT' ? parse(e.string()) : undefined;
      if (v && v.until > now) out.push(v.owner);
    }
    return out.sort();
  }

  /** Current holders by partition (expired leases are free: undefined). */
  async holders(partitions: number): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = [];
    const now = this.now();
    for (let p = 0; p < partitions; p++) {
      const e = await this.kv.get(`lease.${p}`);
      const v = e && e.operation === 'PUT' ? parse(e.string()) : undefined;
      out.push(v && v.until > now ? v.owner : undefined);
    }
    return out;
  }
}
