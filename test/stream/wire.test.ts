/** Event messages: the JSON Lines body, its de-duplication id, and bad lines as problems. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Problem } from '../../src/errors.js';
import type { Event } from '../../src/event/event.js';
import { batchId, decodeEvents, encodeEvents } from '../../src/stream/wire.js';
import { clusterNames, partitionOf } from '../../src/stream/settings.js';
import { ClusterError, connectNats, redactNatsUrl } from '../../src/stream/connect.js';

const ev = (n: number, host = 'WEB01'): Event => ({
  fields: { EventID: 1, Channel: 'Security', EventRecordID: n, Computer: host, CommandLine: 'a\nb "c"' },
  logsource: { product: 'windows' },
  host,
  timestamp: Date.UTC(2026, 0, 1) + n,
  origin: { file: '/logs/a.jsonl', record: n, format: 'json' },
  raw: 'line\twith\ttabs',
});

test('events survive the wire whole; the batch id follows their identities', () => {
  const batch = [ev(1), ev(2), ev(3, 'DB01')];
  const problems: Problem[] = [];
  assert.deepEqual(decodeEvents(encodeEvents(batch), 'x', problems), batch);
  assert.deepEqual(problems, []);
  assert.equal(batchId(batch), batchId([ev(1), ev(2), ev(3, 'DB01')]));
  // the same records read from another file are the same Windows events: the same id
  assert.equal(batchId([{ ...ev(1), origin: { file: '/other.evtx', record: 1, format: 'evtx' } }]), batchId([ev(1)]));
  assert.notEqual(batchId([ev(1), ev(2)]), batchId([ev(2), ev(1)]));
});

test('a line that is not an event is a problem naming the message and line; the rest go on', () => {
  const problems: Problem[] = [];
  const body = `${JSON.stringify(ev(1))}\nnot json\n{"fields":{}}\n${JSON.stringify(ev(2))}\n`;
  const got = decodeEvents(body, 'warden.events.3#17', problems);
  assert.deepEqual(
    got.map((e) => e.origin.record),
    [1, 2],
  );
  assert.deepEqual(
    problems.map((p) => [p.file, p.line]),
    [
      ['warden.events.3#17', 2],
      ['warden.events.3#17', 3],
    ],
  );
});

test('names and partitions: every spelling of a host lands in one partition', () => {
  const n = clusterNames('warden');
  assert.equal(n.stream, 'WARDEN_EVENTS');
  assert.equal(n.subject(3), 'warden.events.3');
  assert.equal(n.bucket, 'warden-cluster');
  assert.equal(n.consumer(3, 42), 'warden-p3-e42');
  const p = partitionOf('web01', 8);
  assert.ok(p >= 0 && p < 8);
  assert.equal(partitionOf('web01', 8), p);
  const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(`host${i}`, 8)));
  assert.equal(spread.size, 8);
});

test('credentials in a NATS URL are refused and never shown', async () => {
  assert.equal(redactNatsUrl('nats://user:secret@nats1:4222'), 'nats://***@nats1:4222');
  await assert.rejects(connectNats({ url: 'nats://user:secret@127.0.0.1:1' }), (e: unknown) => e instanceof ClusterError && !e.message.includes('secret'));
});
