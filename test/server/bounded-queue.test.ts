/**
 * The queue between the service's sources and its pipeline: producers wait once it holds its
 * item cap or its weight (events) budget, an empty queue still takes one oversized item, and
 * taking one heavy item lets every waiting producer try again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue } from '../../src/server/bounded-queue.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('producers wait at the weight budget, not only at the item cap', async () => {
  const q = new BoundedQueue<number>(32, 10_000, (n) => n);
  const done: number[] = [];
  for (const w of [4000, 4000, 4000, 4000]) void q.put(w).then(() => done.push(w));
  await tick();
  // 4000 + 4000 + 4000 reaches the budget: the fourth waits.
  assert.equal(q.size, 3);
  assert.equal(q.full, true);
  assert.equal(await q.take(), 4000);
  await tick();
  assert.equal(q.size, 3);
  assert.deepEqual(q.drain(10), [4000, 4000, 4000]);
  assert.equal(q.full, false);
});

test('an empty queue takes a batch heavier than the whole budget; the item cap still holds', async () => {
  const q = new BoundedQueue<number>(2, 100, (n) => n);
  await q.put(5000);
  assert.equal(q.size, 1);
  let second = false;
  void q.put(1).then(() => (second = true));
  await tick();
  assert.equal(second, false, 'waits behind the oversized batch');
  await q.take();
  await tick();
  assert.equal(second, true);
  const c = new BoundedQueue<number>(2, 1_000_000, () => 1);
  await c.put(1);
  await c.put(2);
  let third = false;
  void c.put(3).then(() => (third = true));
  await tick();
  assert.equal(third, false, 'two items is the cap');
  c.close();
  await tick();
  assert.equal(third, true, 'closing releases waiting producers');
});
