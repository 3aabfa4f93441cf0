/**
 * The workers' per-collector stream marks: events of a collector's stream at or before the
 * highest line already processed are dropped, whatever the batches they come in; events
 * without a stream or without a collector (`warden ship`) always pass; the marks survive
 * their JSON (the committed position) and forget the least recently advanced streams first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../src/event/event.js';
import { StreamMarks } from '../../src/stream/marks.js';

const ev = (stream: string | undefined, record: number): Event => ({
  fields: { n: record },
  logsource: { product: 'test' },
  origin: stream === undefined ? { file: 'f.log', record, format: 'json' } : { file: 'f.log', record, format: 'json', stream },
});
const records = (evs: Event[]): string[] => evs.map((e) => `${e.origin.stream ?? '-'}:${e.origin.record}`);

test('stream marks drop what a collector already had processed, in batches cut any way', () => {
  const m = new StreamMarks();
  assert.deepEqual(records(m.fresh([ev('a', 1), ev('a', 2), ev('b', 1)], 'c1')), ['a:1', 'a:2', 'b:1']);
  // the same lines again in a batch cut differently, with new ones after them
  assert.deepEqual(records(m.fresh([ev('a', 2), ev('a', 3), ev('b', 1), ev('b', 2)], 'c1')), ['a:3', 'b:2']);
  // another collector's stream of the same name is its own
  assert.deepEqual(records(m.fresh([ev('a', 1)], 'c2')), ['a:1']);
  // no collector (warden ship) or no stream: nothing is judged
  assert.deepEqual(records(m.fresh([ev('a', 1), ev('a', 1)], undefined)), ['a:1', 'a:1']);
  assert.deepEqual(records(m.fresh([ev(undefined, 1), ev(undefined, 1)], 'c1')), ['-:1', '-:1']);
  // two events of one line in one message both pass
  assert.deepEqual(records(m.fresh([ev('a', 4), ev('a', 4)], 'c1')), ['a:4', 'a:4']);
  const again = new StreamMarks(JSON.parse(JSON.stringify(m)));
  assert.deepEqual(records(again.fresh([ev('a', 4), ev('a', 5), ev('b', 2)], 'c1')), ['a:5']);
  assert.deepEqual(new StreamMarks('not marks').toJSON(), {});
});

test('stream marks forget the least recently advanced streams past their budget', () => {
  const m = new StreamMarks(undefined, 2);
  m.fresh([ev('a', 5)], 'c');
  m.fresh([ev('b', 5)], 'c');
  m.fresh([ev('a', 6)], 'c');
  m.fresh([ev('c', 5)], 'c');
  assert.deepEqual(Object.keys(m.toJSON()), ['c\u0000a', 'c\u0000c']);
});
