import { test } from 'node:test';
import assert from 'node:assert/strict';
import { civilMs, contextZone, digits, isoStamp, isoStampAt, monthIndex, stampMs, UTC_ZONE, zoneOffset, zoneResolver } from '../../../src/input/text/common.js';
import { ProblemList } from '../../../src/errors.js';

test('civilMs agrees with Date.UTC and rejects impossible dates', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 5000; i++) {
    const y = 1970 + rnd(200);
    const mo = rnd(12);
    const d = 1 + rnd(28);
    const h = rnd(24);
    const mi = rnd(60);
    const s = rnd(60);
    const ms = rnd(1000);
    assert.equal(civilMs(y, mo, d, h, mi, s, ms), Date.UTC(y, mo, d, h, mi, s, ms));
  }
  assert.equal(civilMs(2024, 1, 29, 0, 0, 0), Date.UTC(2024, 1, 29));
  assert.equal(civilMs(2024, 11, 31, 23, 59, 59), Date.UTC(2024, 11, 31, 23, 59, 59));
  assert.equal(civilMs(2024, 3, 31, 0, 0, 0), undefined);
  assert.equal(civilMs(2023, 1, 29, 0, 0, 0), undefined);
  assert.equal(civilMs(2000, 1, 29, 0, 0, 0), Date.UTC(2000, 1, 29));
  assert.equal(civilMs(2100, 1, 29, 0, 0, 0), undefined);
  assert.equal(civilMs(2024, 12, 1, 0, 0, 0), undefined);
  assert.equal(civilMs(2024, 0, 1, 24, 0, 0), undefined);
  assert.equal(civilMs(1969, 0, 1, 0, 0, 0), undefined);
});

test('month abbreviations', () => {
  assert.deepStrictEqual(
    ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'jan', 'Ja', 'Foo'].map(monthIndex),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1, -1, -1],
  );
});

test('zones: fixed offsets, IANA names across DST, bad names reported once and UTC used', () => {
  const local = Date.UTC(2024, 0, 10, 12);
  assert.equal(zoneResolver('+02:00').toUtc(local), Date.UTC(2024, 0, 10, 10));
  assert.equal(zoneResolver('-0530').toUtc(local), Date.UTC(2024, 0, 10, 17, 30));
  assert.equal(zoneResolver('UTC').toUtc(local), local);
  const berlin = zoneResolver('Europe/Berlin');
  assert.equal(berlin.toUtc(local), Date.UTC(2024, 0, 10, 11));
  assert.equal(berlin.toUtc(Date.UTC(2024, 6, 10, 12)), Date.UTC(2024, 6, 10, 10));
  const problems = new ProblemList();
  const z = contextZone({ file: 'x.log', problems, timezone: 'Mars/Olympus' } as Parameters<typeof contextZone>[0]);
  assert.equal(z.toUtc(local), local);
  assert.deepStrictEqual(problems.problems, [{ kind: 'config', file: 'x.log', message: 'unknown timezone "Mars/Olympus"; using UTC' }]);
});

test('isoStampAt: where the stamp ends and its time in stampMs, or -1', () => {
  assert.equal(isoStampAt('x 2024-01-10T10:11:12.3456Z y', 2, UTC_ZONE), 27);
  assert.equal(stampMs, Date.UTC(2024, 0, 10, 10, 11, 12, 345));
  assert.equal(isoStampAt('2024-01-10T10:11:12.1', 0, UTC_ZONE), 21);
  assert.equal(stampMs, Date.UTC(2024, 0, 10, 10, 11, 12, 100));
  assert.equal(isoStampAt('2024-01-10T10:11:12-05:30', 0, UTC_ZONE), 25);
  assert.equal(stampMs, Date.UTC(2024, 0, 10, 15, 41, 12));
  assert.equal(isoStampAt('2024-01-10T10:11:12', 0, zoneResolver('+02:00')), 19);
  assert.equal(stampMs, Date.UTC(2024, 0, 10, 8, 11, 12));
  // A non-digit in either half of the year, or anywhere in the date and time, is no stamp.
  for (const bad of ['20x4-01-10T10:11:12Z', '2x24-01-10T10:11:12Z', '2024-01-1xT10:11:12Z', '2024-01-10T10:11:1xZ', '2024-01-10T10:11:12.Z', '2024/01-10T10:11:12Z']) {
    assert.equal(isoStampAt(bad, 0, UTC_ZONE), -1, bad);
  }
});

test('isoStamp: separators, fractions, offsets, local time', () => {
  assert.deepStrictEqual(isoStamp('2024-01-10T10:11:12Z', 0, UTC_ZONE), { ms: Date.UTC(2024, 0, 10, 10, 11, 12), end: 20 });
  assert.deepStrictEqual(isoStamp('2024-01-10T10:11:12.345678+01:30 x', 0, UTC_ZONE), { ms: Date.UTC(2024, 0, 10, 8, 41, 12, 345), end: 32 });
  assert.deepStrictEqual(isoStamp('[2024-01-10 10:11:12,5]', 1, zoneResolver('+01:00'), ' '), { ms: Date.UTC(2024, 0, 10, 9, 11, 12, 500), end: 22 });
  assert.equal(isoStamp('2024-01-10 10:11:12', 0, UTC_ZONE), undefined);
  assert.equal(isoStamp('2024-13-10T10:11:12Z', 0, UTC_ZONE), undefined);
  assert.equal(isoStamp('2024-01-10T10:11:12.Z', 0, UTC_ZONE), undefined);
  // Cut in the seconds: no stamp, and the next stamp of that day is read right.
  assert.equal(isoStamp('2024-01-10T10:11:1', 0, UTC_ZONE), undefined);
  assert.equal(isoStamp('x 2024-01-10T10:11:', 2, zoneResolver('Europe/Berlin')), undefined);
  assert.deepStrictEqual(isoStamp('2024-01-10T10:11:13', 0, UTC_ZONE), { ms: Date.UTC(2024, 0, 10, 10, 11, 13), end: 19 });
});

test('zones cut at the end of the text: "+hh" as with text after it, never a NaN time or an end past the text', () => {
  // an hour-only zone ends the text as it ends a word
  assert.deepStrictEqual(isoStamp('2024-01-10T10:11:12+01', 0, UTC_ZONE), { ms: Date.UTC(2024, 0, 10, 9, 11, 12), end: 22 });
  assert.deepStrictEqual(isoStamp('2024-01-10T10:11:12+01 x', 0, UTC_ZONE), { ms: Date.UTC(2024, 0, 10, 9, 11, 12), end: 22 });
  // a one-digit zone is no zone: local time, the stamp ends before it
  assert.deepStrictEqual(isoStamp('2024-01-10T10:11:12+1', 0, UTC_ZONE), { ms: Date.UTC(2024, 0, 10, 10, 11, 12), end: 19 });
  assert.deepStrictEqual(zoneOffset('-00', 0), { minutes: -0, end: 3 });
  assert.equal(zoneOffset('+1', 0), undefined);
  assert.equal(digits('12', 1, 2), -1);
  assert.throws(() => zoneResolver('+1'), /zone/i);
});
