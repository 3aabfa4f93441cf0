/** The workers' commit hints: what a commit announces, and how a hint off the wire is checked (anyone on NATS can send one). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Detection, IncidentUpdate } from '../../src/event/detection.js';
import { encodeHint, hintOf, parseHint } from '../../src/stream/live-hints.js';

const det = (id: string, level: Detection['rule']['level']): Detection =>
  ({
    id,
    kind: 'rule',
    rule: { id: 'r', title: 't', level, status: 'test', author: 'a', tags: [], references: [] },
    origin: { file: 'f', record: 1, format: 'json' },
    logsource: {},
    event: { secret: 'never sent' },
  }) as Detection;

test('a commit announces counts, the first 100 ids, the highest level and the incidents touched; never event content', () => {
  const ds = Array.from({ length: 150 }, (_, i) => det(`d${i}`, i === 7 ? 'critical' : 'low'));
  const up = { kind: 'opened', incident: { id: 'i1', severity: 'high', hostKey: 'web01' } } as unknown as IncidentUpdate;
  const grew = { kind: 'grew', incident: { id: 'i1', severity: 'critical', hostKey: 'web01' } } as unknown as IncidentUpdate;
  const h = hintOf(ds, [up, grew])!;
  assert.equal(h.detections, 150);
  assert.deepEqual(
    h.ids,
    Array.from({ length: 100 }, (_, i) => `d${i}`),
  );
  assert.equal(h.maxLevel, 'critical');
  assert.deepEqual(h.incidents, [{ id: 'i1', kind: 'grew', severity: 'critical', hostKey: 'web01' }]);
  assert.doesNotMatch(Buffer.from(encodeHint(h)).toString(), /never sent/);
  assert.deepEqual(parseHint(encodeHint(h)), h);
  assert.equal(hintOf([], []), undefined, 'an empty commit announces nothing');
});

test('a hint off the wire: wrong shapes refused, bad entries dropped, sizes bounded', () => {
  const enc = (v: unknown): Uint8Array => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
  assert.equal(parseHint(enc('not json')), undefined);
  assert.equal(parseHint(enc('null')), undefined);
  assert.equal(parseHint(enc({ detections: -1, ids: [], incidents: [] })), undefined);
  assert.equal(parseHint(enc({ detections: 1.5, ids: [], incidents: [] })), undefined);
  assert.equal(parseHint(enc({ detections: 1, ids: 'x', incidents: [] })), undefined);
  assert.equal(parseHint(enc({ detections: 1, ids: [], incidents: [], maxLevel: 'apocalyptic' })), undefined);
  assert.equal(parseHint(Buffer.alloc(70_000, 0x20)), undefined, 'over 64 KiB');
  assert.deepEqual(
    parseHint(
      enc({
        detections: 3,
        ids: ['ok', 7, '', 'x'.repeat(201), { a: 1 }],
        incidents: [
          { id: 'i1', kind: 'opened', severity: 'high', hostKey: 'web01', extra: '<script>' },
          { id: 'i2', kind: 'exploded', severity: 'high', hostKey: 'web01' },
          { id: 'i3', kind: 'closed', severity: 'none', hostKey: 'web01' },
          'junk',
        ],
        maxLevel: 'high',
        __proto__: { polluted: true },
      }),
    ),
    { detections: 3, ids: ['ok'], incidents: [{ id: 'i1', kind: 'opened', severity: 'high', hostKey: 'web01' }], maxLevel: 'high' },
  );
  const many = parseHint(enc({ detections: 1000, ids: Array.from({ length: 500 }, (_, i) => `d${i}`), incidents: [] }))!;
  assert.equal(many.ids.length, 100);
});
