/**
 * `warden ship` against a real NATS JetStream: every event arrives exactly once, in its
 * partition, in the order it was read; shipping the same logs again adds nothing (the
 * de-duplication ids); the stream and bucket were created with the settings asked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ProblemList } from '../../src/errors.js';
import type { Event } from '../../src/event/event.js';
import { hostKey } from '../../src/event/host.js';
import { destroyTopology } from '../../src/stream/connect.js';
import { shipFiles } from '../../src/stream/ship-files.js';
import { clusterNames, partitionOf } from '../../src/stream/settings.js';
import { decodeEvents, KIND_HEADER } from '../../src/stream/wire.js';
import { NATS_URL, natsAnswers, plantedLogs } from '../helpers/cluster.js';
import { readAll } from '../helpers/events.js';

test('ship: each event once, in its partition, in read order; a second ship adds nothing', async (t) => {
  const nc = await natsAnswers(NATS_URL);
  if (typeof nc === 'string') return t.skip(nc);
  const dir = mkdtempSync(join(tmpdir(), 'warden-ship-'));
  const namespace = `wts${process.pid}${Date.now().toString(36)}`;
  const P = 4;
  try {
    const logs = await plantedLogs(dir, { events: 3001, hosts: 7, files: 2 });
    const problems = new ProblemList();
    const first = await shipFiles(
      {
        paths: logs.files,
        url: NATS_URL,
        settings: { namespace, partitions: P, retention: { maxAgeMs: 3_600_000, maxBytes: -1, duplicateWindowMs: 600_000, replicas: 1 } },
        batchEvents: 100,
        end: true,
      },
      problems,
    );
    assert.equal(problems.count, 0);
    assert.equal(first.events, 3001);
    assert.equal(first.duplicates, 0);
    const again = await shipFiles({ paths: logs.files, url: NATS_URL, settings: { namespace }, batchEvents: 100 }, problems);
    assert.equal(again.messages, 0, 'every batch of the second ship was a duplicate');
    assert.equal(again.duplicates, first.messages - P, 'all but the end marks');

    const names = clusterNames(namespace);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(names.stream);
    assert.deepEqual(info.config.subjects, [`${namespace}.events.*`]);
    assert.equal(info.config.max_age, 3_600_000 * 1e6);
    assert.equal(info.config.duplicate_window, 600_000 * 1e6);
    const { events: read } = await readAll(logs.files);
    const js = jetstream(nc);
    for (let p = 0; p < P; p++) {
      await jsm.consumers.add(names.stream, { durable_name: `check${p}`, filter_subject: names.subject(p), ack_policy: AckPolicy.None });
      const c = await js.consumers.get(names.stream, `check${p}`);
      const got: Event[] = [];
      for (;;) {
        const m = await c.next({ expires: 2000 });
        assert.ok(m, `partition ${p} ends with an end mark`);
        if (m.headers?.get(KIND_HEADER) === 'end') break;
        got.push(...decodeEvents(m.string(), names.subject(p), []));
      }
      const want = read.filter((e) => partitionOf(hostKey(e.host ?? ''), P) === p);
      assert.deepEqual(got, JSON.parse(JSON.stringify(want)), `partition ${p}: the events read, in order`);
    }
  } finally {
    await destroyTopology(nc, namespace);
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
