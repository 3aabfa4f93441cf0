/**
 * Check 1 of the cluster (issue #18), scaled down for `npm test`: planted logs of many hosts
 * shipped to a real NATS JetStream, three `warden worker` processes sharing the partitions,
 * PostgreSQL as the store; the detections and incidents stored equal those of a local
 * `warden hunt` over the same files, id for id. WARDEN_CLUSTER_EVENTS / WARDEN_CLUSTER_HOSTS
 * select the full size (1,000,000 events of 200 hosts).
 *
 * Needs NATS with JetStream (WARDEN_TEST_NATS, default nats://127.0.0.1:4222) and
 * PostgreSQL (WARDEN_TEST_PG); skips with the reason when either does not answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemList } from '../../src/errors.js';
import { destroyTopology } from '../../src/stream/connect.js';
import { shipFiles } from '../../src/stream/ship-files.js';
import { openStore } from '../../src/store/store.js';
import { allCommitted, huntResult, NATS_URL, natsAnswers, plantedLogs, startWorker, stopWorker, storedResult, until } from '../helpers/cluster.js';
import { postgresBackend } from '../store/backends.js';

const EVENTS = Number(process.env['WARDEN_CLUSTER_EVENTS'] ?? 50_000);
const HOSTS = Number(process.env['WARDEN_CLUSTER_HOSTS'] ?? 20);
const PARTITIONS = 6;

test(`cluster: ${EVENTS} events of ${HOSTS} hosts through 3 workers equal a local hunt, id for id`, { timeout: 30 * 60_000 }, async (t) => {
  const nc = await natsAnswers(NATS_URL);
  if (typeof nc === 'string') return t.skip(nc);
  const pg = await postgresBackend();
  if (typeof pg === 'string') {
    await nc.close();
    return t.skip(pg);
  }
  const dir = mkdtempSync(join(tmpdir(), 'warden-cluster-'));
  const namespace = `wt${process.pid}${Date.now().toString(36)}`;
  const workers: ReturnType<typeof startWorker>[] = [];
  const { url: storeUrl } = await pg.fresh();
  const store = await openStore({ url: storeUrl! });
  try {
    const logs = await plantedLogs(join(dir, 'logs'), { events: EVENTS, hosts: HOSTS, files: Math.max(4, Math.ceil(EVENTS / 25_000)) });
    const t0 = performance.now();
    const expected = await huntResult(logs);
    const huntMs = performance.now() - t0;
    assert.ok(expected.detections.length > logs.planted, 'the planted sequences are detected by the local hunt');
    assert.ok(expected.incidents.size > 0);

    for (let n = 0; n < Number(process.env['WARDEN_CLUSTER_WORKERS'] ?? 3); n++)
      workers.push(startWorker({ nats: NATS_URL, store: storeUrl!, namespace, rulesDir: logs.rulesDir, logDir: dir, n }));
    const problems = new ProblemList();
    const t1 = performance.now();
    const shipped = await shipFiles({ paths: logs.files, url: NATS_URL, settings: { namespace, partitions: PARTITIONS }, end: true }, problems);
    assert.equal(problems.count, 0);
    assert.equal(shipped.events, EVENTS);
    await until(() => allCommitted(nc, store, namespace, PARTITIONS), 'every partition committed', 20 * 60_000);
    const clusterMs = performance.now() - t1;
    t.diagnostic(
      `${EVENTS} events, ${expected.detections.length} detections, ${expected.incidents.size} incidents; local hunt ${(huntMs / 1000).toFixed(1)} s, ship + 3 workers ${(clusterMs / 1000).toFixed(1)} s`,
    );

    const got = await storedResult(store);
    if (process.env['WARDEN_CLUSTER_DEBUG']) {
      const want = new Set(expected.detections);
      const have = new Set(got.detections);
      const extra = (await store.db.query('SELECT id, kind, rule_id, host, time, record, body FROM detections ORDER BY time')).filter((r) => !want.has(String(r.id)));
      t.diagnostic(`extra ${extra.length}: ${JSON.stringify(extra.slice(0, 5))}`);
      t.diagnostic(`missing ${expected.detections.filter((d) => !have.has(d)).length}`);
    }
    assert.deepEqual(got.detections, expected.detections, 'the same detections, none doubled, none missing');
    assert.deepEqual([...got.incidents.keys()].sort(), [...expected.incidents.keys()].sort(), 'the same incidents');
    for (const [id, members] of expected.incidents) assert.deepEqual(got.incidents.get(id), members, `incident ${id} has the same members`);
    // Which workers committed last per partition: on a quiet machine several, but a loaded one
    // may let the first worker up take every partition and finish before the others join, so
    // this is reported, not asserted (takeover between workers is asserted by the chaos test).
    const owners = new Set((await store.db.query('SELECT positions FROM pipeline_state')).map((r) => (JSON.parse(String(r.positions)) as { owner: string }).owner));
    t.diagnostic(`partitions last committed by ${owners.size} worker(s)`);
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await destroyTopology(nc, namespace);
    await nc.close();
    await store.close();
    await pg.cleanup();
    if (!process.env['WARDEN_CLUSTER_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
});
