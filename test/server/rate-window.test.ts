/**
 * A source's events per second over the last minute, in fixed memory: a million batches with
 * nobody reading the rate still leave 60 buckets (the list of every batch it replaces grew
 * until /metrics was read).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateWindow } from '../../src/server/rate-window.js';

const T0 = Date.UTC(2026, 0, 1);

test('a million batches over an hour: fixed size, the last minute counted', () => {
  const r = new RateWindow();
  // one batch of 3 events every 3.6 ms for an hour
  for (let i = 0; i < 1_000_000; i++) r.add(T0 + i * 3.6, 3);
  assert.equal(r.size, 60);
  const now = T0 + 999_999 * 3.6;
  // the minute up to `now` (this second and the 59 before) holds 59 whole seconds plus the current one's part
  const currentSecond = Math.floor(now / 1000) * 1000;
  const inWindow = (t: number): boolean => t >= currentSecond - 59_000 && t <= now;
  let expected = 0;
  for (let i = 0; i < 1_000_000; i++) if (inWindow(T0 + i * 3.6)) expected += 3;
  assert.equal(r.perSecond(now), expected / 60);
});

test('quiet: events older than a minute no longer count', () => {
  const r = new RateWindow();
  r.add(T0, 600);
  assert.equal(r.perSecond(T0 + 500), 10);
  assert.equal(r.perSecond(T0 + 59_999), 10);
  assert.equal(r.perSecond(T0 + 60_000), 0);
  r.add(T0 + 120_000, 60);
  assert.equal(r.perSecond(T0 + 120_000), 1);
});
