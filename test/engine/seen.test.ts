/**
 * De-duplication of Windows records across overlapping exports: one detection per (rule,
 * host, channel, record id), memory in ranges of consecutive ids, and a budget that forgets
 * the oldest ids (with one warning) when ids are scattered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RangeSet, SeenRecords } from '../../src/engine/seen.js';
import type { Detection } from '../../src/event/detection.js';

const rule = { id: 'r1', name: 'r1', title: 't', level: 'low' as const, status: 'test', author: 'a', tags: [], references: [] };

function det(rid: number, host = 'DC1'): Detection {
  return {
    id: `d${host}${rid}`,
    kind: 'rule',
    rule,
    timestamp: rid,
    host,
    origin: { file: 'Security.evtx', record: rid, format: 'evtx' },
    logsource: {},
    event: { EventRecordID: rid, Channel: 'Security', Computer: host },
  } as Detection;
}

test('RangeSet merges neighbours and answers membership', () => {
  const r = new RangeSet();
  for (const n of [5, 7, 6, 1, 3, 2, 10]) assert.equal(r.add(n), true);
  assert.deepEqual(r.toJSON(), [
    [1, 3],
    [5, 7],
    [10, 10],
  ]);
  assert.equal(r.add(6), false);
  assert.equal(r.add(4), true);
  assert.deepEqual(r.toJSON(), [
    [1, 7],
    [10, 10],
  ]);
});

test('a record read twice (overlapping exports) gives one detection; another host keeps its own', () => {
  const s = new SeenRecords();
  for (let i = 1; i <= 1000; i++) assert.equal(s.firstTime(det(i)), true);
  for (let i = 500; i <= 1500; i++) s.firstTime(det(i));
  assert.equal(s.duplicates, 501);
  assert.equal(s.ranges, 1);
  assert.equal(s.firstTime(det(700, 'DC2')), true);
});

test('scattered record ids stay within the range budget, with one warning, and recent ids still de-duplicate', () => {
  const warnings: string[] = [];
  const s = new SeenRecords(1000, (m) => warnings.push(m));
  // Every other id: each one its own range, 100x the budget.
  for (let i = 0; i < 100_000; i++) s.firstTime(det(i * 2));
  assert.ok(s.ranges <= 1000, `ranges ${s.ranges}`);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /more than 1000 record-id ranges/);
  assert.equal(s.firstTime(det(199_998)), false, 'the newest id is still known');
  assert.equal(s.firstTime(det(0)), true, 'the oldest was forgotten');
});

test('many small sets (one per host) are bounded too, oldest host first', () => {
  const s = new SeenRecords(500);
  for (let h = 0; h < 2000; h++) s.firstTime(det(1, `H${h}`));
  assert.ok(s.ranges <= 500);
  assert.equal(s.firstTime(det(1, 'H1999')), false);
});

test('the budget survives a snapshot', () => {
  const s = new SeenRecords(100);
  for (let i = 0; i < 50; i++) s.firstTime(det(i * 3));
  const r = SeenRecords.from(JSON.parse(JSON.stringify(s.toJSON())), 100);
  assert.equal(r.ranges, 50);
  assert.equal(r.firstTime(det(3)), false);
  for (let i = 50; i < 500; i++) r.firstTime(det(i * 3));
  assert.ok(r.ranges <= 100);
});

test('memory stays within the budget however many records and hosts arrive', () => {
  const budget = 20_000;
  const s = new SeenRecords(budget);
  // 3 rules' worth of scattered ids on a few hosts, then a stream of new hosts: 1M detections.
  for (let i = 0; i < 1_000_000; i++) {
    const host = i % 10 === 0 ? `NEW${i}` : `H${i % 7}`;
    s.firstTime(det(i * 3, host));
    assert.ok(s.used <= budget, `slots ${s.used} at ${i}`);
  }
  assert.ok(s.ranges <= budget);
  // Range storage is 16 bytes a slot with at most 2x growth room (4 slots minimum per set);
  // keys are a few dozen characters.
  assert.ok(s.bytes <= budget * 16 * 2 + budget * 8, `bytes ${s.bytes}`);
  assert.ok(s.forgotten > 0);
  assert.equal(s.firstTime(det(999_999 * 3, `H${999_999 % 7}`)), false, 'recent records still de-duplicate');
});

test('the compact snapshot restores exactly, large ids included, and is a few bytes a range', () => {
  const r = new RangeSet();
  const big = 2 ** 53 - 10;
  for (const n of [0, 1, 2, 5, 127, 128, 129, 16_384, 1_000_000, 1_000_001, big - 5, big, big + 1]) r.add(n);
  const back = RangeSet.decode(r.encode())!;
  assert.deepEqual(back.toJSON(), r.toJSON());
  assert.deepEqual(back.toJSON(), [
    [0, 2],
    [5, 5],
    [127, 129],
    [16_384, 16_384],
    [1_000_000, 1_000_001],
    [big - 5, big - 5],
    [big, big + 1],
  ]);
  const sparse = new RangeSet();
  for (let i = 0; i < 10_000; i++) sparse.add(1_000_000 + i * 100);
  const text = sparse.encode();
  assert.ok(text.length <= 10_000 * 4, `${text.length} characters`);
  assert.deepEqual(RangeSet.decode(text)!.toJSON(), sparse.toJSON());
  assert.equal(RangeSet.decode('//8='), undefined, 'a truncated varint is refused');
});

test('a state saved in the older JSON-pair form is read, and one over the budget is brought within it', () => {
  const old = {
    sets: [
      [
        'r1\u0000dc1\u0000security',
        [
          [1, 10],
          [20, 20],
          [30, 40],
        ],
      ],
    ] as [string, [number, number][]][],
    duplicates: 4,
  };
  const s = SeenRecords.from(old);
  assert.equal(s.ranges, 3);
  assert.equal(s.duplicates, 4);
  assert.equal(s.firstTime(det(35)), false);
  assert.equal(s.firstTime(det(15)), true);
  const wide = new SeenRecords(10_000);
  for (let i = 0; i < 5000; i++) wide.firstTime(det(i * 2));
  const small = SeenRecords.from(JSON.parse(JSON.stringify(wide.toJSON())), 1000);
  assert.ok(small.used <= 1000, `slots ${small.used}`);
  assert.equal(small.firstTime(det(4998 * 2)), false, 'the newest kept');
  assert.equal(small.firstTime(det(0)), true, 'the oldest dropped');
  assert.throws(() => SeenRecords.from({ v: 2, sets: [['k', '//8=']], duplicates: 0 }), /damaged/);
});
