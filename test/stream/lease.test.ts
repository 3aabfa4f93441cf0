/**
 * Partition leases on a real NATS KV bucket: one holder at a time, revision-checked renewal,
 * takeover after expiry with a larger epoch, and the former holder told at its next renewal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Leases } from '../../src/stream/lease.js';
import { NATS_URL, natsAnswers } from '../helpers/cluster.js';

test('leases: one holder, renewal, expiry, takeover, fencing epochs grow', async (t) => {
  const nc = await natsAnswers(NATS_URL);
  if (typeof nc === 'string') return t.skip(nc);
  const kvm = new Kvm(nc);
  const bucket = `wtl${process.pid}${Date.now().toString(36)}`;
  const kv = await kvm.create(bucket, { history: 1 });
  try {
    let now = 1_000_000;
    const clock = (): number => now;
    const a = new Leases(kv, 'a', 10_000, clock);
    const b = new Leases(kv, 'b', 10_000, clock);
    const la = await a.acquire(0);
    assert.ok(la);
    assert.equal(await b.acquire(0), undefined, 'held by a');
    now += 5000;
    assert.ok(await a.renew(la), 'a renews');
    now += 8000;
    assert.equal(await b.acquire(0), undefined, 'renewed: still held');
    now += 3000; // past a's renewed expiry
    const lb = await b.acquire(0);
    assert.ok(lb, 'expired: b takes it');
    assert.ok(lb.epoch > la.epoch, 'the new owner has the larger fencing token');
    assert.equal(await a.renew(la), false, 'a learns it lost the partition');
    await b.release(lb);
    const again = await a.acquire(0);
    assert.ok(again && again.epoch > lb.epoch, 'released: free at once');
    await a.heartbeat();
    await b.heartbeat();
    assert.deepEqual(await a.aliveWorkers(), ['a', 'b']);
    await b.leave();
    assert.deepEqual(await a.aliveWorkers(), ['a']);
    assert.deepEqual(await a.holders(2), ['a', undefined]);
  } finally {
    await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`).catch(() => undefined);
    await nc.close();
  }
});
