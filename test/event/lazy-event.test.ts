import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Fields, LogSource } from '../../src/event/event.js';
import { LazyEvent, plainEvent } from '../../src/event/lazy-event.js';

const LS: LogSource = { category: 'webserver' };

/** Builds `{ n: <build count>, raw }` from its line, counting builds. */
class Counting extends LazyEvent {
  builds = 0;
  protected buildFields(): Fields {
    this.builds++;
    return { raw: this.raw, n: this.builds };
  }
}

test('LazyEvent: fields are built once, on the first read, and can be replaced', () => {
  const ev = new Counting(LS, { file: 'f.log', record: 2, format: 'w3c' }, 'line', 5, 'web01');
  assert.equal(ev.builds, 0);
  const first = ev.fields;
  assert.deepEqual(first, { raw: 'line', n: 1 });
  assert.equal(ev.fields, first);
  assert.equal(ev.builds, 1);
  ev.fields = { x: 'y' };
  assert.deepEqual(ev.fields, { x: 'y' });
  assert.equal(ev.builds, 1);
});

test('LazyEvent: host and timestamp as for plain text events; JSON and plainEvent give the plain event', () => {
  const origin = { file: 'f.log', record: 2, format: 'w3c' };
  const full = new Counting(LS, origin, 'line', 5, 'web01');
  assert.equal(
    JSON.stringify(full),
    '{"fields":{"raw":"line","n":1},"logsource":{"category":"webserver"},"origin":{"file":"f.log","record":2,"format":"w3c"},"raw":"line","host":"web01","timestamp":5}',
  );
  // Empty hosts and non-finite times are left out.
  const bare = new Counting(LS, origin, 'line', Number.NaN, '');
  assert.deepStrictEqual(Object.keys(bare), ['logsource', 'origin', 'raw', 'builds']);
  assert.deepStrictEqual(plainEvent(bare), { fields: { raw: 'line', n: 1 }, logsource: LS, origin, raw: 'line' });
  assert.deepStrictEqual(structuredClone(plainEvent(full)), { fields: { raw: 'line', n: 1 }, logsource: LS, origin, raw: 'line', host: 'web01', timestamp: 5 });
  // A plain event is returned as it is.
  const plain = { fields: {}, logsource: LS, origin };
  assert.equal(plainEvent(plain), plain);
});
